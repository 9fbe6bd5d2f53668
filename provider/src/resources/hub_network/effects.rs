//! What each answer from AWS does to the progress record, in one pure place.
//!
//! The executor (`apply.rs`) records through [`record`] the moment AWS confirms a step, and the
//! property tests (`properties.rs`) replay operation plans through the same function against a
//! simulated AWS. So a wrong record (a field forgotten, a route kept after its delete) makes the
//! next diff non-empty and fails the convergence properties, instead of hiding behind a second
//! copy of the bookkeeping.

use std::collections::BTreeSet;

use super::diff::{AttachmentRef, TagObject};
use super::topology::{
    DataCenter, DataCenterAttachment, DataCenterLink, Share, Tags, Topology, TransitGateway,
    VpcAttachment,
};

/// One fact AWS confirmed during an apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// The Transit Gateway as AWS describes it (created, or read while waiting).
    TransitGatewaySeen(TransitGateway),
    /// ModifyTransitGateway was accepted; the gateway is `modifying` until the next describe.
    TransitGatewayModifying,
    /// The Transit Gateway is deleted; what hung on it goes with it.
    TransitGatewayDeleted,
    ShareCreated(Share),
    ShareUpdated {
        name: Option<String>,
        allow_external_principals: Option<bool>,
    },
    PrincipalsAdded(BTreeSet<String>),
    PrincipalsRemoved(BTreeSet<String>),
    /// A resource (the Transit Gateway's ARN) joined the share.
    ResourceShared(String),
    ShareDeleted,
    /// The attachment of a VPC as AWS returned it (created, re-created or adopted).
    AttachmentSeen {
        vpc_id: String,
        attachment: VpcAttachment,
    },
    /// ModifyTransitGatewayVpcAttachment was accepted.
    AttachmentModified {
        vpc_id: String,
        add_subnets: BTreeSet<String>,
        remove_subnets: BTreeSet<String>,
        appliance_mode_support: Option<bool>,
        dns_support: Option<bool>,
    },
    /// DeleteTransitGatewayVpcAttachment was accepted (or the attachment was already going).
    AttachmentDeleting {
        vpc_id: String,
    },
    /// A poll saw the attachment in `state`.
    AttachmentState {
        vpc_id: String,
        state: String,
        associated_route_table: Option<String>,
    },
    /// A poll no longer finds the attachment.
    AttachmentGone {
        vpc_id: String,
    },
    /// A new Direct Connect association or VPN connection; its attachment is not known yet.
    DataCenterLinked(DataCenterLink),
    /// A poll read the data center link again.
    DataCenterLinkSeen(DataCenterLink),
    /// A poll found the data center's attachment. Tags recorded earlier are kept: a tag call
    /// may have landed after the describe that reports this attachment.
    DataCenterAttachmentSeen(DataCenterAttachment),
    /// The Direct Connect association's allowed prefixes were updated.
    DirectConnectUpdated {
        add: BTreeSet<String>,
        remove: BTreeSet<String>,
    },
    /// The data center link and its attachment are gone.
    DataCenterForgotten,
    /// A declared spoke's attachment as a poll saw it (accepted: `pending`, then `available`).
    SpokeAttachmentState {
        id: String,
        state: String,
        associated_route_table: Option<String>,
    },
    /// An attachment was associated with the hub route table `table`.
    Associated {
        target: AttachmentRef,
        table: String,
    },
    /// Propagation of an attachment into the hub route table was turned on or off.
    Propagation {
        attachment_id: String,
        on: bool,
    },
    /// A static route in the hub route table to the attachment `attachment_id`.
    HubRoute {
        destination: String,
        attachment_id: String,
    },
    HubRouteDeleted {
        destination: String,
    },
    /// A VPC route to the Transit Gateway `transit_gateway_id`.
    VpcRoute {
        route_table_id: String,
        destination: String,
        transit_gateway_id: String,
    },
    VpcRouteDeleted {
        route_table_id: String,
        destination: String,
    },
    /// Tags set and removed on one object.
    Tagged {
        object: TagObject,
        set: Tags,
        remove: BTreeSet<String>,
    },
}

/// Applies `effect` to the progress record. An effect on an object the record does not hold
/// (recorded gone by a concurrent step) changes nothing.
pub(crate) fn record(topology: &mut Topology, effect: Effect) {
    match effect {
        Effect::TransitGatewaySeen(tgw) => topology.tgw = Some(tgw),
        Effect::TransitGatewayModifying => {
            if let Some(tgw) = &mut topology.tgw {
                tgw.state = "modifying".into();
            }
        }
        Effect::TransitGatewayDeleted => topology.forget_transit_gateway(),
        Effect::ShareCreated(share) => topology.share = Some(share),
        Effect::ShareUpdated {
            name,
            allow_external_principals,
        } => {
            if let Some(share) = &mut topology.share {
                if let Some(name) = name {
                    share.name = name;
                }
                if let Some(allow) = allow_external_principals {
                    share.allow_external_principals = allow;
                }
            }
        }
        Effect::PrincipalsAdded(principals) => {
            if let Some(share) = &mut topology.share {
                share.principals.extend(principals);
            }
        }
        Effect::PrincipalsRemoved(principals) => {
            if let Some(share) = &mut topology.share {
                share.principals.retain(|p| !principals.contains(p));
            }
        }
        Effect::ResourceShared(arn) => {
            if let Some(share) = &mut topology.share {
                share.resources.insert(arn);
            }
        }
        Effect::ShareDeleted => topology.share = None,
        Effect::AttachmentSeen { vpc_id, attachment } => {
            topology.attachments.insert(vpc_id, attachment);
        }
        Effect::AttachmentModified {
            vpc_id,
            add_subnets,
            remove_subnets,
            appliance_mode_support,
            dns_support,
        } => {
            if let Some(a) = topology.attachments.get_mut(&vpc_id) {
                a.subnet_ids.retain(|s| !remove_subnets.contains(s));
                a.subnet_ids.extend(add_subnets);
                if let Some(on) = appliance_mode_support {
                    a.appliance_mode_support = on;
                }
                if let Some(on) = dns_support {
                    a.dns_support = on;
                }
                a.state = "modifying".into();
            }
        }
        Effect::AttachmentDeleting { vpc_id } => {
            if let Some(a) = topology.attachments.get_mut(&vpc_id) {
                a.state = "deleting".into();
            }
        }
        Effect::AttachmentState {
            vpc_id,
            state,
            associated_route_table,
        } => {
            let propagated = topology.attachments.get(&vpc_id).is_some_and(|a| {
                propagated_on_arrival(
                    topology,
                    Some(&a.state),
                    &state,
                    associated_route_table.as_deref(),
                )
            });
            if let Some(a) = topology.attachments.get_mut(&vpc_id) {
                a.state = state;
                a.associated_route_table = associated_route_table;
                if propagated {
                    let id = a.id.clone();
                    topology.propagations.insert(id);
                }
            }
        }
        Effect::AttachmentGone { vpc_id } => topology.forget_attachment(&vpc_id),
        Effect::DataCenterLinked(link) => {
            topology.data_center = Some(DataCenter {
                link,
                attachment: None,
            });
        }
        Effect::DataCenterLinkSeen(link) => {
            if let Some(dc) = &mut topology.data_center {
                dc.link = link;
            }
        }
        Effect::DataCenterAttachmentSeen(mut seen) => {
            let propagated = topology.data_center.as_ref().is_some_and(|dc| {
                propagated_on_arrival(
                    topology,
                    dc.attachment.as_ref().map(|a| a.state.as_str()),
                    &seen.state,
                    seen.associated_route_table.as_deref(),
                )
            });
            if let Some(dc) = &mut topology.data_center {
                if let Some(known) = &dc.attachment {
                    seen.tags.extend(known.tags.clone());
                }
                if propagated {
                    topology.propagations.insert(seen.id.clone());
                }
                dc.attachment = Some(seen);
            }
        }
        Effect::DirectConnectUpdated { add, remove } => {
            if let Some(DataCenter {
                link:
                    DataCenterLink::DirectConnect {
                        allowed_prefixes,
                        state,
                        ..
                    },
                ..
            }) = &mut topology.data_center
            {
                allowed_prefixes.retain(|p| !remove.contains(p));
                allowed_prefixes.extend(add);
                *state = "updating".into();
            }
        }
        Effect::DataCenterForgotten => topology.forget_data_center(),
        Effect::Associated { target, table } => {
            let attachment_table = match &target {
                AttachmentRef::Vpc(vpc) => topology
                    .attachments
                    .get_mut(vpc)
                    .map(|a| &mut a.associated_route_table),
                AttachmentRef::DataCenter => topology
                    .data_center
                    .as_mut()
                    .and_then(|dc| dc.attachment.as_mut())
                    .map(|a| &mut a.associated_route_table),
                AttachmentRef::Spoke(id) => topology
                    .foreign_attachments
                    .iter_mut()
                    .find(|a| &a.id == id)
                    .map(|a| &mut a.associated_route_table),
            };
            if let Some(associated) = attachment_table {
                *associated = Some(table);
            }
        }
        Effect::SpokeAttachmentState {
            id,
            state,
            associated_route_table,
        } => {
            if let Some(attachment) = topology.foreign_attachments.iter_mut().find(|a| a.id == id) {
                attachment.state = state;
                attachment.associated_route_table = associated_route_table;
            }
        }
        Effect::Propagation { attachment_id, on } => {
            topology.record_propagation(&attachment_id, on)
        }
        Effect::HubRoute {
            destination,
            attachment_id,
        } => topology.record_hub_route(&destination, &attachment_id),
        Effect::HubRouteDeleted { destination } => {
            topology.hub_routes.remove(&destination);
        }
        Effect::VpcRoute {
            route_table_id,
            destination,
            transit_gateway_id,
        } => topology.record_vpc_route(&route_table_id, &destination, &transit_gateway_id),
        Effect::VpcRouteDeleted {
            route_table_id,
            destination,
        } => topology.forget_vpc_route(&route_table_id, &destination),
        Effect::Tagged {
            object,
            set,
            remove,
        } => {
            if let Some(tags) = tags_of(topology, &object) {
                tags.retain(|k, _| !remove.contains(k));
                tags.extend(set);
            }
        }
    }
}

/// The tags of a taggable object of the hub, if the record holds it.
fn tags_of<'a>(topology: &'a mut Topology, object: &TagObject) -> Option<&'a mut Tags> {
    match object {
        TagObject::TransitGateway => topology.tgw.as_mut().map(|t| &mut t.tags),
        TagObject::Share => topology.share.as_mut().map(|s| &mut s.tags),
        TagObject::VpcAttachment(vpc) => topology.attachments.get_mut(vpc).map(|a| &mut a.tags),
        TagObject::DataCenterAttachment => topology
            .data_center
            .as_mut()
            .and_then(|dc| dc.attachment.as_mut())
            .map(|a| &mut a.tags),
        TagObject::VpnConnection => match topology.data_center.as_mut().map(|dc| &mut dc.link) {
            Some(DataCenterLink::Vpn { tags, .. }) => Some(tags),
            _ => None,
        },
    }
}

/// Whether an attachment going from state `before` to `now`, associated with `associated`,
/// propagates by the gateway's default: AWS applies the default association and propagation as
/// an attachment becomes available, so the apply records the propagation rather than asking for
/// one AWS has already made (which it refuses as a duplicate). An attachment already available
/// before is not touched by AWS, nor is one associated elsewhere.
fn propagated_on_arrival(
    topology: &Topology,
    before: Option<&str>,
    now: &str,
    associated: Option<&str>,
) -> bool {
    let default_table = topology
        .tgw
        .as_ref()
        .and_then(|t| t.propagation_default_route_table_id.as_deref());
    before != Some("available")
        && now == "available"
        && associated.is_some()
        && associated == default_table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::route_table::{RouteTable, VpcRoute};

    fn attachment(vpc: &str) -> VpcAttachment {
        VpcAttachment {
            id: format!("tgw-attach-{vpc}"),
            transit_gateway_id: "tgw-1".into(),
            vpc_id: vpc.into(),
            vpc_owner_id: "111122223333".into(),
            state: "available".into(),
            subnet_ids: ["subnet-a".to_string()].into(),
            appliance_mode_support: false,
            dns_support: true,
            tags: [("Name".to_string(), "old".to_string())].into(),
            associated_route_table: None,
        }
    }

    #[test]
    fn a_modified_attachment_keeps_what_was_not_changed() {
        let mut topology = Topology::default();
        record(
            &mut topology,
            Effect::AttachmentSeen {
                vpc_id: "vpc-1".into(),
                attachment: attachment("vpc-1"),
            },
        );
        record(
            &mut topology,
            Effect::AttachmentModified {
                vpc_id: "vpc-1".into(),
                add_subnets: ["subnet-b".to_string()].into(),
                remove_subnets: ["subnet-a".to_string()].into(),
                appliance_mode_support: Some(true),
                dns_support: None,
            },
        );
        let a = &topology.attachments["vpc-1"];
        assert_eq!(a.subnet_ids, ["subnet-b".to_string()].into());
        assert!(a.appliance_mode_support);
        assert!(
            a.dns_support,
            "dns_support was not part of the modification"
        );
        assert_eq!(a.state, "modifying");
    }

    fn gateway(propagating_into: Option<&str>) -> crate::aws::ec2::transit_gateway::TransitGateway {
        crate::aws::ec2::transit_gateway::TransitGateway {
            propagation_default_route_table_id: propagating_into.map(str::to_string),
            ..crate::resources::hub_network::topology::available_gateway("tgw-1")
        }
    }

    /// The hub's topology with `vpc-1`'s attachment seen in `state`, on a gateway that
    /// propagates by default into `propagating_into`.
    fn with_attachment(state: &str, propagating_into: Option<&str>) -> Topology {
        let mut topology = Topology {
            tgw: Some(gateway(propagating_into)),
            ..Topology::default()
        };
        let mut seen = attachment("vpc-1");
        seen.state = state.into();
        record(
            &mut topology,
            Effect::AttachmentSeen {
                vpc_id: "vpc-1".into(),
                attachment: seen,
            },
        );
        topology
    }

    fn becomes(topology: &mut Topology, state: &str, table: Option<&str>) {
        record(
            topology,
            Effect::AttachmentState {
                vpc_id: "vpc-1".into(),
                state: state.into(),
                associated_route_table: table.map(str::to_string),
            },
        );
    }

    #[test]
    fn an_attachment_arriving_on_a_gateway_that_propagates_by_default_is_propagating() {
        let mut topology = with_attachment("pending", Some("tgw-rtb-1"));
        becomes(&mut topology, "pending", None);
        assert!(topology.propagations.is_empty());
        becomes(&mut topology, "available", Some("tgw-rtb-1"));
        assert!(topology.propagations.contains("tgw-attach-vpc-1"));
    }

    #[test]
    fn no_propagation_is_assumed_that_aws_did_not_make() {
        // Default propagation off.
        let mut topology = with_attachment("pending", None);
        becomes(&mut topology, "available", Some("tgw-rtb-1"));
        assert!(topology.propagations.is_empty());
        // Available before default propagation was turned on: AWS does not go back to it.
        let mut topology = with_attachment("available", Some("tgw-rtb-1"));
        becomes(&mut topology, "available", Some("tgw-rtb-1"));
        assert!(topology.propagations.is_empty());
        // Associated with another table than the one defaults propagate into.
        let mut topology = with_attachment("pending", Some("tgw-rtb-1"));
        becomes(&mut topology, "available", Some("tgw-rtb-other"));
        assert!(topology.propagations.is_empty());
    }

    #[test]
    fn a_data_center_attachment_seen_again_keeps_tags_set_since_the_describe() {
        let mut topology = Topology::default();
        record(
            &mut topology,
            Effect::DataCenterLinked(DataCenterLink::Vpn {
                connection_id: "vpn-1".into(),
                customer_gateway_id: "cgw-1".into(),
                static_routes_only: Some(true),
                state: "pending".into(),
                tags: Tags::new(),
            }),
        );
        let seen = DataCenterAttachment {
            id: "tgw-attach-vpn".into(),
            state: "pending".into(),
            tags: Tags::new(),
            associated_route_table: None,
        };
        record(
            &mut topology,
            Effect::DataCenterAttachmentSeen(seen.clone()),
        );
        record(
            &mut topology,
            Effect::Tagged {
                object: TagObject::DataCenterAttachment,
                set: [("migration:owner".to_string(), "tgw-1".to_string())].into(),
                remove: BTreeSet::new(),
            },
        );
        record(
            &mut topology,
            Effect::DataCenterAttachmentSeen(DataCenterAttachment {
                state: "available".into(),
                ..seen
            }),
        );
        let attachment = topology
            .data_center
            .as_ref()
            .and_then(|dc| dc.attachment.as_ref())
            .expect("the attachment is recorded");
        assert_eq!(attachment.state, "available");
        assert_eq!(
            attachment.tags.get("migration:owner").map(String::as_str),
            Some("tgw-1")
        );
    }

    #[test]
    fn routes_are_recorded_and_forgotten_by_table_and_destination() {
        let mut topology = Topology::default();
        topology.route_tables.insert(
            "rtb-1".into(),
            RouteTable {
                id: "rtb-1".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![VpcRoute {
                    destination: "10.0.0.0/16".into(),
                    target: "local".into(),
                    state: "active".into(),
                }],
            },
        );
        record(
            &mut topology,
            Effect::VpcRoute {
                route_table_id: "rtb-1".into(),
                destination: "10.1.0.0/16".into(),
                transit_gateway_id: "tgw-1".into(),
            },
        );
        assert_eq!(topology.route_tables["rtb-1"].routes.len(), 2);
        record(
            &mut topology,
            Effect::VpcRouteDeleted {
                route_table_id: "rtb-1".into(),
                destination: "10.1.0.0/16".into(),
            },
        );
        let routes = &topology.route_tables["rtb-1"].routes;
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].target, "local");
    }

    #[test]
    fn an_effect_on_an_object_already_gone_changes_nothing() {
        let mut topology = Topology::default();
        for effect in [
            Effect::AttachmentDeleting {
                vpc_id: "vpc-9".into(),
            },
            Effect::PrincipalsAdded(["111122223333".to_string()].into()),
            Effect::Tagged {
                object: TagObject::Share,
                set: Tags::new(),
                remove: BTreeSet::new(),
            },
            Effect::TransitGatewayModifying,
        ] {
            record(&mut topology, effect);
        }
        assert_eq!(topology, Topology::default());
    }
}
