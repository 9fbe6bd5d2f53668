//! Transit Gateway attachments: the VPC attachments of a gateway or by id, every attachment of
//! a gateway (all kinds), and creating, modifying and deleting a VPC attachment.

use std::collections::BTreeSet;

use aws_sdk_ec2::operation::describe_transit_gateway_attachments::builders::DescribeTransitGatewayAttachmentsFluentBuilder as DescribeAttachments;

use aws_sdk_ec2::types::{
    ApplianceModeSupportValue, CreateTransitGatewayVpcAttachmentRequestOptions, DnsSupportValue,
    Filter, ModifyTransitGatewayVpcAttachmentRequestOptions, ResourceType,
};

use super::{enable, filter, is_enabled, state_text, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::{Aws, ignore_not_found, per_filter_chunk};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};
use crate::aws::waiter::Poll;

/// Attachment states after which an attachment no longer exists.
pub const GONE: [&str; 3] = ["deleted", "failed", "rejected"];

/// A Transit Gateway VPC attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcAttachment {
    /// `tgw-attach-…`.
    pub id: String,
    /// The gateway it attaches to.
    pub transit_gateway_id: String,
    /// The attached VPC.
    pub vpc_id: String,
    /// The account that owns the VPC.
    pub vpc_owner_id: String,
    /// `pendingAcceptance`, `pending`, `available`, `deleting`, … (see [`GONE`]).
    pub state: String,
    /// One subnet per Availability Zone the attachment uses.
    pub subnet_ids: BTreeSet<String>,
    /// Whether a flow stays in one Availability Zone both ways.
    pub appliance_mode_support: bool,
    /// Whether DNS resolution works across the attachment.
    pub dns_support: bool,
    /// Its tags.
    pub tags: Tags,
    /// The Transit Gateway route table it is associated with. DescribeTransitGatewayVpcAttachments
    /// does not say (the finders leave `None`); DescribeTransitGatewayAttachments does
    /// ([`AttachmentSummary::associated_route_table`]).
    pub associated_route_table: Option<String>,
}

/// A wait's poll of attachment `id`, `found` in `state` (or not found: gone for good). An
/// attachment in `pendingAcceptance` waits for the gateway's owner, never success.
fn availability<T>(id: &str, found: Option<T>, state: Option<String>) -> Poll<T> {
    match (found, state.as_deref()) {
        (Some(a), Some("available")) => Poll::Done(a),
        (Some(_), Some("pendingAcceptance")) => Poll::Pending(format!(
            "pendingAcceptance: waiting for the hub account to accept attachment {id}"
        )),
        (Some(_), Some(other)) => Poll::Pending(other.to_string()),
        _ => Poll::Failed(format!("{id} is gone (deleted, failed or rejected)")),
    }
}

/// One attachment of any kind, as DescribeTransitGatewayAttachments reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentSummary {
    /// `tgw-attach-…`.
    pub id: String,
    /// `vpc`, `vpn`, `direct-connect-gateway`, `peering`, …
    pub resource_type: String,
    /// The attached VPC, VPN connection or gateway.
    pub resource_id: String,
    /// The account that owns the attached resource.
    pub resource_owner_id: String,
    /// Its state (see [`GONE`]).
    pub state: String,
    /// The Transit Gateway route table it is associated with, if any.
    pub associated_route_table: Option<String>,
    /// Its tags.
    pub tags: Tags,
}

/// A VPC attachment to create.
#[derive(Clone, Copy, Debug)]
pub struct VpcAttachmentSpec<'a> {
    /// The gateway to attach to.
    pub transit_gateway_id: &'a str,
    /// The VPC to attach.
    pub vpc_id: &'a str,
    /// One subnet per Availability Zone to use.
    pub subnet_ids: &'a BTreeSet<String>,
    /// Whether a flow stays in one Availability Zone both ways.
    pub appliance_mode_support: bool,
    /// Whether DNS resolution works across the attachment.
    pub dns_support: bool,
    /// Tags to create it with.
    pub tags: &'a Tags,
}

impl Aws<'_> {
    /// Every VPC attachment of the Transit Gateway that still exists.
    pub async fn vpc_attachments(&self, tgw_id: &str) -> Result<Vec<VpcAttachment>, OpError> {
        self.vpc_attachments_where(filter("transit-gateway-id", [tgw_id]))
            .await
    }

    /// The listed attachments that still exist (one call per poll while waiting for several).
    pub async fn vpc_attachments_by_id(
        &self,
        ids: &[String],
    ) -> Result<Vec<VpcAttachment>, OpError> {
        per_filter_chunk(ids, |chunk| {
            self.vpc_attachments_where(filter("transit-gateway-attachment-id", chunk))
        })
        .await
    }

    /// Every VPC attachment of the VPC that still exists, to any gateway this account sees
    /// (its own or shared with it): how a spoke finds its attachment before it knows its id.
    pub async fn vpc_attachments_of_vpc(
        &self,
        vpc_id: &str,
    ) -> Result<Vec<VpcAttachment>, OpError> {
        self.vpc_attachments_where(filter("vpc-id", [vpc_id])).await
    }

    /// Every VPC attachment this account sees that carries the tag `key`, whatever its value:
    /// how a list finds the attachments the provider made.
    pub(crate) async fn vpc_attachments_tagged(
        &self,
        key: &str,
    ) -> Result<Vec<VpcAttachment>, OpError> {
        self.vpc_attachments_where(filter("tag-key", [key])).await
    }

    async fn vpc_attachments_where(&self, by: Filter) -> Result<Vec<VpcAttachment>, OpError> {
        self.listing(|token| async {
            let page = self
                .ec2()
                .describe_transit_gateway_vpc_attachments()
                .filters(by.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeTransitGatewayVpcAttachments", e))?;
            let found = page
                .transit_gateway_vpc_attachments()
                .iter()
                .filter_map(|a| {
                    let state = state_text(a.state());
                    if GONE.contains(&state.as_str()) {
                        return None;
                    }
                    let options = a.options();
                    Some(VpcAttachment {
                        id: a
                            .transit_gateway_attachment_id()
                            .unwrap_or_default()
                            .to_string(),
                        transit_gateway_id: a.transit_gateway_id().unwrap_or_default().to_string(),
                        vpc_id: a.vpc_id().unwrap_or_default().to_string(),
                        vpc_owner_id: a.vpc_owner_id().unwrap_or_default().to_string(),
                        state,
                        subnet_ids: a.subnet_ids().iter().cloned().collect(),
                        appliance_mode_support: is_enabled(
                            options
                                .and_then(|o| o.appliance_mode_support())
                                .map(|v| v.as_str()),
                        ),
                        dns_support: is_enabled(
                            options.and_then(|o| o.dns_support()).map(|v| v.as_str()),
                        ),
                        tags: tags_of(a.tags()),
                        associated_route_table: None,
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Every attachment of the Transit Gateway (all kinds) that still exists.
    pub async fn transit_gateway_attachments(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<AttachmentSummary>, OpError> {
        self.attachment_summaries(|call| call.filters(filter("transit-gateway-id", [tgw_id])))
            .await
    }

    /// DescribeTransitGatewayAttachments narrowed by `narrow`, every page, without those gone.
    async fn attachment_summaries(
        &self,
        narrow: impl Fn(DescribeAttachments) -> DescribeAttachments,
    ) -> Result<Vec<AttachmentSummary>, OpError> {
        self.listing(|token| async {
            let page = narrow(self.ec2().describe_transit_gateway_attachments())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeTransitGatewayAttachments", e))?;
            let found = page
                .transit_gateway_attachments()
                .iter()
                .filter_map(|a| {
                    let state = state_text(a.state());
                    if GONE.contains(&state.as_str()) {
                        return None;
                    }
                    Some(AttachmentSummary {
                        id: a
                            .transit_gateway_attachment_id()
                            .unwrap_or_default()
                            .to_string(),
                        resource_type: state_text(a.resource_type()),
                        resource_id: a.resource_id().unwrap_or_default().to_string(),
                        resource_owner_id: a.resource_owner_id().unwrap_or_default().to_string(),
                        state,
                        associated_route_table: a
                            .association()
                            .filter(|s| s.state().map(|s| s.as_str()) != Some("disassociated"))
                            .and_then(|s| s.transit_gateway_route_table_id())
                            .map(str::to_string),
                        tags: tags_of(a.tags()),
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// AcceptTransitGatewayClientVpnAttachment, by the gateway's owner: the attachment of a
    /// Client VPN endpoint another account attached waits in `pendingAcceptance` until then.
    pub async fn accept_client_vpn_attachment(&self, id: &str) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.ec2()
                .accept_transit_gateway_client_vpn_attachment()
                .transit_gateway_attachment_id(id)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("AcceptTransitGatewayClientVpnAttachment", e))
        })
        .await
        .map(|_| ())
    }

    /// One poll of a wait for an attachment of any kind to be `available`, read as
    /// DescribeTransitGatewayAttachments shows it (with its association).
    pub async fn attachment_available(&self, id: &str) -> Result<Poll<AttachmentSummary>, OpError> {
        let found = self
            .attachment_summaries(|call| call.transit_gateway_attachment_ids(id))
            .await?
            .into_iter()
            .next();
        let state = found.as_ref().map(|a| a.state.clone());
        Ok(availability(id, found, state))
    }

    /// Creates the attachment; what it returns is what was asked for, with the id, owner and
    /// state AWS answered.
    pub async fn create_vpc_attachment(
        &self,
        spec: VpcAttachmentSpec<'_>,
    ) -> Result<VpcAttachment, OpError> {
        let options = CreateTransitGatewayVpcAttachmentRequestOptions::builder()
            .appliance_mode_support(ApplianceModeSupportValue::from(enable(
                spec.appliance_mode_support,
            )))
            .dns_support(DnsSupportValue::from(enable(spec.dns_support)))
            .build();
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .create_transit_gateway_vpc_attachment()
                    .transit_gateway_id(spec.transit_gateway_id)
                    .vpc_id(spec.vpc_id)
                    .set_subnet_ids(Some(spec.subnet_ids.iter().cloned().collect()))
                    .options(options.clone())
                    .tag_specifications(tag_specification(
                        ResourceType::TransitGatewayAttachment,
                        spec.tags,
                    ))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateTransitGatewayVpcAttachment", e))
            })
            .await?;
        let a = output.transit_gateway_vpc_attachment().ok_or_else(|| {
            OpError::Refused(
                "CreateTransitGatewayVpcAttachment answered without an attachment".into(),
            )
        })?;
        Ok(VpcAttachment {
            id: a
                .transit_gateway_attachment_id()
                .unwrap_or_default()
                .to_string(),
            transit_gateway_id: spec.transit_gateway_id.to_string(),
            vpc_id: spec.vpc_id.to_string(),
            vpc_owner_id: a.vpc_owner_id().unwrap_or_default().to_string(),
            state: a
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "pending".into()),
            subnet_ids: spec.subnet_ids.clone(),
            appliance_mode_support: spec.appliance_mode_support,
            dns_support: spec.dns_support,
            tags: spec.tags.clone(),
            associated_route_table: None,
        })
    }

    /// Adds and removes subnets, and changes the options that are `Some`.
    pub async fn modify_vpc_attachment(
        &self,
        id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
        appliance_mode: Option<bool>,
        dns_support: Option<bool>,
    ) -> Result<(), OpError> {
        let options = (appliance_mode.is_some() || dns_support.is_some()).then(|| {
            ModifyTransitGatewayVpcAttachmentRequestOptions::builder()
                .set_appliance_mode_support(
                    appliance_mode.map(|on| ApplianceModeSupportValue::from(enable(on))),
                )
                .set_dns_support(dns_support.map(|on| DnsSupportValue::from(enable(on))))
                .build()
        });
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.ec2()
                .modify_transit_gateway_vpc_attachment()
                .transit_gateway_attachment_id(id)
                .set_add_subnet_ids((!add.is_empty()).then(|| add.iter().cloned().collect()))
                .set_remove_subnet_ids(
                    (!remove.is_empty()).then(|| remove.iter().cloned().collect()),
                )
                .set_options(options.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ModifyTransitGatewayVpcAttachment", e))
        })
        .await
        .map(|_| ())
    }

    /// Deletes the attachment; one already gone is not an error.
    pub async fn delete_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_transit_gateway_vpc_attachment()
                    .transit_gateway_attachment_id(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DeleteTransitGatewayVpcAttachment", e))
            })
            .await
            .map(|_| ()),
        )
    }

    /// AcceptTransitGatewayVpcAttachment, by the gateway's owner: another account's attachment
    /// waiting in `pendingAcceptance` goes `pending → available`. One already accepted
    /// (`IncorrectState` once it left `pendingAcceptance`) is for the caller's next poll to see.
    pub async fn accept_vpc_attachment(&self, id: &str) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.ec2()
                .accept_transit_gateway_vpc_attachment()
                .transit_gateway_attachment_id(id)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("AcceptTransitGatewayVpcAttachment", e))
        })
        .await
        .map(|_| ())
    }

    /// One poll of a wait for the attachment to be usable: `available`. `pendingAcceptance` is
    /// a state to wait through (the gateway's owner accepts or rejects it), never success.
    pub async fn vpc_attachment_available(&self, id: &str) -> Result<Poll<VpcAttachment>, OpError> {
        let found = self
            .vpc_attachments_by_id(&[id.to_string()])
            .await?
            .into_iter()
            .next();
        let state = found.as_ref().map(|a| a.state.clone());
        Ok(availability(id, found, state))
    }

    /// One poll of a wait for the attachment to be gone (deleted, failed or rejected).
    pub async fn vpc_attachment_gone(&self, id: &str) -> Result<Poll<()>, OpError> {
        let found = self.vpc_attachments_by_id(&[id.to_string()]).await?;
        Ok(match found.first() {
            None => Poll::Done(()),
            Some(a) => Poll::Pending(a.state.clone()),
        })
    }
}
