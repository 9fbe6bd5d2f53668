//! Suite `spokes` (issue 14's closing figures): the AWS calls of a hub with N spokes, for N in
//! [`SIZES`]. The hub account (111122223333) holds a `migration_hub_network` of two VPCs and a
//! Direct Connect data center, shared with N spoke accounts and declaring each in `spokes` with
//! its CIDR; every spoke account runs one `migration_hub_spoke` in a workspace of its own (its
//! own provider process and credentials, as a spoke team's workspace does), attaching its one VPC
//! and routing it to the hub's networks (the hub's two VPCs and the data center).
//!
//! Measured per N, from the emulator's call record split by account: the hub's create, all
//! spokes' creates, the hub's apply that connects the attached spokes (auto-accept is on, so the
//! hub's part left is propagating them into its route table), a no-op plan (refresh + plan) of
//! the hub, and of one spoke and of all spokes. Wall time is secondary: the emulator has none
//! of AWS's latency and its transitions take a tenth of a second ([`delays`]), so the seconds
//! are this machine's, not AWS's. The calls of waits (polls, and the spoke's describes that
//! answer `InvalidTransitGatewayID.NotFound` until the share reaches its account) depend on
//! those delays; every other call does not.
//!
//! Both no-op plans are the second plan after the last apply: the first refresh after a create
//! confirms the object (one DeleteTags, once in its life), the steady state comes after.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value as Json, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::Table;
use super::fixture::{
    DATA_CENTER_CIDRS, DeclaredSpoke, HUB, HubWorld, OWNER, Vpc, seed_vpc, unpaced,
};
use crate::emulator::{Call, Emulator};
use crate::process::{Error, LaunchOptions};
use crate::terraform::Terraform;

pub const SIZES: [usize; 3] = [1, 10, 50];
/// The hub's own VPCs (10.1.0.0/16 and 10.2.0.0/16).
const HUB_VPCS: usize = 2;
/// Spoke workspaces running at once. Spoke teams apply independently of each other; ten at a
/// time keeps the suite short on two cores (the 50-spoke world would otherwise spend most of
/// its time starting provider processes one after another).
const SPOKES_AT_ONCE: usize = 10;
/// The spoke resource's address in every spoke workspace.
const SPOKE: &str = "migration_hub_spoke.spoke";

/// Short transitions (seconds), so that every wait is exercised but the suite stays quick:
/// the gateway, the attachments and the Direct Connect association take 0.1 s to be
/// available, a RAM invitation 0.05 s to appear, a share 0.2 s to reach an account's EC2 view.
fn delays() -> Json {
    json!({"delays": {
        "transit_gateway.pending": 0.1,
        "vpc_attachment.pending": 0.1,
        "vpc_attachment.deleting": 0.1,
        "dx_association.associating": 0.1,
        "ram_association.associating": 0.05,
        "ram_invitation.appear": 0.05,
        "ram_share.propagation": 0.2,
    }})
}

/// The `i`-th spoke account (i ≥ 1): 300000000001, 300000000002, …
fn spoke_account(i: usize) -> String {
    (300_000_000_000 + i).to_string()
}

/// The `i`-th spoke's VPC number: its VPC is `10.<100 + i>.0.0/16`, clear of the hub's.
fn spoke_vpc_number(i: usize) -> usize {
    100 + i
}

/// What one phase cost: every AWS call it made, of every account, and its wall time.
struct Phase {
    calls: Vec<Call>,
    seconds: f64,
}

/// One spoke account's workspace: its index (1-based), account, seeded VPC, and the
/// configuration once the hub's gateway and share are known.
struct SpokeWorkspace {
    index: usize,
    account: String,
    vpc: Vpc,
    tf: Terraform,
    config: String,
}

pub async fn run(sizes: &[usize]) -> Result<Table, Error> {
    let mut table = Table::new(
        "spokes",
        &[
            "spokes",
            "phase",
            "AWS calls",
            "hub account",
            "spoke accounts",
            "answered an error",
            "wall s",
            "calls by action (most first)",
        ],
    );
    for &n in sizes {
        measure(n, &mut table).await?;
    }
    Ok(table)
}

async fn measure(n: usize, table: &mut Table) -> Result<(), Error> {
    let declared: Vec<DeclaredSpoke> = (1..=n)
        .map(|i| DeclaredSpoke {
            name: format!("spoke{i:03}"),
            account_id: spoke_account(i),
            cidr: format!("10.{}.0.0/16", spoke_vpc_number(i)),
        })
        .collect();
    let accounts: Vec<String> = declared.iter().map(|s| s.account_id.clone()).collect();
    let mut hub =
        HubWorld::seed_with_spokes(HUB_VPCS, &unpaced(), delays(), &accounts, &declared).await?;
    let mut spokes = Vec::with_capacity(n);
    for i in 1..=n {
        spokes.push(seed_spoke(&hub.emulator, i).await?);
    }
    let first = spoke_account(1);
    let mut row = |phase: &str, calls: Vec<&Call>, seconds: f64| {
        table.row(cells(n, phase, &calls, seconds));
    };

    // (a) The hub's create: `terraform apply` (its plan process and its apply process).
    let create = hub_phase(&mut hub, Step::Apply).await?;
    row("hub create", create.calls.iter().collect(), create.seconds);
    let (tgw, share) = {
        let state = hub.tf.state_value(HUB).ok_or("the hub has no state")?;
        let text = |name: &str| {
            state
                .attr(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| format!("the hub's state has no {name}"))
        };
        (text("id")?, text("resource_share_arn")?)
    };
    let hub_networks: Vec<String> = hub
        .vpcs
        .iter()
        .map(|v| v.cidr.clone())
        .chain(DATA_CENTER_CIDRS.map(String::from))
        .collect();
    for spoke in &mut spokes {
        spoke.config = spoke_config(&hub.emulator, &spoke.vpc, &tgw, &share, &hub_networks);
    }

    // (b) Every spoke's create, each its own `terraform apply`.
    let (spokes, creates, seconds) = run_spokes(&hub.emulator, spokes, Step::Apply).await?;
    for spoke in &spokes {
        let status = spoke.tf.state_value(SPOKE).and_then(|s| {
            s.attr("attachment_state")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        });
        if status.as_deref() != Some("available") {
            return Err(format!("spoke {} is {status:?}, not available", spoke.account).into());
        }
    }
    row(
        "spoke create (one)",
        creates
            .calls
            .iter()
            .filter(|c| c.account == first)
            .collect(),
        seconds[&1],
    );
    row(
        &format!("spoke creates (all {n}, {SPOKES_AT_ONCE} at once)"),
        creates.calls.iter().collect(),
        creates.seconds,
    );

    // The hub's apply that connects them: with auto-accept on, the attachments are available
    // already; the hub propagates them into its route table.
    let connect = hub_phase(&mut hub, Step::Apply).await?;
    row(
        "hub apply connecting the spokes",
        connect.calls.iter().collect(),
        connect.seconds,
    );

    // (c) The hub's no-op plan.
    hub.no_op_plan().await?;
    let plan = hub_phase(&mut hub, Step::Plan).await?;
    row("hub no-op plan", plan.calls.iter().collect(), plan.seconds);
    let state = hub.tf.state_value(HUB).ok_or("the hub has no state")?;
    let statuses = state
        .attr("spokes")
        .and_then(|s| s.as_map())
        .ok_or("the hub's state has no spokes")?;
    let not_propagated: Vec<&String> = statuses
        .iter()
        .filter(|(_, s)| s.attr("status").and_then(|v| v.as_str()) != Some("propagated"))
        .map(|(name, _)| name)
        .collect();
    if statuses.len() != n || !not_propagated.is_empty() {
        return Err(format!("spokes not propagated in the hub's state: {not_propagated:?}").into());
    }

    // (d) The spokes' no-op plans, after one plan each that confirms the attachment.
    let (spokes, _, _) = run_spokes(&hub.emulator, spokes, Step::Plan).await?;
    let (_, plans, seconds) = run_spokes(&hub.emulator, spokes, Step::Plan).await?;
    row(
        "spoke no-op plan (one)",
        plans.calls.iter().filter(|c| c.account == first).collect(),
        seconds[&1],
    );
    row(
        &format!("spoke no-op plans (all {n}, {SPOKES_AT_ONCE} at once)"),
        plans.calls.iter().collect(),
        plans.seconds,
    );
    Ok(())
}

/// Seeds spoke account `i`: one VPC `10.<100 + i>.0.0/16` with one subnet and one route table.
async fn seed_spoke(emulator: &Emulator, i: usize) -> Result<SpokeWorkspace, Error> {
    let account = spoke_account(i);
    let aws = emulator.clients(&account).await?;
    let vpc = seed_vpc(&aws, spoke_vpc_number(i)).await?;
    Ok(SpokeWorkspace {
        index: i,
        tf: Terraform::new(LaunchOptions {
            env: emulator.provider_env(&account),
            ..Default::default()
        }),
        account,
        vpc,
        config: String::new(),
    })
}

/// A spoke's configuration: its VPC joining `tgw` through `share`, its route table routed to
/// the hub's networks. The provider's default pacing: a spoke makes a handful of calls.
fn spoke_config(
    emulator: &Emulator,
    vpc: &Vpc,
    tgw: &str,
    share: &str,
    hub_networks: &[String],
) -> String {
    let networks: Vec<String> = hub_networks.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        "{}\nresource \"migration_hub_spoke\" \"spoke\" {{\n  transit_gateway_id = \"{tgw}\"\n  resource_share_arn = \"{share}\"\n  vpc_id = \"{}\"\n  route_table_ids = [\"{}\"]\n  hub_cidr_blocks = [{}]\n}}\n",
        emulator.provider_block(""),
        vpc.id,
        vpc.table,
        networks.join(", "),
    )
}

/// What a spoke workspace runs.
#[derive(Clone, Copy)]
enum Step {
    /// `terraform apply`.
    Apply,
    /// `terraform plan`, which must find nothing to do.
    Plan,
}

/// Runs `step` in every spoke workspace, [`SPOKES_AT_ONCE`] at a time, from a cleared call
/// record. Answers the workspaces (in their order), what the whole phase cost, and each
/// spoke's own wall time by its index.
async fn run_spokes(
    emulator: &Emulator,
    spokes: Vec<SpokeWorkspace>,
    step: Step,
) -> Result<(Vec<SpokeWorkspace>, Phase, BTreeMap<usize, f64>), Error> {
    emulator.clear_calls().await?;
    let started = Instant::now();
    let slots = Arc::new(Semaphore::new(SPOKES_AT_ONCE));
    let mut running = JoinSet::new();
    for mut spoke in spokes {
        let slots = slots.clone();
        running.spawn(async move {
            let _slot = slots.acquire_owned().await?;
            let started = Instant::now();
            let config = spoke.config.clone();
            match step {
                Step::Apply => {
                    let applied = spoke.tf.apply(&config).await?;
                    if applied.has_errors() {
                        return Err(format!(
                            "spoke {}: apply failed: {:#?}",
                            spoke.account,
                            applied.errors()
                        )
                        .into());
                    }
                }
                Step::Plan => {
                    let plan = spoke.tf.plan(&config).await?;
                    if plan.has_errors() || !plan.is_empty() {
                        return Err(format!(
                            "spoke {}: the plan of a converged spoke is not empty: {:#?}",
                            spoke.account, plan.diagnostics
                        )
                        .into());
                    }
                }
            }
            Ok::<_, Error>((spoke, started.elapsed().as_secs_f64()))
        });
    }
    let mut done = Vec::new();
    let mut seconds = BTreeMap::new();
    while let Some(finished) = running.join_next().await {
        let (spoke, elapsed) = finished??;
        seconds.insert(spoke.index, elapsed);
        done.push(spoke);
    }
    let elapsed = started.elapsed().as_secs_f64();
    done.sort_by_key(|s| s.index);
    let phase = Phase {
        calls: emulator.all_calls().await?,
        seconds: elapsed,
    };
    Ok((done, phase, seconds))
}

/// Runs `step` on the hub from a cleared call record; what it cost.
async fn hub_phase(hub: &mut HubWorld, step: Step) -> Result<Phase, Error> {
    hub.emulator.clear_calls().await?;
    let started = Instant::now();
    match step {
        Step::Apply => drop(hub.apply().await?),
        Step::Plan => drop(hub.no_op_plan().await?),
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Phase {
        calls: hub.emulator.all_calls().await?,
        seconds,
    })
}

/// One table row: the calls split by account role, the errors AWS answered, and the calls per
/// action, most first.
fn cells(n: usize, phase: &str, calls: &[&Call], seconds: f64) -> Vec<String> {
    let hub = calls.iter().filter(|c| c.account == OWNER).count();
    let errors: BTreeMap<String, usize> = calls
        .iter()
        .filter_map(|c| c.error.as_ref().map(|e| format!("{} {e}", c.action)))
        .fold(BTreeMap::new(), |mut counted, key| {
            *counted.entry(key).or_insert(0) += 1;
            counted
        });
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for call in calls {
        *by_action.entry(call.action.as_str()).or_insert(0) += 1;
    }
    let mut by_action: Vec<(&str, usize)> = by_action.into_iter().collect();
    by_action.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let listed = |items: Vec<String>| {
        if items.is_empty() {
            "0".to_string()
        } else {
            items.join("; ")
        }
    };
    vec![
        n.to_string(),
        phase.to_string(),
        calls.len().to_string(),
        hub.to_string(),
        (calls.len() - hub).to_string(),
        listed(errors.iter().map(|(e, c)| format!("{e} ×{c}")).collect()),
        format!("{seconds:.2}"),
        listed(by_action.iter().map(|(a, c)| format!("{a} {c}")).collect()),
    ]
}
