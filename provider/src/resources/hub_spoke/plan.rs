//! The ordered operations that turn what exists (the record) into what is wanted: pure, so
//! the order and the contents of every apply are unit-tested without AWS.
//!
//! Joining comes first (nothing can be attached to a gateway the account cannot see), then the
//! attachment, then the wait until it is `available` (routes through an attachment the hub has
//! not accepted go nowhere), then the routes. A destroy runs the other way: routes, then the
//! attachment. The share acceptance is left in place: the spoke never touches the hub's objects.

#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::time::Duration;

use ipnet::IpNet;

use super::checks::{desired_routes, observed_routes};
use super::model::{Desired, Tags, fingerprint};
use super::observe::Spoke;
use crate::engine::OperationPlan;
use crate::framework::tags::UNCONFIRMED_TAG;
use crate::netplan::mesh::route_conflicts;

/// One step of an apply; each carries what it needs, as the executor sees only the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Accept the share's invitation if there is one, and wait until the gateway is visible.
    Join {
        share_arn: Option<String>,
        timeout: Duration,
    },
    /// Create the attachment, marked unconfirmed with this fingerprint.
    CreateAttachment {
        subnet_ids: BTreeSet<String>,
        tags: Tags,
    },
    ModifySubnets {
        add: BTreeSet<String>,
        remove: BTreeSet<String>,
    },
    Retag {
        set: Tags,
        remove: BTreeSet<String>,
    },
    /// Wait until the attachment is `available`, through `pendingAcceptance`.
    AwaitAttachment {
        timeout: Duration,
    },
    CreateRoute {
        table: String,
        destination: IpNet,
    },
    DeleteRoute {
        table: String,
        destination: IpNet,
    },
    DeleteAttachment,
}

/// The operations from `record` to `desired` (`None`: destroy).
pub(crate) fn operations(desired: Option<&Desired>, record: &Spoke) -> OperationPlan<Op> {
    let mut plan = OperationPlan::default();
    let Some(desired) = desired else {
        plan.then(
            "delete routes",
            route_changes(&BTreeSet::new(), &BTreeSet::new(), record),
        );
        if record.attachment.is_some() {
            plan.then("delete the attachment", vec![Op::DeleteAttachment]);
        }
        return plan;
    };
    if record.tgw.is_none() {
        plan.then(
            "join the hub",
            vec![Op::Join {
                share_arn: desired.share_arn.clone(),
                timeout: desired.visibility_timeout,
            }],
        );
    }
    let mut attachment = Vec::new();
    match &record.attachment {
        None => {
            let mut tags = desired.tags.clone();
            tags.insert(
                UNCONFIRMED_TAG.into(),
                fingerprint(&desired.tgw_id, &desired.vpc_id),
            );
            attachment.push(Op::CreateAttachment {
                subnet_ids: desired.subnet_ids.clone(),
                tags,
            });
        }
        Some(existing) => {
            let add: BTreeSet<String> = desired
                .subnet_ids
                .difference(&existing.subnet_ids)
                .cloned()
                .collect();
            let remove: BTreeSet<String> = existing
                .subnet_ids
                .difference(&desired.subnet_ids)
                .cloned()
                .collect();
            if !add.is_empty() || !remove.is_empty() {
                attachment.push(Op::ModifySubnets { add, remove });
            }
            let set: Tags = desired
                .tags
                .iter()
                .filter(|(k, v)| existing.tags.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            // The marker is the read's to remove, never an apply's (which could die unsaved).
            let remove: BTreeSet<String> = existing
                .tags
                .keys()
                .filter(|k| !desired.tags.contains_key(*k) && k.as_str() != UNCONFIRMED_TAG)
                .cloned()
                .collect();
            if !set.is_empty() || !remove.is_empty() {
                attachment.push(Op::Retag { set, remove });
            }
        }
    }
    let settled = record
        .attachment
        .as_ref()
        .is_some_and(|a| a.state == "available");
    let reshaped = attachment.iter().any(|op| !matches!(op, Op::Retag { .. }));
    plan.then("the attachment", attachment);
    if !settled || reshaped {
        plan.then(
            "wait for the attachment",
            vec![Op::AwaitAttachment {
                timeout: desired.acceptance_timeout,
            }],
        );
    }
    plan.then(
        "routes",
        route_changes(&desired.route_tables, &desired.hub_cidrs, record),
    );
    plan
}

/// Deletes of the routes to the gateway that are not wanted, then creates of the missing
/// ones (a destination taken by another target is the checks' error, never created here).
fn route_changes(tables: &BTreeSet<String>, hub: &BTreeSet<IpNet>, record: &Spoke) -> Vec<Op> {
    let routes = route_conflicts(
        &desired_routes(tables, hub),
        &observed_routes(record),
        &record.tgw_id,
    );
    let deletes = routes.stale.into_iter().map(|r| Op::DeleteRoute {
        table: r.route_table,
        destination: r.destination,
    });
    let creates = routes.missing.into_iter().map(|r| Op::CreateRoute {
        table: r.route_table,
        destination: r.destination,
    });
    deletes.chain(creates).collect()
}

/// A sentence naming what an operation tried, for its failure's summary.
pub(crate) fn describe(op: &Op, record: &Spoke) -> String {
    let attachment = record
        .attachment
        .as_ref()
        .map_or("the attachment".to_string(), |a| {
            format!("attachment {}", a.id)
        });
    match op {
        Op::Join { .. } => format!("Joining the hub's Transit Gateway {} failed", record.tgw_id),
        Op::CreateAttachment { .. } => format!(
            "Attaching {} to the Transit Gateway {} failed",
            record.vpc_id, record.tgw_id
        ),
        Op::ModifySubnets { .. } => format!("Changing the subnets of {attachment} failed"),
        Op::Retag { .. } => format!("Tagging {attachment} failed"),
        Op::AwaitAttachment { .. } => format!("Waiting for {attachment} to be available failed"),
        Op::CreateRoute { table, destination } => format!(
            "Creating the route {destination} → {} in {table} failed",
            record.tgw_id
        ),
        Op::DeleteRoute { table, destination } => {
            format!("Deleting the route {destination} in {table} failed")
        }
        Op::DeleteAttachment => format!("Deleting {attachment} failed"),
    }
}

/// The operations' names in order, for tests and logs.
#[cfg(test)]
fn names(plan: &OperationPlan<Op>) -> Vec<String> {
    plan.operations()
        .map(|op| match op {
            Op::Join { .. } => "join".to_string(),
            Op::CreateAttachment { .. } => "create".to_string(),
            Op::ModifySubnets { .. } => "modify".to_string(),
            Op::Retag { .. } => "retag".to_string(),
            Op::AwaitAttachment { .. } => "await".to_string(),
            Op::CreateRoute { table, destination } => format!("+{table}:{destination}"),
            Op::DeleteRoute { table, destination } => format!("-{table}:{destination}"),
            Op::DeleteAttachment => "delete".to_string(),
        })
        .collect()
}

/// Routes by table, as a record holds them, for tests.
#[cfg(test)]
fn with_routes(record: &mut Spoke, routes: &[(&str, &str, &str)]) {
    use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
    let mut tables: BTreeMap<String, RouteTable> = BTreeMap::new();
    for (table, destination, target) in routes {
        tables
            .entry(table.to_string())
            .or_insert_with(|| RouteTable {
                id: table.to_string(),
                vpc_id: record.vpc_id.clone(),
                routes: Vec::new(),
            })
            .routes
            .push(VpcRoute {
                destination: destination.to_string(),
                target: target.to_string(),
                state: "active".into(),
            });
    }
    record.tables = tables;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::attachment::VpcAttachment;
    use crate::aws::ec2::transit_gateway::TransitGateway;
    use proptest::prelude::*;

    fn desired(tables: &[&str], hub: &[&str]) -> Desired {
        Desired {
            tgw_id: "tgw-1".into(),
            share_arn: None,
            vpc_id: "vpc-1".into(),
            subnet_ids: BTreeSet::from(["subnet-1".to_string()]),
            route_tables: tables.iter().map(|t| t.to_string()).collect(),
            hub_cidrs: hub.iter().map(|c| c.parse().unwrap()).collect(),
            tags: Tags::from([("migration:owner".to_string(), "tgw-1".to_string())]),
            visibility_timeout: Duration::from_secs(60),
            acceptance_timeout: Duration::from_secs(60),
            take_over: false,
        }
    }

    fn gateway() -> TransitGateway {
        TransitGateway {
            id: "tgw-1".into(),
            arn: "arn:aws:ec2:us-east-1:111122223333:transit-gateway/tgw-1".into(),
            owner_id: "111122223333".into(),
            state: "available".into(),
            description: None,
            amazon_side_asn: 64512,
            auto_accept_shared_attachments: false,
            dns_support: true,
            vpn_ecmp_support: true,
            cidr_blocks: BTreeSet::new(),
            association_default_route_table_id: None,
            propagation_default_route_table_id: None,
            tags: Tags::new(),
        }
    }

    fn attachment(state: &str) -> VpcAttachment {
        VpcAttachment {
            id: "tgw-attach-1".into(),
            transit_gateway_id: "tgw-1".into(),
            vpc_id: "vpc-1".into(),
            vpc_owner_id: "222233334444".into(),
            state: state.into(),
            subnet_ids: BTreeSet::from(["subnet-1".to_string()]),
            appliance_mode_support: false,
            dns_support: true,
            tags: Tags::from([
                ("migration:owner".to_string(), "tgw-1".to_string()),
                (UNCONFIRMED_TAG.to_string(), "f".to_string()),
            ]),
            associated_route_table: None,
        }
    }

    fn record() -> Spoke {
        Spoke {
            tgw_id: "tgw-1".into(),
            vpc_id: "vpc-1".into(),
            ..Spoke::default()
        }
    }

    #[test]
    fn a_create_joins_attaches_waits_then_routes() {
        let plan = operations(
            Some(&desired(&["rtb-1"], &["10.1.0.0/16", "10.2.0.0/16"])),
            &record(),
        );
        assert_eq!(
            names(&plan),
            [
                "join",
                "create",
                "await",
                "+rtb-1:10.1.0.0/16",
                "+rtb-1:10.2.0.0/16"
            ]
        );
        let Some(Op::CreateAttachment { tags, .. }) = plan.operations().nth(1) else {
            panic!("{plan:?}")
        };
        assert_eq!(tags[UNCONFIRMED_TAG], fingerprint("tgw-1", "vpc-1"));
    }

    #[test]
    fn a_pending_acceptance_attachment_is_waited_for_never_taken_as_done() {
        let mut spoke = record();
        spoke.tgw = Some(gateway());
        spoke.attachment = Some(attachment("pendingAcceptance"));
        let plan = operations(Some(&desired(&[], &[])), &spoke);
        assert_eq!(names(&plan), ["await"]);
        spoke.attachment = Some(attachment("available"));
        assert!(operations(Some(&desired(&[], &[])), &spoke).is_empty());
    }

    #[test]
    fn the_unconfirmed_marker_is_never_removed_by_an_apply() {
        let mut spoke = record();
        spoke.tgw = Some(gateway());
        spoke.attachment = Some(attachment("available"));
        spoke
            .attachment
            .as_mut()
            .unwrap()
            .tags
            .insert("old".into(), "x".into());
        let plan = operations(Some(&desired(&[], &[])), &spoke);
        assert_eq!(
            plan.operations().collect::<Vec<_>>(),
            [&Op::Retag {
                set: Tags::new(),
                remove: BTreeSet::from(["old".to_string()])
            }]
        );
    }

    #[test]
    fn routes_elsewhere_are_left_alone_and_a_destroy_removes_only_routes_to_the_gateway() {
        let mut spoke = record();
        spoke.tgw = Some(gateway());
        spoke.attachment = Some(attachment("available"));
        with_routes(
            &mut spoke,
            &[
                ("rtb-1", "10.1.0.0/16", "tgw-1"),
                ("rtb-1", "10.9.0.0/16", "tgw-1"),
                ("rtb-1", "0.0.0.0/0", "igw-1"),
                ("rtb-1", "10.3.0.0/16", "pcx-1"),
            ],
        );
        let plan = operations(
            Some(&desired(&["rtb-1"], &["10.1.0.0/16", "10.2.0.0/16"])),
            &spoke,
        );
        assert_eq!(names(&plan), ["-rtb-1:10.9.0.0/16", "+rtb-1:10.2.0.0/16"]);
        let plan = operations(None, &spoke);
        assert_eq!(
            names(&plan),
            ["-rtb-1:10.1.0.0/16", "-rtb-1:10.9.0.0/16", "delete"]
        );
    }

    proptest! {
        /// Applying the plan's route operations to the record's routes gives exactly the
        /// desired routes through the gateway, and leaves every other route as it was.
        #[test]
        fn route_operations_reach_the_desired_routes(
            wanted in proptest::collection::btree_set((0u8..3, 0u8..6), 0..10),
            existing in proptest::collection::btree_set((0u8..3, 0u8..6, 0u8..3), 0..12),
        ) {
            let target = |t: u8| ["tgw-1", "pcx-1", "igw-1"][t as usize].to_string();
            let cidr = |c: u8| format!("10.{c}.0.0/16");
            // One route per (table, destination), as AWS allows.
            let mut seen = BTreeSet::new();
            let existing: Vec<(String, String, String)> = existing
                .into_iter()
                .filter(|(t, c, _)| seen.insert((*t, *c)))
                .map(|(t, c, x)| (format!("rtb-{t}"), cidr(c), target(x)))
                .collect();
            let mut spoke = record();
            spoke.tgw = Some(gateway());
            spoke.attachment = Some(attachment("available"));
            let borrowed: Vec<(&str, &str, &str)> =
                existing.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            with_routes(&mut spoke, &borrowed);
            let tables: BTreeSet<String> = wanted.iter().map(|(t, _)| format!("rtb-{t}")).collect();
            let hub: BTreeSet<String> = wanted.iter().map(|(_, c)| cidr(*c)).collect();
            let want = desired(
                &tables.iter().map(String::as_str).collect::<Vec<_>>(),
                &hub.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            let mut routes: BTreeMap<(String, String), String> = existing
                .iter()
                .map(|(t, c, x)| ((t.clone(), c.clone()), x.clone()))
                .collect();
            for op in operations(Some(&want), &spoke).operations() {
                match op {
                    Op::CreateRoute { table, destination } => {
                        let previous = routes.insert((table.clone(), destination.to_string()), "tgw-1".into());
                        prop_assert!(previous.is_none(), "created over {previous:?}");
                    }
                    Op::DeleteRoute { table, destination } => {
                        let removed = routes.remove(&(table.clone(), destination.to_string()));
                        prop_assert_eq!(removed.as_deref(), Some("tgw-1"));
                    }
                    other => prop_assert!(false, "unexpected {other:?}"),
                }
            }
            for table in &want.route_tables {
                for destination in &want.hub_cidrs {
                    let key = (table.clone(), destination.to_string());
                    let before = existing.iter().find(|(t, c, _)| (t, c) == (&key.0, &key.1));
                    match before {
                        Some((_, _, other)) if other != "tgw-1" => prop_assert_eq!(&routes[&key], other),
                        _ => prop_assert_eq!(routes.get(&key).map(String::as_str), Some("tgw-1")),
                    }
                }
            }
            for ((table, destination), target) in &routes {
                if target == "tgw-1" {
                    prop_assert!(want.route_tables.contains(table));
                    prop_assert!(want.hub_cidrs.contains(&destination.parse::<IpNet>().unwrap()));
                }
            }
        }
    }
}
