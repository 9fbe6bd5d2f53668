//! Desired configuration against observed topology: the list of changes that turns one into
//! the other, touching only the delta. Pure.
//!
//! Identity is what AWS says it is: an attachment is its VPC (one per VPC per Transit
//! Gateway), so renaming a configuration key retags the attachment instead of recreating it;
//! a route is (route table, destination); a principal is its own value.

use std::collections::BTreeSet;

use ipnet::IpNet;

use super::mesh;
use super::model::{Desired, Link, TagTarget, tags_for};
use super::spokes;
use super::topology::{DataCenterLink, Tags, Topology, TransitGateway};
use crate::aws::ec2::transit_gateway::{TransitGatewayModification, TransitGatewaySpec};
use crate::framework::tags::UNCONFIRMED_TAG;
use crate::netplan::mesh::{ObservedRoute, Route, route_conflicts};

/// An attachment of the hub, named before its id exists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AttachmentRef {
    /// The attachment of this VPC.
    Vpc(String),
    /// The Direct Connect gateway's or VPN's attachment.
    DataCenter,
    /// A declared spoke's attachment (another account's), by id.
    Spoke(String),
}

impl AttachmentRef {
    /// The attachment's id in `topology`, once AWS has created it.
    pub(crate) fn id_in<'a>(&self, topology: &'a Topology) -> Option<&'a str> {
        match self {
            AttachmentRef::Vpc(vpc) => topology.attachments.get(vpc).map(|a| a.id.as_str()),
            AttachmentRef::DataCenter => topology.data_center_attachment_id(),
            AttachmentRef::Spoke(id) => topology.spoke_attachment(id).map(|a| a.id.as_str()),
        }
    }

    /// The route table the attachment is associated with in `topology`, if any.
    pub(crate) fn associated_route_table<'a>(&self, topology: &'a Topology) -> Option<&'a str> {
        match self {
            AttachmentRef::Vpc(vpc) => topology
                .attachments
                .get(vpc)?
                .associated_route_table
                .as_deref(),
            AttachmentRef::DataCenter => topology
                .data_center
                .as_ref()?
                .attachment
                .as_ref()?
                .associated_route_table
                .as_deref(),
            AttachmentRef::Spoke(id) => topology
                .spoke_attachment(id)?
                .associated_route_table
                .as_deref(),
        }
    }
}

/// An object of the hub that carries tags.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TagObject {
    TransitGateway,
    Share,
    VpcAttachment(String),
    DataCenterAttachment,
    VpnConnection,
}

/// One change to AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    CreateTransitGateway(TransitGatewaySpec),
    ModifyTransitGateway(TransitGatewayModification),
    DeleteTransitGateway,
    CreateShare {
        name: String,
        principals: BTreeSet<String>,
        allow_external_principals: bool,
        tags: Tags,
    },
    UpdateShare {
        name: Option<String>,
        allow_external_principals: Option<bool>,
    },
    AddPrincipals(BTreeSet<String>),
    RemovePrincipals(BTreeSet<String>),
    /// Put the Transit Gateway back into an existing share that lost it.
    ShareTransitGateway,
    DeleteShare,
    CreateAttachment {
        key: String,
        vpc_id: String,
        subnet_ids: BTreeSet<String>,
        appliance_mode_support: bool,
        dns_support: bool,
        tags: Tags,
    },
    ModifyAttachment {
        vpc_id: String,
        add_subnets: BTreeSet<String>,
        remove_subnets: BTreeSet<String>,
        appliance_mode_support: Option<bool>,
        dns_support: Option<bool>,
    },
    /// An existing attachment is not `available` yet (left by an interrupted apply).
    AwaitAttachment {
        vpc_id: String,
    },
    DeleteAttachment {
        vpc_id: String,
    },
    /// Accept a declared spoke's attachment waiting in `pendingAcceptance`, and wait until it
    /// is `available`.
    AcceptAttachment {
        id: String,
    },
    CreateDirectConnect {
        gateway_id: String,
        allowed_prefixes: BTreeSet<String>,
        attachment_tags: Tags,
        /// Associations of the gateway with other hubs that `take_over` moves the link from:
        /// deleted, and waited out, right before this one is made (see `handover`).
        release: Vec<String>,
    },
    UpdateDirectConnect {
        add: BTreeSet<String>,
        remove: BTreeSet<String>,
    },
    DeleteDirectConnect,
    CreateVpn {
        customer_gateway_id: String,
        static_routes_only: bool,
        tags: Tags,
        attachment_tags: Tags,
    },
    DeleteVpn,
    /// The data center's association or attachment is still settling.
    AwaitDataCenter,
    /// Associate the attachment with the hub route table if it is not associated with any,
    /// and make its propagation into the hub route table match `propagate`.
    Connect {
        target: AttachmentRef,
        propagate: bool,
    },
    /// A static route in the hub route table to the data center's attachment; `replace` when
    /// the destination already has a route (to a gone attachment, a blackhole, …).
    RouteToDataCenter {
        destination: String,
        replace: bool,
    },
    DeleteHubRoute {
        destination: String,
    },
    CreateVpcRoute {
        route_table_id: String,
        destination: String,
    },
    /// Re-target another hub's route to this hub's gateway in place (see `handover`).
    TakeOverVpcRoute {
        route_table_id: String,
        destination: String,
        from: String,
    },
    DeleteVpcRoute {
        route_table_id: String,
        destination: String,
    },
    Tag {
        object: TagObject,
        set: Tags,
        remove: BTreeSet<String>,
    },
}

/// Tags to set and remove to go from `have` to `want`. AWS's own `aws:` tags cannot be
/// touched and are left alone; the unconfirmed marker is the read's to remove, once
/// Terraform's state holds the object (an apply that removed it could still die unsaved).
fn tag_change(object: TagObject, have: &Tags, want: &Tags) -> Option<Change> {
    let set: Tags = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove: BTreeSet<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k) && !k.starts_with("aws:") && *k != UNCONFIRMED_TAG)
        .cloned()
        .collect();
    (!set.is_empty() || !remove.is_empty()).then_some(Change::Tag {
        object,
        set,
        remove,
    })
}

fn same_description(a: Option<&str>, b: Option<&str>) -> bool {
    a.unwrap_or_default() == b.unwrap_or_default()
}

fn modification(desired: &Desired, tgw: &TransitGateway) -> TransitGatewayModification {
    let differs = |want: bool, have: bool| (want != have).then_some(want);
    TransitGatewayModification {
        description: (!same_description(
            desired.description.as_deref(),
            tgw.description.as_deref(),
        ))
        .then(|| desired.description.clone().unwrap_or_default()),
        amazon_side_asn: (desired.amazon_side_asn != tgw.amazon_side_asn)
            .then_some(desired.amazon_side_asn),
        auto_accept_shared_attachments: differs(
            desired.auto_accept_shared_attachments,
            tgw.auto_accept_shared_attachments,
        ),
        dns_support: differs(desired.dns_support, tgw.dns_support),
        vpn_ecmp_support: differs(desired.vpn_ecmp_support, tgw.vpn_ecmp_support),
        add_cidr_blocks: desired
            .transit_gateway_cidr_blocks
            .difference(&tgw.cidr_blocks)
            .cloned()
            .collect(),
        remove_cidr_blocks: tgw
            .cidr_blocks
            .difference(&desired.transit_gateway_cidr_blocks)
            .cloned()
            .collect(),
        propagate_by_default_into: default_propagation(desired, tgw),
    }
}

/// The default propagation to set, when it is not what the hub wants: into the hub route table
/// (the default association table) when the hub propagates by default, off otherwise.
fn default_propagation(desired: &Desired, tgw: &TransitGateway) -> Option<Option<String>> {
    let want = if desired.propagates_by_default() {
        // AWS names the default association table once the gateway is available; a gateway
        // still pending was created with default propagation on, so there is nothing to set.
        Some(tgw.association_default_route_table_id.clone()?)
    } else {
        None
    };
    (want != tgw.propagation_default_route_table_id).then_some(want)
}

/// The networks of the desired hub, with VPC CIDRs as AWS reports them.
pub(crate) fn desired_networks(desired: &Desired, observed: &Topology) -> Vec<mesh::HubNetwork> {
    let empty = BTreeSet::new();
    let vpcs: Vec<(&str, &BTreeSet<String>, &BTreeSet<String>)> = desired
        .attachments
        .iter()
        .map(|(key, a)| {
            let cidrs = observed
                .vpcs
                .get(&a.vpc_id)
                .map(|v| &v.cidr_blocks)
                .unwrap_or(&empty);
            (key.as_str(), cidrs, &a.route_table_ids)
        })
        .collect();
    mesh::networks(
        vpcs,
        desired.data_center.as_ref().map(|dc| &dc.cidr_blocks),
        &desired.transit_gateway_cidr_blocks,
        desired
            .spokes
            .iter()
            .map(|(name, spoke)| (name.as_str(), &spoke.cidr_blocks)),
    )
}

/// Every VPC CIDR of the desired hub and its declared spokes: the default Direct Connect
/// allowed prefixes (so the data center reaches the spokes too).
pub(crate) fn all_vpc_cidrs(desired: &Desired, observed: &Topology) -> BTreeSet<String> {
    desired
        .attachments
        .values()
        .filter_map(|a| observed.vpcs.get(&a.vpc_id))
        .flat_map(|v| v.cidr_blocks.iter().cloned())
        .chain(
            desired
                .spokes
                .values()
                .flat_map(|s| s.cidr_blocks.iter().cloned()),
        )
        .collect()
}

/// The VPC routes the mesh wants.
pub(crate) fn desired_vpc_routes(
    desired: &Desired,
    observed: &Topology,
) -> Vec<mesh::ManagedRoute> {
    if desired.mesh_routes {
        mesh::vpc_routes(&desired_networks(desired, observed))
    } else {
        Vec::new()
    }
}

/// The changes that make `observed` what `desired` describes; with `desired` absent, the
/// changes that remove the hub.
pub(crate) fn diff(desired: Option<&Desired>, observed: &Topology) -> Vec<Change> {
    let Some(desired) = desired else {
        return teardown(observed);
    };
    let mut changes = Vec::new();
    let tgw_id = observed.tgw_id().unwrap_or_default();
    let tags = |target: TagTarget<'_>| tags_for(tgw_id, &desired.name, &desired.tags_all, target);

    // The Transit Gateway.
    match &observed.tgw {
        None => {
            let mut spec_tags = tags(TagTarget::TransitGateway);
            spec_tags.remove(crate::framework::tags::OWNER_TAG);
            // In the create call itself: however soon the process dies, the next create of
            // this configuration finds the gateway again.
            spec_tags.insert(UNCONFIRMED_TAG.to_string(), desired.fingerprint());
            // The hub route table is the default association table; propagation into it is
            // enabled per attachment (`Change::Connect`), and by default as well when shared
            // attachments are auto-accepted (`Desired::propagates_by_default`).
            changes.push(Change::CreateTransitGateway(TransitGatewaySpec {
                description: desired.description.clone(),
                amazon_side_asn: desired.amazon_side_asn,
                auto_accept_shared_attachments: desired.auto_accept_shared_attachments,
                default_route_table_association: true,
                default_route_table_propagation: desired.propagates_by_default(),
                dns_support: desired.dns_support,
                vpn_ecmp_support: desired.vpn_ecmp_support,
                cidr_blocks: desired.transit_gateway_cidr_blocks.clone(),
                tags: spec_tags,
            }));
        }
        Some(tgw) => {
            let modification = modification(desired, tgw);
            if !modification.is_empty() || tgw.state != "available" {
                changes.push(Change::ModifyTransitGateway(modification));
            }
            changes.extend(tag_change(
                TagObject::TransitGateway,
                &tgw.tags,
                &tags(TagTarget::TransitGateway),
            ));
        }
    }

    // The RAM share and its principals.
    match (&desired.share, &observed.share) {
        (Some(want), None) => changes.push(Change::CreateShare {
            name: desired.name.clone(),
            principals: want.principals.clone(),
            allow_external_principals: want.allow_external_principals,
            tags: tags(TagTarget::Share),
        }),
        (Some(want), Some(have)) => {
            let name = (have.name != desired.name).then(|| desired.name.clone());
            let allow = (have.allow_external_principals != want.allow_external_principals)
                .then_some(want.allow_external_principals);
            if name.is_some() || allow.is_some() {
                changes.push(Change::UpdateShare {
                    name,
                    allow_external_principals: allow,
                });
            }
            let add: BTreeSet<String> = want
                .principals
                .difference(&have.principals)
                .cloned()
                .collect();
            let remove: BTreeSet<String> = have
                .principals
                .difference(&want.principals)
                .cloned()
                .collect();
            if !add.is_empty() {
                changes.push(Change::AddPrincipals(add));
            }
            if !remove.is_empty() {
                changes.push(Change::RemovePrincipals(remove));
            }
            if let Some(tgw) = &observed.tgw
                && !have.resources.contains(&tgw.arn)
            {
                changes.push(Change::ShareTransitGateway);
            }
            changes.extend(tag_change(
                TagObject::Share,
                &have.tags,
                &tags(TagTarget::Share),
            ));
        }
        (None, Some(_)) => changes.push(Change::DeleteShare),
        (None, None) => {}
    }

    // VPC attachments.
    let desired_vpcs: BTreeSet<&str> = desired
        .attachments
        .values()
        .map(|a| a.vpc_id.as_str())
        .collect();
    for (key, want) in &desired.attachments {
        let target = AttachmentRef::Vpc(want.vpc_id.clone());
        let want_tags = tags(TagTarget::VpcAttachment { key });
        match observed
            .attachments
            .get(&want.vpc_id)
            .filter(|a| a.state != "deleting")
        {
            None => {
                changes.push(Change::CreateAttachment {
                    key: key.clone(),
                    vpc_id: want.vpc_id.clone(),
                    subnet_ids: want.subnet_ids.clone(),
                    appliance_mode_support: want.appliance_mode_support,
                    dns_support: want.dns_support,
                    tags: want_tags,
                });
                changes.push(Change::Connect {
                    target,
                    propagate: desired.route_propagation,
                });
            }
            Some(have) => {
                let add: BTreeSet<String> = want
                    .subnet_ids
                    .difference(&have.subnet_ids)
                    .cloned()
                    .collect();
                let remove: BTreeSet<String> = have
                    .subnet_ids
                    .difference(&want.subnet_ids)
                    .cloned()
                    .collect();
                let appliance = (want.appliance_mode_support != have.appliance_mode_support)
                    .then_some(want.appliance_mode_support);
                let dns = (want.dns_support != have.dns_support).then_some(want.dns_support);
                if !add.is_empty() || !remove.is_empty() || appliance.is_some() || dns.is_some() {
                    changes.push(Change::ModifyAttachment {
                        vpc_id: want.vpc_id.clone(),
                        add_subnets: add,
                        remove_subnets: remove,
                        appliance_mode_support: appliance,
                        dns_support: dns,
                    });
                } else if have.state != "available" {
                    changes.push(Change::AwaitAttachment {
                        vpc_id: want.vpc_id.clone(),
                    });
                }
                let propagating = observed.propagations.contains(&have.id);
                if have.associated_route_table.is_none() || propagating != desired.route_propagation
                {
                    changes.push(Change::Connect {
                        target,
                        propagate: desired.route_propagation,
                    });
                }
                changes.extend(tag_change(
                    TagObject::VpcAttachment(want.vpc_id.clone()),
                    &have.tags,
                    &want_tags,
                ));
            }
        }
    }
    for vpc_id in observed.attachments.keys() {
        if !desired_vpcs.contains(vpc_id.as_str()) {
            changes.push(Change::DeleteAttachment {
                vpc_id: vpc_id.clone(),
            });
        }
    }

    // Other accounts' attachments: the declared spokes' are accepted and connected.
    changes.extend(spoke_changes(desired, observed));

    // The data center.
    changes.extend(data_center_changes(desired, observed, &tags));

    // Static routes of the hub route table to the data center.
    let want_hub_routes: BTreeSet<String> = match &desired.data_center {
        Some(dc)
            if matches!(
                dc.link,
                Link::Vpn {
                    static_routes_only: true,
                    ..
                }
            ) =>
        {
            dc.cidr_blocks.clone()
        }
        _ => BTreeSet::new(),
    };
    let dc_attachment = observed.data_center_attachment_id();
    let data_center_replaced = changes.iter().any(|c| {
        matches!(
            c,
            Change::CreateVpn { .. } | Change::CreateDirectConnect { .. }
        )
    });
    for destination in mesh::sorted_destinations(&want_hub_routes) {
        match observed.hub_routes.get(&destination) {
            None => changes.push(Change::RouteToDataCenter {
                destination,
                replace: false,
            }),
            Some(route)
                if data_center_replaced
                    || dc_attachment.is_none()
                    || route.attachment_id.as_deref() != dc_attachment =>
            {
                changes.push(Change::RouteToDataCenter {
                    destination,
                    replace: true,
                })
            }
            Some(_) => {}
        }
    }
    for destination in observed.hub_routes.keys() {
        if !want_hub_routes.contains(destination) {
            changes.push(Change::DeleteHubRoute {
                destination: destination.clone(),
            });
        }
    }

    // VPC routes of the mesh.
    let want_routes: Vec<Route> = desired_vpc_routes(desired, observed)
        .into_iter()
        .filter_map(|r| {
            Some(Route {
                route_table: r.route_table_id,
                destination: r.destination.parse().ok()?,
            })
        })
        .collect();
    let seen: Vec<ObservedRoute> = observed
        .route_tables
        .values()
        .flat_map(|table| {
            table.routes.iter().filter_map(|r| {
                Some(ObservedRoute {
                    route_table: table.id.clone(),
                    destination: r.destination.parse::<IpNet>().ok()?,
                    target: r.target.clone(),
                })
            })
        })
        .collect();
    let routes = route_conflicts(&want_routes, &seen, tgw_id);
    for route in routes.stale {
        changes.push(Change::DeleteVpcRoute {
            route_table_id: route.route_table,
            destination: route.destination.to_string(),
        });
    }
    for route in routes.missing {
        changes.push(Change::CreateVpcRoute {
            route_table_id: route.route_table,
            destination: route.destination.to_string(),
        });
    }
    for conflict in routes.conflicting {
        if desired
            .take_over_from
            .contains_key(&conflict.existing_target)
        {
            changes.push(Change::TakeOverVpcRoute {
                route_table_id: conflict.route.route_table,
                destination: conflict.route.destination.to_string(),
                from: conflict.existing_target,
            });
        }
    }
    changes
}

/// Accept and connect declared spokes' attachments; an attachment whose VPC brings CIDRs outside
/// its declaration is connected without propagation. Undeclared ones are left alone (the plan
/// warns about them).
fn spoke_changes(desired: &Desired, observed: &Topology) -> Vec<Change> {
    let mut changes = Vec::new();
    for attachment in &observed.foreign_attachments {
        let propagating = observed.propagations.contains(&attachment.id);
        let Some(action) = spokes::action(
            &desired.spokes,
            attachment,
            propagating,
            desired.route_propagation,
        ) else {
            continue;
        };
        if action.accept {
            changes.push(Change::AcceptAttachment {
                id: attachment.id.clone(),
            });
        }
        changes.push(Change::Connect {
            target: AttachmentRef::Spoke(attachment.id.clone()),
            propagate: action.propagate,
        });
    }
    changes
}

fn data_center_changes(
    desired: &Desired,
    observed: &Topology,
    tags: &dyn Fn(TagTarget<'_>) -> Tags,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let have = observed.data_center.as_ref();
    let remove_existing = |changes: &mut Vec<Change>| match have.map(|dc| &dc.link) {
        Some(DataCenterLink::DirectConnect { .. }) => changes.push(Change::DeleteDirectConnect),
        Some(DataCenterLink::Vpn { .. }) => changes.push(Change::DeleteVpn),
        None => {}
    };
    let Some(want) = &desired.data_center else {
        remove_existing(&mut changes);
        return changes;
    };
    let attachment_tags = tags(TagTarget::DataCenterAttachment {
        cidr_blocks: &want.cidr_blocks,
    });
    let connect = Change::Connect {
        target: AttachmentRef::DataCenter,
        propagate: desired.route_propagation,
    };
    let kept = match (&want.link, have.map(|dc| &dc.link)) {
        (
            Link::DirectConnect {
                gateway_id,
                allowed_prefixes,
            },
            Some(DataCenterLink::DirectConnect {
                gateway_id: have_gateway,
                allowed_prefixes: have_prefixes,
                state,
                ..
            }),
        ) if gateway_id == have_gateway => {
            let want_prefixes = allowed_prefixes
                .clone()
                .unwrap_or_else(|| all_vpc_cidrs(desired, observed));
            let add: BTreeSet<String> = want_prefixes.difference(have_prefixes).cloned().collect();
            let remove: BTreeSet<String> =
                have_prefixes.difference(&want_prefixes).cloned().collect();
            if !add.is_empty() || !remove.is_empty() {
                changes.push(Change::UpdateDirectConnect { add, remove });
            } else if state != "associated" {
                changes.push(Change::AwaitDataCenter);
            }
            true
        }
        (
            Link::Vpn {
                customer_gateway_id,
                static_routes_only,
            },
            Some(DataCenterLink::Vpn {
                customer_gateway_id: have_gateway,
                static_routes_only: have_static,
                tags: vpn_tags,
                ..
            }),
        ) if customer_gateway_id == have_gateway
            && have_static.is_none_or(|s| s == *static_routes_only) =>
        {
            let attachment_ready = have
                .and_then(|dc| dc.attachment.as_ref())
                .is_some_and(|a| a.state == "available");
            if !attachment_ready {
                changes.push(Change::AwaitDataCenter);
            }
            changes.extend(tag_change(
                TagObject::VpnConnection,
                vpn_tags,
                &tags(TagTarget::VpnConnection),
            ));
            true
        }
        _ => false,
    };
    if kept {
        if let Some(attachment) = have.and_then(|dc| dc.attachment.as_ref()) {
            let propagating = observed.propagations.contains(&attachment.id);
            if attachment.associated_route_table.is_none()
                || propagating != desired.route_propagation
            {
                changes.push(connect);
            }
            changes.extend(tag_change(
                TagObject::DataCenterAttachment,
                &attachment.tags,
                &attachment_tags,
            ));
        } else {
            // The association exists but its attachment has not shown up yet.
            changes.push(Change::AwaitDataCenter);
            changes.push(connect);
        }
        return changes;
    }
    remove_existing(&mut changes);
    match &want.link {
        Link::DirectConnect {
            gateway_id,
            allowed_prefixes,
        } => changes.push(Change::CreateDirectConnect {
            gateway_id: gateway_id.clone(),
            allowed_prefixes: allowed_prefixes
                .clone()
                .unwrap_or_else(|| all_vpc_cidrs(desired, observed)),
            attachment_tags,
            release: desired.release_direct_connect.clone(),
        }),
        Link::Vpn {
            customer_gateway_id,
            static_routes_only,
        } => changes.push(Change::CreateVpn {
            customer_gateway_id: customer_gateway_id.clone(),
            static_routes_only: *static_routes_only,
            tags: tags(TagTarget::VpnConnection),
            attachment_tags,
        }),
    }
    changes.push(connect);
    changes
}

/// Everything of the hub goes: routes first, then the data center, attachments, share, and
/// the Transit Gateway last (its route table and static routes go with it).
fn teardown(observed: &Topology) -> Vec<Change> {
    let mut changes = Vec::new();
    if observed.tgw.is_none() {
        return changes;
    }
    for table in observed.route_tables.values() {
        for route in observed.routes_to_hub(table) {
            changes.push(Change::DeleteVpcRoute {
                route_table_id: table.id.clone(),
                destination: route.destination.clone(),
            });
        }
    }
    match observed.data_center.as_ref().map(|dc| &dc.link) {
        Some(DataCenterLink::DirectConnect { .. }) => changes.push(Change::DeleteDirectConnect),
        Some(DataCenterLink::Vpn { .. }) => changes.push(Change::DeleteVpn),
        None => {}
    }
    for vpc_id in observed.attachments.keys() {
        changes.push(Change::DeleteAttachment {
            vpc_id: vpc_id.clone(),
        });
    }
    if observed.share.is_some() {
        changes.push(Change::DeleteShare);
    }
    changes.push(Change::DeleteTransitGateway);
    changes
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::protocol::cty::Value;
    use crate::resources::hub_network::model::Config;
    use crate::resources::hub_network::topology::available_gateway;

    fn desired(auto_accept: bool, route_propagation: bool) -> Desired {
        let config = Value::object([
            ("name", Value::string("hub")),
            ("auto_accept_shared_attachments", Value::Bool(auto_accept)),
            ("route_propagation", Value::Bool(route_propagation)),
        ]);
        Config::parse(&config).desired(&BTreeMap::new()).unwrap()
    }

    fn gateway(association: Option<&str>, propagation: Option<&str>) -> TransitGateway {
        TransitGateway {
            association_default_route_table_id: association.map(str::to_string),
            propagation_default_route_table_id: propagation.map(str::to_string),
            ..available_gateway("tgw-1")
        }
    }

    fn created_with_default_propagation(desired: &Desired) -> bool {
        diff(Some(desired), &Topology::default()).iter().any(
            |c| matches!(c, Change::CreateTransitGateway(s) if s.default_route_table_propagation),
        )
    }

    #[test]
    fn auto_accepted_attachments_propagate_by_default_only_when_routes_propagate() {
        assert!(created_with_default_propagation(&desired(true, true)));
        assert!(!created_with_default_propagation(&desired(true, false)));
        assert!(!created_with_default_propagation(&desired(false, true)));
    }

    #[test]
    fn default_propagation_follows_the_arguments_in_place() {
        let table = Some("tgw-rtb-1");
        // A hub made before default propagation existed gets it, into its own route table.
        assert_eq!(
            default_propagation(&desired(true, true), &gateway(table, None)),
            Some(Some("tgw-rtb-1".to_string()))
        );
        assert_eq!(
            default_propagation(&desired(true, true), &gateway(table, table)),
            None
        );
        // Turning auto-accept or propagation off turns it off.
        assert_eq!(
            default_propagation(&desired(false, true), &gateway(table, table)),
            Some(None)
        );
        assert_eq!(
            default_propagation(&desired(true, false), &gateway(table, table)),
            Some(None)
        );
        assert_eq!(
            default_propagation(&desired(true, false), &gateway(table, None)),
            None
        );
        // A gateway still pending has no route table to name yet: left as created.
        assert_eq!(
            default_propagation(&desired(true, true), &gateway(None, None)),
            None
        );
    }
}
