//! What AWS holds for one hub: the Transit Gateway and everything around it, as read by
//! `observe` and then kept current by `apply` as each operation succeeds (the progress record).
//!
//! Pure data: the diff compares it with the desired configuration, the state is rendered
//! from it, and property tests apply operation plans to it without AWS. The AWS objects are the
//! shared finders' plain types (`crate::aws`), re-exported here; what is the hub's own is the
//! data center (a Direct Connect association or a VPN connection, with its attachment) and the
//! attachments it does not manage.

use std::collections::{BTreeMap, BTreeSet};

#[cfg(test)]
use crate::framework::tags::OWNER_TAG;

pub(crate) use crate::aws::Tags;
pub(crate) use crate::aws::direct_connect::DirectConnectAssociation;
pub(crate) use crate::aws::ec2::attachment::{AttachmentSummary, VpcAttachment};
pub(crate) use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
pub(crate) use crate::aws::ec2::subnet::Subnet;
/// A static route in the hub route table.
pub(crate) use crate::aws::ec2::tgw_route_table::TransitGatewayRoute as HubRoute;
pub(crate) use crate::aws::ec2::transit_gateway::TransitGateway;
pub(crate) use crate::aws::ec2::vpc::Vpc;
pub(crate) use crate::aws::ec2::vpn::VpnConnection;
pub(crate) use crate::aws::ram::Share;

/// VPCs, subnets and route tables by id: what plan-time checks need, in three calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Networks {
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub route_tables: BTreeMap<String, RouteTable>,
}

/// The Transit Gateway attachment of the data center (Direct Connect gateway or VPN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataCenterAttachment {
    pub id: String,
    pub state: String,
    pub tags: Tags,
    pub associated_route_table: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DataCenterLink {
    DirectConnect {
        association_id: String,
        gateway_id: String,
        state: String,
        allowed_prefixes: BTreeSet<String>,
    },
    Vpn {
        connection_id: String,
        customer_gateway_id: String,
        /// `None` when AWS does not report it (then the configured value is kept).
        static_routes_only: Option<bool>,
        state: String,
        tags: Tags,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataCenter {
    pub link: DataCenterLink,
    /// Appears once AWS has created it (right after the VPN connection, or with the Direct
    /// Connect association).
    pub attachment: Option<DataCenterAttachment>,
}

impl From<&AttachmentSummary> for DataCenterAttachment {
    fn from(summary: &AttachmentSummary) -> Self {
        DataCenterAttachment {
            id: summary.id.clone(),
            state: summary.state.clone(),
            tags: summary.tags.clone(),
            associated_route_table: summary.associated_route_table.clone(),
        }
    }
}

impl From<DirectConnectAssociation> for DataCenterLink {
    fn from(association: DirectConnectAssociation) -> Self {
        DataCenterLink::DirectConnect {
            association_id: association.id,
            gateway_id: association.direct_connect_gateway_id,
            state: association.state,
            allowed_prefixes: association.allowed_prefixes,
        }
    }
}

impl From<VpnConnection> for DataCenterLink {
    fn from(connection: VpnConnection) -> Self {
        DataCenterLink::Vpn {
            connection_id: connection.id,
            customer_gateway_id: connection.customer_gateway_id,
            static_routes_only: connection.static_routes_only,
            state: connection.state,
            tags: connection.tags,
        }
    }
}

/// An attachment of the Transit Gateway that this hub does not manage (another account's
/// spoke, or one made by hand). It is never touched, but it blocks deleting the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ForeignAttachment {
    pub id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_owner_id: String,
    pub state: String,
    /// The hub route table it is associated with, if any.
    pub associated_route_table: Option<String>,
    /// The CIDRs the hub route table learned from it by propagation (now, or remembered from
    /// an earlier read: see `spokes`); empty while unknown.
    pub propagated_cidrs: BTreeSet<String>,
}

/// Everything observed about one hub. Attachments are keyed by VPC id: AWS allows one
/// attachment per VPC per Transit Gateway, so the VPC is the attachment's real identity and
/// configuration keys are only labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Topology {
    pub tgw: Option<TransitGateway>,
    pub share: Option<Share>,
    pub attachments: BTreeMap<String, VpcAttachment>,
    pub data_center: Option<DataCenter>,
    /// Attachment ids propagating into the hub route table.
    pub propagations: BTreeSet<String>,
    /// Static routes of the hub route table, by destination.
    pub hub_routes: BTreeMap<String, HubRoute>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub route_tables: BTreeMap<String, RouteTable>,
    pub foreign_attachments: Vec<ForeignAttachment>,
    /// For a destroy: the routes of the state that another hub's gateway holds now (taken
    /// over), which the destroy leaves and its warning names.
    pub left_to_others: Vec<super::handover::LeftRoute>,
}

impl Topology {
    pub(crate) fn tgw_id(&self) -> Option<&str> {
        self.tgw.as_ref().map(|t| t.id.as_str())
    }

    /// The hub route table: the gateway's default association route table.
    pub(crate) fn hub_route_table_id(&self) -> Option<&str> {
        self.tgw
            .as_ref()?
            .association_default_route_table_id
            .as_deref()
    }

    /// Whether an object's tags say it belongs to this hub.
    #[cfg(test)]
    pub(crate) fn owns(&self, tags: &Tags) -> bool {
        self.tgw_id()
            .is_some_and(|id| tags.get(OWNER_TAG).map(String::as_str) == Some(id))
    }

    /// Another account's attachment, by id.
    pub(crate) fn spoke_attachment(&self, id: &str) -> Option<&ForeignAttachment> {
        self.foreign_attachments.iter().find(|a| a.id == id)
    }

    pub(crate) fn data_center_attachment_id(&self) -> Option<&str> {
        Some(self.data_center.as_ref()?.attachment.as_ref()?.id.as_str())
    }

    /// Routes of `table` that point at this hub's Transit Gateway.
    pub(crate) fn routes_to_hub<'a>(
        &'a self,
        table: &'a RouteTable,
    ) -> impl Iterator<Item = &'a VpcRoute> {
        let tgw = self.tgw_id().unwrap_or("\u{0}none");
        table.routes.iter().filter(move |r| r.target == tgw)
    }

    pub(crate) fn record_vpc_route(&mut self, table_id: &str, destination: &str, target: &str) {
        if let Some(table) = self.route_tables.get_mut(table_id) {
            table.routes.retain(|r| r.destination != destination);
            table.routes.push(VpcRoute {
                destination: destination.to_string(),
                target: target.to_string(),
                state: "active".to_string(),
            });
            table.routes.sort();
        }
    }

    pub(crate) fn forget_vpc_route(&mut self, table_id: &str, destination: &str) {
        if let Some(table) = self.route_tables.get_mut(table_id) {
            table.routes.retain(|r| r.destination != destination);
        }
    }

    pub(crate) fn record_hub_route(&mut self, destination: &str, attachment_id: &str) {
        self.hub_routes.insert(
            destination.to_string(),
            HubRoute {
                destination: destination.to_string(),
                attachment_id: Some(attachment_id.to_string()),
                state: "active".to_string(),
            },
        );
    }

    pub(crate) fn record_propagation(&mut self, attachment_id: &str, enabled: bool) {
        if enabled {
            self.propagations.insert(attachment_id.to_string());
        } else {
            self.propagations.remove(attachment_id);
        }
    }

    /// Drops an attachment and whatever AWS drops with it (its association and propagation).
    pub(crate) fn forget_attachment(&mut self, vpc_id: &str) {
        if let Some(attachment) = self.attachments.remove(vpc_id) {
            self.propagations.remove(&attachment.id);
        }
    }

    pub(crate) fn forget_data_center(&mut self) {
        if let Some(attachment) = self.data_center.take().and_then(|dc| dc.attachment) {
            self.propagations.remove(&attachment.id);
            for route in self.hub_routes.values_mut() {
                if route.attachment_id.as_deref() == Some(attachment.id.as_str()) {
                    route.attachment_id = None;
                    route.state = "blackhole".to_string();
                }
            }
        }
    }

    /// After DeleteTransitGateway: nothing of the hub is left.
    pub(crate) fn forget_transit_gateway(&mut self) {
        self.tgw = None;
        self.attachments.clear();
        self.data_center = None;
        self.propagations.clear();
        self.hub_routes.clear();
        self.share = None;
    }
}

/// An available gateway whose hub route table `tgw-rtb-1` is its default association and
/// propagation table: the tests' hub after a create.
#[cfg(test)]
pub(crate) fn available_gateway(id: &str) -> TransitGateway {
    TransitGateway {
        id: id.into(),
        arn: format!("arn:aws:ec2:eu-west-1:111122223333:transit-gateway/{id}"),
        owner_id: "111122223333".into(),
        state: "available".into(),
        description: None,
        amazon_side_asn: 64512,
        auto_accept_shared_attachments: true,
        dns_support: true,
        vpn_ecmp_support: true,
        cidr_blocks: BTreeSet::new(),
        association_default_route_table_id: Some("tgw-rtb-1".into()),
        propagation_default_route_table_id: Some("tgw-rtb-1".into()),
        tags: Tags::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_is_the_owner_tag_naming_this_gateway() {
        let mut topology = Topology::default();
        let tagged = Tags::from([(OWNER_TAG.to_string(), "tgw-1".to_string())]);
        assert!(!topology.owns(&tagged), "no gateway, nothing is ours");
        topology.tgw = Some(available_gateway("tgw-1"));
        assert!(topology.owns(&tagged));
        topology.tgw = Some(available_gateway("tgw-2"));
        assert!(!topology.owns(&tagged));
    }

    #[test]
    fn deleting_the_data_center_blackholes_its_static_routes() {
        let mut topology = Topology {
            tgw: Some(available_gateway("tgw-1")),
            data_center: Some(DataCenter {
                link: DataCenterLink::Vpn {
                    connection_id: "vpn-1".into(),
                    customer_gateway_id: "cgw-1".into(),
                    static_routes_only: Some(true),
                    state: "available".into(),
                    tags: Tags::new(),
                },
                attachment: Some(DataCenterAttachment {
                    id: "tgw-attach-vpn".into(),
                    state: "available".into(),
                    tags: Tags::new(),
                    associated_route_table: Some("tgw-rtb-1".into()),
                }),
            }),
            ..Topology::default()
        };
        topology.record_hub_route("192.168.0.0/16", "tgw-attach-vpn");
        topology.record_propagation("tgw-attach-vpn", true);
        topology.forget_data_center();
        assert!(topology.propagations.is_empty());
        let route = &topology.hub_routes["192.168.0.0/16"];
        assert_eq!(
            (route.attachment_id.as_deref(), route.state.as_str()),
            (None, "blackhole")
        );
    }
}
