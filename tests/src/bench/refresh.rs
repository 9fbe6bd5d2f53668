//! Suite 2, refresh cost: the AWS calls of a no-op plan (configure + refresh + plan) for a hub of
//! N VPC attachments in full mesh with a Direct Connect data center and a RAM share, counted by
//! the emulator, beside the calls the same hub costs as raw hashicorp/aws resources (computed:
//! [`RawHub::refresh_calls`]). Also the calls and wall time of creating each hub.
//!
//! The hubs are created through the provider with `ec2_api_rate_limits` raised (and the
//! emulator not throttling): what is measured here is calls, not pacing, and a 100-VPC mesh
//! (10,100 mutating calls) at AWS's default 5 per second would take 34 minutes.

use std::time::Instant;

use serde_json::json;

use super::Table;
use super::fixture::{DATA_CENTER_CIDRS, HubWorld, SHARED_WITH, count_by_action, unpaced};
use super::raw_aws::RawHub;
use crate::process::Error;

pub const SIZES: [usize; 4] = [5, 20, 50, 100];

/// One hub measured.
#[derive(Clone, Debug)]
pub struct Measured {
    pub vpcs: usize,
    pub routes: usize,
    pub no_op_calls: usize,
    pub no_op_by_action: String,
    pub raw_no_op_calls: usize,
    pub create_calls: usize,
    pub create_mutating: usize,
    pub create_seconds: f64,
}

pub async fn run(sizes: &[usize]) -> Result<(Table, Vec<Measured>), Error> {
    let mut table = Table::new(
        "refresh",
        &[
            "VPCs",
            "routes managed",
            "no-op plan calls (ours)",
            "no-op plan calls (raw hashicorp/aws)",
            "ratio",
            "create calls (ours)",
            "of which mutating",
            "create wall s (unpaced)",
            "no-op plan calls by action (ours)",
        ],
    );
    let mut measured = Vec::new();
    for &n in sizes {
        let m = measure(n).await?;
        table.row(vec![
            m.vpcs.to_string(),
            m.routes.to_string(),
            m.no_op_calls.to_string(),
            m.raw_no_op_calls.to_string(),
            format!("{:.0}×", m.raw_no_op_calls as f64 / m.no_op_calls as f64),
            m.create_calls.to_string(),
            m.create_mutating.to_string(),
            format!("{:.1}", m.create_seconds),
            m.no_op_by_action.clone(),
        ]);
        measured.push(m);
    }
    Ok((table, measured))
}

async fn measure(n: usize) -> Result<Measured, Error> {
    let mut world = HubWorld::seed(n, &unpaced(), json!({})).await?;
    world.emulator.clear_calls().await?;
    let started = Instant::now();
    world.apply().await?;
    let create_seconds = started.elapsed().as_secs_f64();
    let create = world.calls().await?;
    let create_calls = create.iter().filter(|c| c.error.is_none()).count();
    let create_mutating = create
        .iter()
        .filter(|c| c.error.is_none() && is_mutating(&c.action))
        .count();

    // The first refresh after a create also confirms the hub (one DeleteTags, once in its
    // life); the figure is the steady state after it.
    world.no_op_plan().await?;
    world.emulator.clear_calls().await?;
    world.no_op_plan().await?;
    let no_op = world.calls().await?;
    let by_action = count_by_action(&no_op);
    let no_op_calls: usize = by_action.values().sum();

    let (vpc_routes, hub_static_routes) = world.route_counts();
    if vpc_routes != n * (n - 1 + DATA_CENTER_CIDRS.len()) {
        return Err(format!("expected a full mesh, the state has {vpc_routes} VPC routes").into());
    }
    let raw = RawHub {
        vpcs: n,
        vpc_routes,
        hub_static_routes,
        principals: SHARED_WITH.len(),
        direct_connect: true,
    };
    Ok(Measured {
        vpcs: n,
        routes: vpc_routes + hub_static_routes,
        no_op_calls,
        no_op_by_action: by_action
            .iter()
            .map(|(a, c)| format!("{a} {c}"))
            .collect::<Vec<_>>()
            .join("; "),
        raw_no_op_calls: raw.refresh_calls(),
        create_calls,
        create_mutating,
        create_seconds,
    })
}

/// Calls that change something, in any service (EC2, RAM, Direct Connect).
pub fn is_mutating(action: &str) -> bool {
    !["Describe", "Get", "Search", "List"]
        .iter()
        .any(|p| action.starts_with(p))
}
