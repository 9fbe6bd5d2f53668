//! Plan-time checks against what the spoke account can see, and the same checks at apply with
//! every value known: the gateway is shared with this account (or an invitation to it waits),
//! the VPC's CIDRs overlap none of the hub's networks, the attachment's subnets are in the VPC
//! and in distinct zones, and no route table already routes a hub network elsewhere. What the
//! spoke account cannot read (the hub's side) is checked at apply, and the plan says so.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use ipnet::IpNet;

use super::model::Config;
use super::observe::{Scope, Spoke, surroundings_from};
use crate::aws::call::Aws;
use crate::aws::errors::ErrorClass;
use crate::aws::ram::Invitation;
use crate::aws::retry::OpError;
use crate::framework::resource::Stage;
use crate::framework::typed::Maybe;
use crate::netplan::mesh::{ObservedRoute, Route, route_conflicts};
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;

/// What the checks read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    /// The gateway (if visible), VPC, subnets and route tables, as far as they are known.
    pub spoke: Spoke,
    /// The account the provider acts as, for messages.
    pub account_id: Option<String>,
    /// At plan, when the gateway is not visible: the invitations of this account (to the
    /// configured share, or all), or why they could not be listed.
    pub invitations: Option<Result<Vec<Invitation>, String>>,
    /// The attachment whose owner the ownership check looks at: this spoke's own, or the one a
    /// create would start from ([`super::observe::attachment_to_own`]).
    pub attachment: Option<crate::aws::ec2::attachment::VpcAttachment>,
}

/// How long a plan waits, when the gateway is not visible and no invitation to the share named in
/// `resource_share_arn` has arrived, before it calls the gateway unshared. RAM delivers the
/// invitation (or associates an Organization share) seconds after the hub shares, and in one
/// configuration holding both sides Terraform plans the spoke again right after the hub's apply
/// made the share: without this grace the spoke fails on a share that is on its way. A gateway
/// really not shared costs this long before its error; one whose share has arrived costs
/// nothing.
const SHARE_DELIVERY_GRACE: Duration = Duration::from_secs(30);
const SHARE_DELIVERY_POLL: Duration = Duration::from_secs(2);

/// Reads the facts at plan: what the configuration names and is known, starting from
/// `refreshed` (the refresh of this spoke moments ago in this process, if any).
pub(crate) async fn at_plan(
    aws: &Aws<'_>,
    account_id: Option<String>,
    config: &Config,
    refreshed: Option<&Spoke>,
) -> Result<Facts, OpError> {
    let (Maybe::Known(tgw_id), Maybe::Known(vpc_id)) = (&config.transit_gateway_id, &config.vpc_id)
    else {
        return Ok(Facts {
            account_id,
            ..Facts::default()
        });
    };
    let scope = Scope {
        tgw_id: tgw_id.clone(),
        vpc_id: vpc_id.clone(),
        route_tables: config.route_tables().known().cloned().unwrap_or_default(),
        ..Scope::default()
    };
    let mut spoke = surroundings_from(aws, &scope, refreshed).await?;
    let share = config.resource_share_arn.known().cloned().flatten();
    let mut invitations = None;
    let started = Instant::now();
    while spoke.tgw.is_none() {
        let found = match aws.share_invitations(share.as_deref()).await {
            Ok(found) => Ok(found),
            Err(OpError::Aws(e)) if e.class == ErrorClass::AccessDenied => Err(e.to_string()),
            Err(other) => return Err(other),
        };
        // Only "a named share, and no sign of it at all" waits for RAM to deliver it.
        let undelivered = share.is_some() && matches!(&found, Ok(list) if list.is_empty());
        invitations = Some(found);
        if !undelivered || started.elapsed() >= SHARE_DELIVERY_GRACE {
            break;
        }
        tracing::info!(
            share = share.as_deref().unwrap_or_default(),
            transit_gateway = scope.tgw_id.as_str(),
            "the gateway is not visible and no invitation to the share has arrived yet; \
             waiting for RAM to deliver it"
        );
        tokio::select! {
            () = aws.budget.cancel.cancelled() => break,
            () = tokio::time::sleep(SHARE_DELIVERY_POLL) => {}
        }
        spoke.tgw = aws.find_transit_gateway(&scope.tgw_id).await?;
        if spoke.tgw.is_some() {
            invitations = None;
        }
    }
    Ok(Facts {
        spoke,
        account_id,
        invitations,
        attachment: None,
    })
}

/// Every check, each error on the attribute at fault.
pub(crate) fn check(config: &Config, facts: &Facts, stage: Stage) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let spoke = &facts.spoke;
    if let Some(invitations) = &facts.invitations {
        shared(config, facts, invitations, &mut diagnostics);
    }
    if let (Some(tgw), Stage::Plan) = (&spoke.tgw, stage)
        && !tgw.auto_accept_shared_attachments
        && spoke.attachment.is_none()
    {
        diagnostics.warning_at(
            Path::root().attr("transit_gateway_id"),
            "The hub must accept this attachment",
            format!(
                "{} does not accept shared attachments automatically, so the attachment \
                     waits in pendingAcceptance until the hub account ({}) accepts it. The \
                     apply waits for that (acceptance_timeout) and fails if it does not come.",
                tgw.id, tgw.owner_id
            ),
        );
    }
    let Maybe::Known(vpc_id) = &config.vpc_id else {
        return diagnostics;
    };
    if spoke.tgw_id.is_empty() {
        return diagnostics;
    }
    let Some(vpc) = &spoke.vpc else {
        diagnostics.error_at(
            Path::root().attr("vpc_id"),
            "VPC not found",
            format!(
                "{vpc_id} does not exist in this account ({}) and Region. The spoke VPC must \
                 belong to the account of this provider configuration.",
                facts.account_id.as_deref().unwrap_or("unknown")
            ),
        );
        return diagnostics;
    };
    if let Maybe::Known(hub) = config.hub_cidrs() {
        for (vpc_cidr, hub_cidr) in overlaps(&vpc.cidr_blocks, &hub) {
            diagnostics.error_at(
                Path::root().attr("hub_cidr_blocks"),
                "Spoke network overlaps the hub",
                format!(
                    "The hub network {hub_cidr} overlaps {vpc_cidr} of the spoke VPC {vpc_id}. \
                     Traffic to the shared range would stay in the VPC (its local route wins), \
                     so the hub could not be reached there. Give the spoke a range the hub does \
                     not use, or remove {hub_cidr} from hub_cidr_blocks."
                ),
            );
        }
    }
    match &config.subnet_ids {
        Maybe::Known(Some(given)) => subnets(given, spoke, vpc_id, &mut diagnostics),
        Maybe::Known(None) if spoke.subnets.is_empty() => diagnostics.error_at(
            Path::root().attr("vpc_id"),
            "No subnets to attach",
            format!(
                "{vpc_id} has no subnets; the attachment needs one per Availability Zone it \
                 serves. Create them, or name them in subnet_ids."
            ),
        ),
        _ => {}
    }
    if let (Maybe::Known(tables), Maybe::Known(hub)) = (config.route_tables(), config.hub_cidrs()) {
        routes(&tables, &hub, spoke, vpc_id, &mut diagnostics);
    }
    diagnostics
}

/// The gateway is not visible to this account: is an invitation waiting, or is it not shared?
fn shared(
    config: &Config,
    facts: &Facts,
    invitations: &Result<Vec<Invitation>, String>,
    diagnostics: &mut Diagnostics,
) {
    let tgw_id = &facts.spoke.tgw_id;
    let account = facts.account_id.as_deref().unwrap_or("this account");
    let share = config.resource_share_arn.known().cloned().flatten();
    let path = Path::root().attr("transit_gateway_id");
    let invitations = match invitations {
        Ok(found) => found,
        Err(denied) => {
            diagnostics.warning_at(
                path,
                "Share checked at apply",
                format!(
                    "{tgw_id} is not visible to {account} yet, and its RAM invitations cannot \
                     be listed ({denied}). The apply waits for the gateway to become visible \
                     (share_visibility_timeout), which is all an Organization share needs."
                ),
            );
            return;
        }
    };
    let pending: Vec<&Invitation> = invitations
        .iter()
        .filter(|i| i.status == "PENDING")
        .collect();
    let accepted = invitations.iter().any(|i| i.status == "ACCEPTED");
    match (&share, pending.first()) {
        (Some(_), Some(invitation)) => diagnostics.warning_at(
            path,
            "Share invitation to accept",
            format!(
                "{tgw_id} is not visible to {account} until the invitation {} (share {:?} from \
                 account {}) is accepted; the apply accepts it, then waits for the gateway. \
                 Checks of the gateway itself run at apply.",
                invitation.arn, invitation.share_name, invitation.sender_account_id
            ),
        ),
        (None, Some(_)) => diagnostics.error_at(
            Path::root().attr("resource_share_arn"),
            "Which share to accept?",
            format!(
                "{tgw_id} is not visible to {account}, and the account has pending RAM \
                 invitations ({}), but an invitation does not say which Transit Gateway its \
                 share holds. Set resource_share_arn to the hub's share (the \
                 resource_share_arn output of migration_hub_network) so that the spoke \
                 accepts that one.",
                pending
                    .iter()
                    .map(|i| format!("{} from account {}", i.share_arn, i.sender_account_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (_, None) if accepted => diagnostics.warning_at(
            path,
            "Share still propagating",
            format!(
                "The share was accepted but {tgw_id} is not visible to {account} yet (RAM \
                 propagates shares in seconds to minutes); the apply waits for it."
            ),
        ),
        (_, None) => diagnostics.error_at(
            path,
            "Transit Gateway not shared with this account",
            format!(
                "{tgw_id} is not visible to {account}, and no RAM invitation to {} is pending{}. \
                 Share it from the hub account (add {account} to share_with of the \
                 migration_hub_network, or share with the Organization), check the id and the \
                 Region, or check that this provider configuration acts as the spoke account.",
                share.as_deref().unwrap_or("a share"),
                if share.is_some() {
                    format!(
                        " (the plan waited {} s for RAM to deliver it)",
                        SHARE_DELIVERY_GRACE.as_secs()
                    )
                } else {
                    String::new()
                }
            ),
        ),
    }
}

/// Every (spoke CIDR, hub CIDR) pair that overlaps.
pub(crate) fn overlaps(vpc: &BTreeSet<String>, hub: &BTreeSet<IpNet>) -> Vec<(String, IpNet)> {
    let mut found = Vec::new();
    for cidr in vpc {
        let Ok(net) = cidr.parse::<IpNet>() else {
            continue;
        };
        for other in hub {
            if net.contains(other) || other.contains(&net) {
                found.push((cidr.clone(), *other));
            }
        }
    }
    found
}

fn subnets(given: &BTreeSet<String>, spoke: &Spoke, vpc_id: &str, diagnostics: &mut Diagnostics) {
    let path = Path::root().attr("subnet_ids");
    let mut by_zone: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for id in given {
        match spoke.subnets.get(id) {
            Some(subnet) => by_zone.entry(subnet.zone_id()).or_default().push(id),
            None => diagnostics.error_at(
                path.clone(),
                "Subnet not in the VPC",
                format!("{id} is not a subnet of {vpc_id} (or does not exist in this account)."),
            ),
        }
    }
    for (zone, ids) in by_zone.iter().filter(|(_, ids)| ids.len() > 1) {
        diagnostics.error_at(
            path.clone(),
            "Two subnets in one Availability Zone",
            format!(
                "{} are all in the Availability Zone {zone}; an attachment takes one subnet per \
                 zone (AWS refuses more). Keep one of them.",
                ids.join(" and ")
            ),
        );
    }
}

fn routes(
    tables: &BTreeSet<String>,
    hub: &BTreeSet<IpNet>,
    spoke: &Spoke,
    vpc_id: &str,
    diagnostics: &mut Diagnostics,
) {
    let path = Path::root().attr("route_table_ids");
    for id in tables {
        match spoke.tables.get(id) {
            None => diagnostics.error_at(
                path.clone(),
                "Route table not found",
                format!("{id} does not exist in this account and Region."),
            ),
            Some(table) if table.vpc_id != vpc_id => diagnostics.error_at(
                path.clone(),
                "Route table of another VPC",
                format!(
                    "{id} belongs to {}, not to the spoke VPC {vpc_id}.",
                    table.vpc_id
                ),
            ),
            Some(_) => {}
        }
    }
    let plan = route_conflicts(
        &desired_routes(tables, hub),
        &observed_routes(spoke),
        &spoke.tgw_id,
    );
    for conflict in plan.conflicting {
        diagnostics.error_at(
            path.clone(),
            "Route in the way",
            format!(
                "Route table {} already routes {} to {}, so a route to the hub through {} \
                 would fail (RouteAlreadyExists). Remove or re-target that route, or remove \
                 {} from hub_cidr_blocks.",
                conflict.route.route_table,
                conflict.route.destination,
                conflict.existing_target,
                spoke.tgw_id,
                conflict.route.destination
            ),
        );
    }
}

/// Every route the spoke wants: each table to each hub network.
pub(crate) fn desired_routes(tables: &BTreeSet<String>, hub: &BTreeSet<IpNet>) -> Vec<Route> {
    tables
        .iter()
        .flat_map(|table| {
            hub.iter().map(move |cidr| Route {
                route_table: table.clone(),
                destination: *cidr,
            })
        })
        .collect()
}

/// The routes the tables hold, as the route classification takes them.
pub(crate) fn observed_routes(spoke: &Spoke) -> Vec<ObservedRoute> {
    let mut routes: Vec<ObservedRoute> = spoke
        .tables
        .values()
        .flat_map(|table| {
            table.routes.iter().filter_map(|r| {
                Some(ObservedRoute {
                    route_table: table.id.clone(),
                    destination: r.destination.parse().ok()?,
                    target: r.target.clone(),
                })
            })
        })
        .collect();
    routes.sort();
    routes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
    use crate::aws::ec2::subnet::Subnet;
    use crate::aws::ec2::vpc::Vpc;
    use crate::framework::typed::FromValue;
    use crate::protocol::cty::Value;
    use crate::protocol::diagnostics::Severity;
    use crate::resources::hub_spoke::model::tests::config_value;

    fn config(changes: &[(&str, Value)]) -> Config {
        Config::from_value(&config_value(changes)).unwrap()
    }

    fn subnet(id: &str, zone_id: &str) -> (String, Subnet) {
        (
            id.to_string(),
            Subnet {
                id: id.into(),
                vpc_id: "vpc-1".into(),
                availability_zone: "eu-west-1a".into(),
                availability_zone_id: Some(zone_id.into()),
            },
        )
    }

    /// The spoke VPC 10.50.0.0/16 with subnets in two zones and one route table, the gateway
    /// not visible.
    fn facts(routes: &[(&str, &str)]) -> Facts {
        Facts {
            spoke: Spoke {
                tgw_id: "tgw-1".into(),
                vpc_id: "vpc-1".into(),
                vpc: Some(Vpc {
                    id: "vpc-1".into(),
                    owner_id: "222233334444".into(),
                    cidr_blocks: BTreeSet::from(["10.50.0.0/16".to_string()]),
                }),
                subnets: BTreeMap::from([
                    subnet("subnet-1", "az1"),
                    subnet("subnet-2", "az2"),
                    subnet("subnet-3", "az1"),
                ]),
                tables: BTreeMap::from([(
                    "rtb-1".to_string(),
                    RouteTable {
                        id: "rtb-1".into(),
                        vpc_id: "vpc-1".into(),
                        routes: routes
                            .iter()
                            .map(|(d, t)| VpcRoute {
                                destination: d.to_string(),
                                target: t.to_string(),
                                state: "active".into(),
                            })
                            .collect(),
                    },
                )]),
                ..Spoke::default()
            },
            account_id: Some("222233334444".into()),
            invitations: None,
            attachment: None,
        }
    }

    fn errors(diagnostics: &Diagnostics) -> Vec<(String, String, String)> {
        diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                (
                    d.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    d.summary.clone(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    fn invitation(status: &str) -> Invitation {
        Invitation {
            arn: "arn:aws:ram:eu-west-1:111122223333:resource-share-invitation/i-1".into(),
            share_arn: "arn:aws:ram:eu-west-1:111122223333:resource-share/s-1".into(),
            share_name: "hub".into(),
            sender_account_id: "111122223333".into(),
            status: status.into(),
        }
    }

    #[test]
    fn a_clean_spoke_passes() {
        assert!(errors(&check(&config(&[]), &facts(&[]), Stage::Plan)).is_empty());
    }

    #[test]
    fn a_route_in_the_way_names_the_table_the_destination_and_the_other_target() {
        let found = errors(&check(
            &config(&[]),
            &facts(&[("10.1.0.0/16", "pcx-9")]),
            Stage::Plan,
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        let (path, summary, detail) = &found[0];
        assert_eq!(
            (path.as_str(), summary.as_str()),
            ("route_table_ids", "Route in the way")
        );
        for part in ["rtb-1", "10.1.0.0/16", "pcx-9"] {
            assert!(detail.contains(part), "{detail}");
        }
        // A route already through the gateway is the spoke's own, not a conflict.
        assert!(
            errors(&check(
                &config(&[]),
                &facts(&[("10.1.0.0/16", "tgw-1")]),
                Stage::Plan
            ))
            .is_empty()
        );
    }

    #[test]
    fn overlaps_with_the_hub_are_errors_both_ways() {
        for hub in ["10.50.1.0/24", "10.0.0.0/8", "10.50.0.0/16"] {
            let found = errors(&check(
                &config(&[("hub_cidr_blocks", Value::Set(vec![Value::string(hub)]))]),
                &facts(&[]),
                Stage::Apply,
            ));
            assert_eq!(found.len(), 1, "{hub}: {found:?}");
            assert_eq!(found[0].0, "hub_cidr_blocks");
            assert!(found[0].2.contains(hub) && found[0].2.contains("10.50.0.0/16"));
        }
    }

    #[test]
    fn given_subnets_must_be_in_the_vpc_and_in_distinct_zones() {
        let given = |ids: &[&str]| {
            config(&[(
                "subnet_ids",
                Value::Set(ids.iter().map(|i| Value::string(*i)).collect()),
            )])
        };
        assert!(
            errors(&check(
                &given(&["subnet-1", "subnet-2"]),
                &facts(&[]),
                Stage::Plan
            ))
            .is_empty()
        );
        let found = errors(&check(
            &given(&["subnet-1", "subnet-3"]),
            &facts(&[]),
            Stage::Plan,
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "Two subnets in one Availability Zone");
        assert!(found[0].2.contains("az1"));
        let found = errors(&check(&given(&["subnet-9"]), &facts(&[]), Stage::Plan));
        assert_eq!(found[0].1, "Subnet not in the VPC");
    }

    #[test]
    fn the_share_is_checked_as_far_as_the_spoke_account_can_see() {
        let with_share = config(&[(
            "resource_share_arn",
            Value::string("arn:aws:ram:eu-west-1:111122223333:resource-share/s-1"),
        )]);
        let mut facts = facts(&[]);
        // Not shared at all: an error on transit_gateway_id naming the account.
        facts.invitations = Some(Ok(Vec::new()));
        let found = errors(&check(&with_share, &facts, Stage::Plan));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "transit_gateway_id");
        assert!(found[0].2.contains("222233334444"), "{}", found[0].2);
        // An invitation waits: a warning, the apply accepts it.
        facts.invitations = Some(Ok(vec![invitation("PENDING")]));
        let diagnostics = check(&with_share, &facts, Stage::Plan);
        assert!(errors(&diagnostics).is_empty());
        assert!(
            diagnostics
                .iter()
                .any(|d| d.summary == "Share invitation to accept")
        );
        // Invitations waiting but no share named: which one to accept cannot be told.
        let found = errors(&check(&config(&[]), &facts, Stage::Plan));
        assert_eq!(found[0].0, "resource_share_arn");
        // Accepted and propagating, or the invitations cannot be listed: checked at apply.
        for invitations in [
            Ok(vec![invitation("ACCEPTED")]),
            Err("AccessDenied".to_string()),
        ] {
            facts.invitations = Some(invitations);
            let diagnostics = check(&with_share, &facts, Stage::Plan);
            assert!(errors(&diagnostics).is_empty());
            assert!(diagnostics.iter().any(|d| d.severity == Severity::Warning));
        }
    }
}
