//! Changes in the order AWS needs them: removals first, dependants before what they depend
//! on (routes, then the data center, then attachments, then the share, then the Transit
//! Gateway), then creations in dependency order (gateway, share, attachments and data center,
//! hub route table, routes) and retagging last. Operations within a phase are independent
//! and run concurrently. Pure.
//!
//! The data center needs only the gateway, not the VPC attachments, so its association (tens
//! of minutes for Direct Connect on AWS) runs beside them instead of after them.

use super::diff::Change;
use crate::engine::OperationPlan;

/// One operation of the executor: a change, or a batched wait for several attachments (one
/// describe call per poll for all of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HubOp {
    Change(Change),
    /// Wait until every listed VPC's attachment is `available` (`gone = false`) or deleted.
    AwaitAttachments {
        vpc_ids: Vec<String>,
        gone: bool,
    },
}

/// Phase names, in execution order.
pub(crate) const PHASES: [&str; 13] = [
    "remove routes",
    "remove data center",
    "remove attachments",
    "await attachment deletion",
    "remove share principals",
    "delete transit gateway",
    "transit gateway",
    "resource share",
    "attachments and data center",
    "await attachments",
    "hub route table",
    "routes",
    "tags",
];

fn phase_of(change: &Change) -> usize {
    match change {
        Change::DeleteVpcRoute { .. } | Change::DeleteHubRoute { .. } => 0,
        Change::DeleteDirectConnect | Change::DeleteVpn => 1,
        Change::DeleteAttachment { .. } => 2,
        Change::RemovePrincipals(_) | Change::DeleteShare => 4,
        Change::DeleteTransitGateway => 5,
        Change::CreateTransitGateway(_) | Change::ModifyTransitGateway(_) => 6,
        Change::CreateShare { .. }
        | Change::UpdateShare { .. }
        | Change::AddPrincipals(_)
        | Change::ShareTransitGateway => 7,
        Change::CreateAttachment { .. }
        | Change::ModifyAttachment { .. }
        | Change::AwaitAttachment { .. }
        | Change::AcceptAttachment { .. }
        | Change::CreateDirectConnect { .. }
        | Change::UpdateDirectConnect { .. }
        | Change::CreateVpn { .. }
        | Change::AwaitDataCenter => 8,
        Change::Connect { .. } | Change::RouteToDataCenter { .. } => 10,
        Change::CreateVpcRoute { .. } | Change::TakeOverVpcRoute { .. } => 11,
        Change::Tag { .. } => 12,
    }
}

/// The operation plan for `changes`.
pub(crate) fn plan(changes: Vec<Change>) -> OperationPlan<HubOp> {
    let mut phases: Vec<Vec<HubOp>> = vec![Vec::new(); PHASES.len()];
    let mut deleted = Vec::new();
    let mut settling = Vec::new();
    for change in changes {
        match &change {
            Change::DeleteAttachment { vpc_id } => deleted.push(vpc_id.clone()),
            Change::CreateAttachment { vpc_id, .. } | Change::ModifyAttachment { vpc_id, .. } => {
                settling.push(vpc_id.clone())
            }
            Change::AwaitAttachment { vpc_id } => {
                settling.push(vpc_id.clone());
                continue;
            }
            _ => {}
        }
        phases[phase_of(&change)].push(HubOp::Change(change));
    }
    if !deleted.is_empty() {
        deleted.sort();
        phases[3].push(HubOp::AwaitAttachments {
            vpc_ids: deleted,
            gone: true,
        });
    }
    if !settling.is_empty() {
        settling.sort();
        settling.dedup();
        phases[9].push(HubOp::AwaitAttachments {
            vpc_ids: settling,
            gone: false,
        });
    }
    let mut plan = OperationPlan::default();
    for (name, operations) in PHASES.iter().zip(phases) {
        plan.then(name, operations);
    }
    plan
}
