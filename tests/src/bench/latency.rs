//! Suite 5, apply with realistic latency: every AWS call takes 50 ms more (emulator
//! `latency_ms`), objects take `TRANSITION` seconds to become available, and the hub of N VPCs
//! is created from scratch. Its apply is compared with
//!
//! * the critical path: the longest chain of dependent calls AWS imposes — create the TGW, see it
//!   available, create an attachment (or the Direct Connect association), see it available, then
//!   one route or propagation call — each call costed at the median duration the emulator
//!   recorded for that action, each transition at its configured delay;
//! * the same hub as raw hashicorp/aws resources scheduled by Terraform core at
//!   `-parallelism=10` ([`super::raw_aws::schedule`]), with the same call duration and delays.
//!
//! The provider's pacing is raised out of the way (`ec2_api_rate_limits`) and the emulator does
//! not throttle: this suite measures latency and scheduling, suite 3 measures rate limits.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use super::fixture::{HUB, HubWorld, SHARED_WITH, hub_delays, unpaced};
use super::raw_aws::{RawHub, Timing, critical_path, schedule};
use super::{Table, median};
use crate::emulator::Call;
use crate::process::Error;

pub const LATENCY_MS: u64 = 50;
/// Seconds the TGW, the attachments and the Direct Connect association take to be available.
pub const TRANSITION: f64 = 2.0;
/// Terraform core's default `-parallelism`.
pub const PARALLELISM: usize = 10;

pub async fn run(vpcs: usize) -> Result<Table, Error> {
    let mut table = Table::new("latency", &["measurement", "seconds", "what it is"]);
    let mut settings = hub_delays(TRANSITION);
    settings["latency_ms"] = json!(LATENCY_MS);
    let mut world = HubWorld::seed(vpcs, &unpaced(), settings).await?;
    world.emulator.clear_calls().await?;
    let started = Instant::now();
    let applied = world.apply().await?;
    let command = started.elapsed().as_secs_f64();
    let apply = applied
        .durations
        .get(HUB)
        .ok_or("the hub was not applied")?
        .as_secs_f64();
    let calls = world.calls().await?;
    save_timeline(&calls)?;
    let durations = durations_by_action(&calls);
    let call = median(durations.values().flatten().copied().collect());
    let cost = |action: &str| {
        durations
            .get(action)
            .map(|d| median(d.clone()))
            .unwrap_or(call)
    };
    // AWS's chain for this hub: TGW → (attachment ‖ Direct Connect association) → route.
    let transition = |d: f64, poll: f64| d.max(poll);
    let tgw =
        cost("CreateTransitGateway") + transition(TRANSITION, cost("DescribeTransitGateways"));
    let attachment = cost("CreateTransitGatewayVpcAttachment")
        + transition(TRANSITION, cost("DescribeTransitGatewayAttachments"));
    let data_center = cost("CreateDirectConnectGatewayAssociation")
        + transition(TRANSITION, cost("DescribeDirectConnectGatewayAssociations"))
        + cost("DescribeTransitGatewayAttachments");
    let last = cost("CreateRoute").max(cost("EnableTransitGatewayRouteTablePropagation"));
    let path = tgw + attachment.max(data_center) + last;

    let (vpc_routes, hub_static_routes) = world.route_counts();
    let raw = RawHub {
        vpcs,
        vpc_routes,
        hub_static_routes,
        principals: SHARED_WITH.len(),
        direct_connect: true,
    };
    let timing = Timing {
        call,
        transit_gateway: TRANSITION,
        vpc_attachment: TRANSITION,
        direct_connect: TRANSITION,
        ram_association: TRANSITION / 4.0,
    };
    let graph = raw.create_graph();
    let raw_walk = schedule(&graph, &timing, PARALLELISM);
    let raw_path = critical_path(&graph, &timing);
    let raw_serial = schedule(&graph, &timing, 1);
    let mutations = calls
        .iter()
        .filter(|c| c.error.is_none() && super::refresh::is_mutating(&c.action))
        .count();

    let mut row = |what: &str, seconds: f64, detail: String| {
        table.row(vec![what.into(), format!("{seconds:.2}"), detail]);
    };
    row(
        "ours: apply (ApplyResourceChange)",
        apply,
        format!(
            "{vpcs} VPCs, {} routes, {mutations} mutating calls, {} calls in the whole command",
            vpc_routes + hub_static_routes,
            calls.len()
        ),
    );
    row(
        "ours: whole `terraform apply`",
        command,
        "plan process (refresh, live checks) + apply process".into(),
    );
    row(
        "critical path",
        path,
        format!(
            "CreateTransitGateway → available ({TRANSITION} s) → attachment or DX association → \
             available ({TRANSITION} s) → CreateRoute; median call {:.0} ms",
            call * 1000.0
        ),
    );
    row(
        "ours over the critical path",
        apply - path,
        format!("{:+.0}%", (apply / path - 1.0) * 100.0),
    );
    row(
        "raw hashicorp/aws, -parallelism=10 (model)",
        raw_walk,
        format!(
            "{} resources; SDK waiter backoff; same call duration and delays",
            graph.len()
        ),
    );
    row(
        "raw hashicorp/aws, unlimited parallelism (model)",
        raw_path,
        "its own critical path: waiter backoff overshoots each transition".into(),
    );
    row(
        "raw hashicorp/aws, one at a time (model)",
        raw_serial,
        "the same creates serialized".into(),
    );
    Ok(table)
}

/// Round-trip seconds of every successful call, per action.
fn durations_by_action(calls: &[Call]) -> BTreeMap<String, Vec<f64>> {
    let mut by_action: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for call in calls.iter().filter(|c| c.error.is_none()) {
        by_action
            .entry(call.action.clone())
            .or_default()
            .push(call.end - call.start);
    }
    by_action
}

/// The call record of the apply as `target/bench/latency_calls.csv` (seconds from the first
/// call), to see where the time goes.
fn save_timeline(calls: &[Call]) -> Result<(), Error> {
    use std::io::Write as _;
    let first = calls.iter().map(|c| c.start).fold(f64::INFINITY, f64::min);
    let dir = super::output_dir();
    std::fs::create_dir_all(&dir)?;
    let mut file = std::fs::File::create(dir.join("latency_calls.csv"))?;
    writeln!(file, "seq,service,action,start s,end s,error")?;
    for c in calls {
        writeln!(
            file,
            "{},{},{},{:.3},{:.3},{}",
            c.seq,
            c.service,
            c.action,
            c.start - first,
            c.end - first,
            c.error.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}
