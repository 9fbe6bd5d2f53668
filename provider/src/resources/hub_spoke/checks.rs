//! Plan-time checks against what the spoke account can see, and the same checks at apply with
//! every value known: the gateway is shared with this account (or an invitation to it waits),
//! the VPC's CIDRs overlap none of the hub's networks, the attachment's subnets are in the VPC
//! and in distinct zones, and no route table already routes a hub network elsewhere. What the
//! spoke account cannot read (the hub's side) is checked at apply, and the plan says so.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::model::Config;
use super::observe::{Scope, Spoke, surroundings};
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
}

/// Reads the facts at plan: what the configuration names and is known.
pub(crate) async fn at_plan(
    aws: &Aws<'_>,
    account_id: Option<String>,
    config: &Config,
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
    let spoke = surroundings(aws, &scope).await?;
    let invitations = if spoke.tgw.is_none() {
        let share = config.resource_share_arn.known().cloned().flatten();
        Some(match aws.share_invitations(share.as_deref()).await {
            Ok(found) => Ok(found),
            Err(OpError::Aws(e)) if e.class == ErrorClass::AccessDenied => Err(e.to_string()),
            Err(other) => return Err(other),
        })
    } else {
        None
    };
    Ok(Facts {
        spoke,
        account_id,
        invitations,
    })
}

/// Every check, each error on the attribute at fault.
pub(crate) fn check(config: &Config, facts: &Facts, stage: Stage) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let spoke = &facts.spoke;
    if let Some(invitations) = &facts.invitations {
        shared(config, facts, invitations, &mut diagnostics);
    }
    if let (Some(tgw), Stage::Plan) = (&spoke.tgw, stage) {
        if !tgw.auto_accept_shared_attachments && spoke.attachment.is_none() {
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
                "{tgw_id} is not visible to {account}, and no RAM invitation to {} is pending. \
                 Share it from the hub account (add {account} to share_with of the \
                 migration_hub_network, or share with the Organization), check the id and the \
                 Region, or check that this provider configuration acts as the spoke account.",
                share.as_deref().unwrap_or("a share")
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
