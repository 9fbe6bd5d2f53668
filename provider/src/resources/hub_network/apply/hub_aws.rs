//! The seam between the executor and AWS: [`HubAws`] lists every AWS call the executor makes,
//! in the plain types `crate::aws` finders return and accept. [`LiveHubAws`] is AWS (each
//! method is the `crate::aws` function of the same name, paced, retried and bounded by the
//! operation's budget, so production calls are exactly what they were); the unit tests run
//! the executor against an in-memory AWS (`fake.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;

use crate::aws::Tags;
use crate::aws::call::Aws;
use crate::aws::direct_connect::DirectConnectAssociation;
use crate::aws::ec2::attachment::{AttachmentSummary, VpcAttachment, VpcAttachmentSpec};
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::ec2::transit_gateway::{
    TransitGateway, TransitGatewayModification, TransitGatewaySpec,
};
use crate::aws::ec2::vpn::VpnConnection;
use crate::aws::retry::{Budget, OpError};
use crate::aws::waiter::Poll;
use crate::config::clients::AwsClients;
use crate::framework::context::Ctx;

/// The AWS calls of the hub executor. Each answers as the `crate::aws` function of the same
/// name does: after pacing and retries, so an error is final.
#[async_trait]
pub(crate) trait HubAws: Send + Sync {
    // The Transit Gateway.
    async fn create_transit_gateway(
        &self,
        spec: &TransitGatewaySpec,
    ) -> Result<TransitGateway, OpError>;
    async fn modify_transit_gateway(
        &self,
        id: &str,
        change: &TransitGatewayModification,
    ) -> Result<(), OpError>;
    async fn delete_transit_gateway(&self, id: &str) -> Result<(), OpError>;
    async fn transit_gateway_available(&self, id: &str) -> Result<Poll<TransitGateway>, OpError>;
    async fn transit_gateway_deleted(&self, id: &str) -> Result<Poll<()>, OpError>;

    // Tags of EC2 objects.
    async fn create_tags(&self, id: &str, tags: &Tags) -> Result<(), OpError>;
    async fn delete_tags(&self, id: &str, keys: &BTreeSet<String>) -> Result<(), OpError>;

    // The RAM share.
    async fn create_share(
        &self,
        name: &str,
        resource_arn: &str,
        principals: &BTreeSet<String>,
        allow_external: bool,
        tags: &Tags,
        client_token: &str,
    ) -> Result<String, OpError>;
    async fn update_share(
        &self,
        arn: &str,
        name: Option<&str>,
        allow_external: Option<bool>,
    ) -> Result<(), OpError>;
    async fn associate_share(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
        resources: &[String],
    ) -> Result<(), OpError>;
    async fn disassociate_principals(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
    ) -> Result<(), OpError>;
    async fn delete_share(&self, arn: &str) -> Result<(), OpError>;
    async fn tag_share(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError>;

    // Attachments.
    async fn create_vpc_attachment(
        &self,
        spec: VpcAttachmentSpec<'_>,
    ) -> Result<VpcAttachment, OpError>;
    async fn modify_vpc_attachment(
        &self,
        id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
        appliance_mode: Option<bool>,
        dns_support: Option<bool>,
    ) -> Result<(), OpError>;
    async fn delete_vpc_attachment(&self, id: &str) -> Result<(), OpError>;
    async fn vpc_attachments(&self, tgw_id: &str) -> Result<Vec<VpcAttachment>, OpError>;
    async fn transit_gateway_attachments(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<AttachmentSummary>, OpError>;
    async fn vpc_attachment_gone(&self, id: &str) -> Result<Poll<()>, OpError>;
    async fn accept_vpc_attachment(&self, id: &str) -> Result<(), OpError>;
    async fn vpc_attachment_available(&self, id: &str) -> Result<Poll<VpcAttachment>, OpError>;
    async fn accept_client_vpn_attachment(&self, id: &str) -> Result<(), OpError>;
    async fn attachment_available(&self, id: &str) -> Result<Poll<AttachmentSummary>, OpError>;

    // The data center: Direct Connect or VPN.
    async fn create_direct_connect_association(
        &self,
        gateway_id: &str,
        tgw_id: &str,
        allowed_prefixes: &BTreeSet<String>,
    ) -> Result<DirectConnectAssociation, OpError>;
    async fn update_direct_connect_association(
        &self,
        association_id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError>;
    async fn delete_direct_connect_association(&self, association_id: &str) -> Result<(), OpError>;
    async fn direct_connect_associations(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError>;
    async fn direct_connect_gateway_associations(
        &self,
        gateway_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError>;
    async fn create_vpn_connection(
        &self,
        tgw_id: &str,
        customer_gateway_id: &str,
        static_routes_only: bool,
        tags: &Tags,
    ) -> Result<VpnConnection, OpError>;
    async fn delete_vpn_connection(&self, id: &str) -> Result<(), OpError>;
    async fn vpn_connections(&self, ids: &BTreeSet<String>) -> Result<Vec<VpnConnection>, OpError>;

    // The hub route table.
    async fn associate_route_table(&self, table: &str, attachment: &str) -> Result<(), OpError>;
    async fn set_propagation(
        &self,
        table: &str,
        attachment: &str,
        enabled: bool,
    ) -> Result<(), OpError>;
    async fn put_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
        attachment: &str,
        replace: bool,
    ) -> Result<(), OpError>;
    async fn delete_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
    ) -> Result<(), OpError>;

    // VPC route tables.
    async fn create_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError>;
    async fn delete_vpc_route(&self, table: &str, destination: &str) -> Result<(), OpError>;
    async fn replace_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError>;
    async fn route_tables(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError>;
}

/// AWS: the configured clients and the operation's budget (pacing, retries, deadline,
/// StopProvider), through the shared `crate::aws` finders and mutators.
pub(crate) struct LiveHubAws {
    clients: Arc<AwsClients>,
    budget: Budget,
}

impl LiveHubAws {
    pub(crate) fn new(clients: Arc<AwsClients>, budget: Budget) -> Self {
        Self { clients, budget }
    }

    /// The resource operation's AWS, as the executor takes it.
    pub(crate) fn of(ctx: &Ctx) -> Arc<dyn HubAws> {
        Arc::new(Self::new(ctx.clients.clone(), ctx.budget.clone()))
    }

    fn aws(&self) -> Aws<'_> {
        Aws::new(&self.clients, &self.budget)
    }
}

#[async_trait]
impl HubAws for LiveHubAws {
    async fn create_transit_gateway(
        &self,
        spec: &TransitGatewaySpec,
    ) -> Result<TransitGateway, OpError> {
        self.aws().create_transit_gateway(spec).await
    }

    async fn modify_transit_gateway(
        &self,
        id: &str,
        change: &TransitGatewayModification,
    ) -> Result<(), OpError> {
        self.aws().modify_transit_gateway(id, change).await
    }

    async fn delete_transit_gateway(&self, id: &str) -> Result<(), OpError> {
        self.aws().delete_transit_gateway(id).await
    }

    async fn transit_gateway_available(&self, id: &str) -> Result<Poll<TransitGateway>, OpError> {
        self.aws().transit_gateway_available(id).await
    }

    async fn transit_gateway_deleted(&self, id: &str) -> Result<Poll<()>, OpError> {
        self.aws().transit_gateway_deleted(id).await
    }

    async fn create_tags(&self, id: &str, tags: &Tags) -> Result<(), OpError> {
        self.aws().create_tags(id, tags).await
    }

    async fn delete_tags(&self, id: &str, keys: &BTreeSet<String>) -> Result<(), OpError> {
        self.aws().delete_tags(id, keys).await
    }

    async fn create_share(
        &self,
        name: &str,
        resource_arn: &str,
        principals: &BTreeSet<String>,
        allow_external: bool,
        tags: &Tags,
        client_token: &str,
    ) -> Result<String, OpError> {
        self.aws()
            .create_share(
                name,
                resource_arn,
                principals,
                allow_external,
                tags,
                client_token,
            )
            .await
    }

    async fn update_share(
        &self,
        arn: &str,
        name: Option<&str>,
        allow_external: Option<bool>,
    ) -> Result<(), OpError> {
        self.aws().update_share(arn, name, allow_external).await
    }

    async fn associate_share(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
        resources: &[String],
    ) -> Result<(), OpError> {
        self.aws().associate_share(arn, principals, resources).await
    }

    async fn disassociate_principals(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        self.aws().disassociate_principals(arn, principals).await
    }

    async fn delete_share(&self, arn: &str) -> Result<(), OpError> {
        self.aws().delete_share(arn).await
    }

    async fn tag_share(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        self.aws().tag_share(arn, set, remove).await
    }

    async fn create_vpc_attachment(
        &self,
        spec: VpcAttachmentSpec<'_>,
    ) -> Result<VpcAttachment, OpError> {
        self.aws().create_vpc_attachment(spec).await
    }

    async fn modify_vpc_attachment(
        &self,
        id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
        appliance_mode: Option<bool>,
        dns_support: Option<bool>,
    ) -> Result<(), OpError> {
        self.aws()
            .modify_vpc_attachment(id, add, remove, appliance_mode, dns_support)
            .await
    }

    async fn delete_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        self.aws().delete_vpc_attachment(id).await
    }

    async fn vpc_attachments(&self, tgw_id: &str) -> Result<Vec<VpcAttachment>, OpError> {
        self.aws().vpc_attachments(tgw_id).await
    }

    async fn transit_gateway_attachments(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<AttachmentSummary>, OpError> {
        self.aws().transit_gateway_attachments(tgw_id).await
    }

    async fn vpc_attachment_gone(&self, id: &str) -> Result<Poll<()>, OpError> {
        self.aws().vpc_attachment_gone(id).await
    }

    async fn accept_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        self.aws().accept_vpc_attachment(id).await
    }

    async fn vpc_attachment_available(&self, id: &str) -> Result<Poll<VpcAttachment>, OpError> {
        self.aws().vpc_attachment_available(id).await
    }

    async fn accept_client_vpn_attachment(&self, id: &str) -> Result<(), OpError> {
        self.aws().accept_client_vpn_attachment(id).await
    }

    async fn attachment_available(&self, id: &str) -> Result<Poll<AttachmentSummary>, OpError> {
        self.aws().attachment_available(id).await
    }

    async fn create_direct_connect_association(
        &self,
        gateway_id: &str,
        tgw_id: &str,
        allowed_prefixes: &BTreeSet<String>,
    ) -> Result<DirectConnectAssociation, OpError> {
        self.aws()
            .create_direct_connect_association(gateway_id, tgw_id, allowed_prefixes)
            .await
    }

    async fn update_direct_connect_association(
        &self,
        association_id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        self.aws()
            .update_direct_connect_association(association_id, add, remove)
            .await
    }

    async fn delete_direct_connect_association(&self, association_id: &str) -> Result<(), OpError> {
        self.aws()
            .delete_direct_connect_association(association_id)
            .await
    }

    async fn direct_connect_associations(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        self.aws().direct_connect_associations(tgw_id).await
    }

    async fn direct_connect_gateway_associations(
        &self,
        gateway_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        self.aws()
            .direct_connect_gateway_associations(gateway_id)
            .await
    }

    async fn create_vpn_connection(
        &self,
        tgw_id: &str,
        customer_gateway_id: &str,
        static_routes_only: bool,
        tags: &Tags,
    ) -> Result<VpnConnection, OpError> {
        self.aws()
            .create_vpn_connection(tgw_id, customer_gateway_id, static_routes_only, tags)
            .await
    }

    async fn delete_vpn_connection(&self, id: &str) -> Result<(), OpError> {
        self.aws().delete_vpn_connection(id).await
    }

    async fn vpn_connections(&self, ids: &BTreeSet<String>) -> Result<Vec<VpnConnection>, OpError> {
        self.aws().vpn_connections(ids).await
    }

    async fn associate_route_table(&self, table: &str, attachment: &str) -> Result<(), OpError> {
        self.aws().associate_route_table(table, attachment).await
    }

    async fn set_propagation(
        &self,
        table: &str,
        attachment: &str,
        enabled: bool,
    ) -> Result<(), OpError> {
        self.aws().set_propagation(table, attachment, enabled).await
    }

    async fn put_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
        attachment: &str,
        replace: bool,
    ) -> Result<(), OpError> {
        self.aws()
            .put_transit_gateway_route(table, destination, attachment, replace)
            .await
    }

    async fn delete_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
    ) -> Result<(), OpError> {
        self.aws()
            .delete_transit_gateway_route(table, destination)
            .await
    }

    async fn create_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        self.aws()
            .create_vpc_route(table, destination, tgw_id)
            .await
    }

    async fn replace_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        self.aws()
            .replace_vpc_route(table, destination, tgw_id)
            .await
    }

    async fn delete_vpc_route(&self, table: &str, destination: &str) -> Result<(), OpError> {
        self.aws().delete_vpc_route(table, destination).await
    }

    async fn route_tables(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        self.aws().route_tables(ids).await
    }
}
