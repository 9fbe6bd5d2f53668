//! Suite 3, apply against the rate limits: the emulator enforces EC2's token buckets (AWS's
//! defaults) and the provider runs with its default pacing. Measured: the wall time of the apply
//! (ApplyResourceChange) for a hub of N VPCs in full mesh and for 200 Client VPN authorization
//! rules, beside the least time the buckets allow for the calls the apply made,
//! max over buckets of (accepted calls − burst) / refill; the `RequestLimitExceeded` answers the
//! emulator gave (absorbed by the provider's retries) and the errors that reached the user.

use std::collections::BTreeMap;

use serde_json::json;

use super::Table;
use super::fixture::{ACCESS, ClientVpnSite, HUB, HubWorld, OWNER, ec2_bucket};
use crate::emulator::Call;
use crate::process::Error;

/// AWS's default EC2 buckets (burst, refill per second), as the emulator enforces them.
pub fn default_bucket(bucket: &str) -> (f64, f64) {
    match bucket {
        "describe" => (100.0, 20.0),
        "mutating" => (50.0, 5.0),
        "client_vpn" => (5.0, 2.0),
        _ => (100.0, 10.0),
    }
}

/// Seconds a Client VPN rule stays `authorizing` in this benchmark.
pub const AUTHORIZING: f64 = 4.0;

/// One apply measured against the buckets.
#[derive(Clone, Debug)]
pub struct Measured {
    pub workload: String,
    pub wall: f64,
    /// The binding bucket and the least time it allows.
    pub bucket: String,
    pub calls: usize,
    pub minimum: f64,
    /// Time after the last paced call that no rate allows to skip (the last object settling).
    pub settle: f64,
    pub throttled: usize,
    pub user_errors: usize,
    /// Every call of the apply command (plan walk and apply walk), any service.
    pub all_calls: usize,
}

impl Measured {
    pub fn floor(&self) -> f64 {
        self.minimum + self.settle
    }

    pub fn over_floor(&self) -> f64 {
        (self.wall / self.floor() - 1.0) * 100.0
    }
}

pub async fn run(vpcs: usize, groups: usize, networks: usize) -> Result<Table, Error> {
    let mut table = Table::new(
        "rate_limits",
        &[
            "workload",
            "apply wall s",
            "binding bucket",
            "accepted calls in it",
            "minimum s ((calls − burst) / refill)",
            "+ last object settling s",
            "over the floor %",
            "RequestLimitExceeded answered (retried)",
            "errors reaching the user",
            "AWS calls of the apply command (all)",
        ],
    );
    // The two workloads use separate emulators and accounts' buckets and are bound by the
    // rate, not the CPU, so they run side by side.
    let (hub, rules) = tokio::join!(hub_mesh(vpcs), client_vpn_rules(groups, networks));
    for m in [hub?, rules?] {
        table.row(vec![
            m.workload.clone(),
            format!("{:.1}", m.wall),
            m.bucket.clone(),
            m.calls.to_string(),
            format!("{:.1}", m.minimum),
            format!("{:.1}", m.settle),
            format!("{:+.1}", m.over_floor()),
            m.throttled.to_string(),
            m.user_errors.to_string(),
            m.all_calls.to_string(),
        ]);
    }
    Ok(table)
}

/// The bucket whose minimum is largest, from the accepted EC2 calls of the apply walk.
fn binding_bucket(calls: &[Call]) -> (String, usize, f64) {
    let mut accepted: BTreeMap<&'static str, usize> = BTreeMap::new();
    for call in calls.iter().filter(|c| c.error.is_none()) {
        if let Some(bucket) = ec2_bucket(call) {
            *accepted.entry(bucket).or_insert(0) += 1;
        }
    }
    accepted
        .into_iter()
        .map(|(bucket, count)| {
            let (burst, refill) = default_bucket(bucket);
            (
                bucket.to_string(),
                count,
                ((count as f64 - burst) / refill).max(0.0),
            )
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .unwrap_or_else(|| ("none".into(), 0, 0.0))
}

fn throttled(calls: &[Call]) -> usize {
    calls
        .iter()
        .filter(|c| c.error.as_deref() == Some("RequestLimitExceeded"))
        .count()
}

async fn hub_mesh(vpcs: usize) -> Result<Measured, Error> {
    // Default pacing (no ec2_api_rate_limits), short transitions, throttling on.
    let mut world = HubWorld::seed(
        vpcs,
        "",
        json!({"delays": {
            "transit_gateway.pending": 0.2,
            "vpc_attachment.pending": 0.2,
            "dx_association.associating": 0.2,
        }}),
    )
    .await?;
    world
        .emulator
        .configure(json!({"throttle": {"enabled": true}}))
        .await?;
    world.emulator.clear_calls().await?;
    let config = world.config.clone();
    let applied = world.tf.apply(&config).await?;
    let calls = world.calls().await?;
    let wall = applied
        .durations
        .get(HUB)
        .ok_or("the hub was not applied")?
        .as_secs_f64();
    let (bucket, count, minimum) = binding_bucket(&calls);
    let (vpc_routes, _) = world.route_counts();
    Ok(Measured {
        workload: format!("hub, {vpcs} VPCs in full mesh ({vpc_routes} VPC routes)"),
        wall,
        bucket,
        calls: count,
        minimum,
        settle: 0.0,
        throttled: throttled(&calls),
        user_errors: applied.errors().len(),
        all_calls: calls.len(),
    })
}

async fn client_vpn_rules(groups: usize, networks: usize) -> Result<Measured, Error> {
    let site = ClientVpnSite::seed().await?;
    site.emulator
        .configure(json!({
            "throttle": {"enabled": true},
            "concurrent_mutation_limit": 10,
            "delays": {"client_vpn_rule.authorizing": AUTHORIZING},
        }))
        .await?;
    site.emulator.clear_calls().await?;
    let mut tf = site.terraform();
    let applied = tf.apply(&site.config(groups, networks)).await?;
    let calls = site.emulator.calls(OWNER).await?;
    let wall = applied
        .durations
        .get(ACCESS)
        .ok_or("the access resource was not applied")?
        .as_secs_f64();
    let (bucket, count, minimum) = binding_bucket(&calls);
    let concurrent = calls
        .iter()
        .filter(|c| c.error.as_deref() == Some("ConcurrentMutationLimitExceeded"))
        .count();
    Ok(Measured {
        workload: format!(
            "Client VPN, {} authorization rules ({concurrent} ConcurrentMutationLimitExceeded)",
            groups * networks
        ),
        wall,
        bucket,
        calls: count,
        minimum,
        settle: AUTHORIZING,
        throttled: throttled(&calls),
        user_errors: applied.errors().len(),
        all_calls: calls.len(),
    })
}
