//! Transit Gateways: find one by id, the tags of several, create, modify, delete, and the
//! states a wait looks for.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{
    AutoAcceptSharedAttachmentsValue, DefaultRouteTableAssociationValue,
    DefaultRouteTablePropagationValue, DnsSupportValue, ModifyTransitGatewayOptions, ResourceType,
    TransitGatewayRequestOptions, VpnEcmpSupportValue,
};

use super::{enable, filter, is_enabled, state_text, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::{Aws, found, ignore_not_found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};
use crate::aws::waiter::Poll;

/// A Transit Gateway as DescribeTransitGateways reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitGateway {
    /// `tgw-…`.
    pub id: String,
    /// What RAM shares.
    pub arn: String,
    /// The account that owns it.
    pub owner_id: String,
    /// `pending`, `available`, `modifying`, `deleting`, `deleted`.
    pub state: String,
    /// Its description, if it has one.
    pub description: Option<String>,
    /// The BGP ASN on the AWS side.
    pub amazon_side_asn: i64,
    /// Whether attachments from other accounts are accepted without a call.
    pub auto_accept_shared_attachments: bool,
    /// Whether DNS resolution works across attachments.
    pub dns_support: bool,
    /// Whether VPN connections share traffic over equal-cost paths.
    pub vpn_ecmp_support: bool,
    /// CIDR blocks of the gateway itself (for Connect peers).
    pub cidr_blocks: BTreeSet<String>,
    /// The route table new attachments are associated with (the default association route
    /// table), when default association is on.
    pub association_default_route_table_id: Option<String>,
    /// The route table new attachments propagate into, when default propagation is on.
    pub propagation_default_route_table_id: Option<String>,
    /// Its tags.
    pub tags: Tags,
}

/// A Transit Gateway to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitGatewaySpec {
    /// Its description, if any.
    pub description: Option<String>,
    /// The BGP ASN on the AWS side.
    pub amazon_side_asn: i64,
    /// Whether attachments from other accounts are accepted without a call.
    pub auto_accept_shared_attachments: bool,
    /// New attachments are associated with the default route table.
    pub default_route_table_association: bool,
    /// New attachments propagate into the default route table.
    pub default_route_table_propagation: bool,
    /// Whether DNS resolution works across attachments.
    pub dns_support: bool,
    /// Whether VPN connections share traffic over equal-cost paths.
    pub vpn_ecmp_support: bool,
    /// CIDR blocks of the gateway itself.
    pub cidr_blocks: BTreeSet<String>,
    /// Tags to create it with.
    pub tags: Tags,
}

/// What ModifyTransitGateway changes; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransitGatewayModification {
    /// A new description.
    pub description: Option<String>,
    /// A new BGP ASN on the AWS side.
    pub amazon_side_asn: Option<i64>,
    /// Whether to accept attachments from other accounts without a call.
    pub auto_accept_shared_attachments: Option<bool>,
    /// Whether DNS resolution works across attachments.
    pub dns_support: Option<bool>,
    /// Whether VPN connections share traffic over equal-cost paths.
    pub vpn_ecmp_support: Option<bool>,
    /// CIDR blocks to add to the gateway.
    pub add_cidr_blocks: BTreeSet<String>,
    /// CIDR blocks to remove from the gateway.
    pub remove_cidr_blocks: BTreeSet<String>,
    /// Default propagation: `Some(Some(table))` makes every new attachment propagate into
    /// `table`, `Some(None)` turns default propagation off.
    pub propagate_by_default_into: Option<Option<String>>,
}

impl TransitGatewayModification {
    /// Changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == TransitGatewayModification::default()
    }

    /// What AWS does with the modification once it is done (the state aside): for the
    /// in-memory AWS of the executor's tests and the property tests' simulator.
    #[cfg(test)]
    pub(crate) fn apply_to(&self, tgw: &mut TransitGateway) {
        if let Some(d) = &self.description {
            tgw.description = Some(d.clone()).filter(|d| !d.is_empty());
        }
        if let Some(asn) = self.amazon_side_asn {
            tgw.amazon_side_asn = asn;
        }
        if let Some(on) = self.auto_accept_shared_attachments {
            tgw.auto_accept_shared_attachments = on;
        }
        if let Some(on) = self.dns_support {
            tgw.dns_support = on;
        }
        if let Some(on) = self.vpn_ecmp_support {
            tgw.vpn_ecmp_support = on;
        }
        tgw.cidr_blocks
            .retain(|c| !self.remove_cidr_blocks.contains(c));
        tgw.cidr_blocks.extend(self.add_cidr_blocks.iter().cloned());
        if let Some(table) = &self.propagate_by_default_into {
            tgw.propagation_default_route_table_id = table.clone();
        }
    }
}

impl Aws<'_> {
    /// The Transit Gateway, or `None` when it is gone (deleted, deleting, or unknown).
    pub async fn find_transit_gateway(&self, id: &str) -> Result<Option<TransitGateway>, OpError> {
        Ok(self
            .describe_transit_gateway(id)
            .await?
            .filter(|t| t.state != "deleted" && t.state != "deleting"))
    }

    /// The Transit Gateway in whatever state, `None` when AWS no longer knows it.
    pub async fn describe_transit_gateway(
        &self,
        id: &str,
    ) -> Result<Option<TransitGateway>, OpError> {
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_transit_gateways()
                    .transit_gateway_ids(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeTransitGateways", e))
            })
            .await;
        Ok(found(output, AwsError::is_not_found)?.and_then(|output| {
            output
                .transit_gateways()
                .iter()
                .find(|t| t.transit_gateway_id() == Some(id))
                .map(transit_gateway_of)
        }))
    }

    /// Tags of the listed Transit Gateways (those that exist), by id.
    pub async fn transit_gateway_tags(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, Tags>, OpError> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_transit_gateways()
                    .filters(filter("transit-gateway-id", ids.iter().cloned()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeTransitGateways", e))
            })
            .await?;
        Ok(output
            .transit_gateways()
            .iter()
            .map(transit_gateway_of)
            .filter(|t| t.state != "deleted")
            .map(|t| (t.id, t.tags))
            .collect())
    }

    /// Every Transit Gateway of the account and Region that carries the tag `key`, whatever
    /// its value (`deleting` and `deleted` ones left out): how a create finds what an earlier,
    /// interrupted create of the same configuration made.
    pub(crate) async fn transit_gateways_tagged(
        &self,
        key: &str,
    ) -> Result<Vec<TransitGateway>, OpError> {
        self.transit_gateways_where(filter("tag-key", [key.to_string()]))
            .await
    }

    /// Every Transit Gateway of the account and Region whose tag `key` is exactly `value`
    /// (`deleting` and `deleted` ones left out), with the gateways shared with this account
    /// that this account tagged so: how a hub is found by its `Name`.
    pub(crate) async fn transit_gateways_with_tag(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<TransitGateway>, OpError> {
        self.transit_gateways_where(filter(&format!("tag:{key}"), [value.to_string()]))
            .await
    }

    /// The gateways one filter selects, every page, sorted by id.
    async fn transit_gateways_where(
        &self,
        by: aws_sdk_ec2::types::Filter,
    ) -> Result<Vec<TransitGateway>, OpError> {
        let mut found: Vec<TransitGateway> = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .describe_transit_gateways()
                    .filters(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeTransitGateways", e))?;
                let found = page
                    .transit_gateways()
                    .iter()
                    .map(transit_gateway_of)
                    .filter(|t| t.state != "deleted" && t.state != "deleting")
                    .collect();
                Ok(Page::new(found, page.next_token()))
            })
            .await?;
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    /// Creates a Transit Gateway; it is `pending` until a wait sees it `available`.
    pub async fn create_transit_gateway(
        &self,
        spec: &TransitGatewaySpec,
    ) -> Result<TransitGateway, OpError> {
        let options = TransitGatewayRequestOptions::builder()
            .amazon_side_asn(spec.amazon_side_asn)
            .auto_accept_shared_attachments(AutoAcceptSharedAttachmentsValue::from(enable(
                spec.auto_accept_shared_attachments,
            )))
            .default_route_table_association(DefaultRouteTableAssociationValue::from(enable(
                spec.default_route_table_association,
            )))
            .default_route_table_propagation(DefaultRouteTablePropagationValue::from(enable(
                spec.default_route_table_propagation,
            )))
            .dns_support(DnsSupportValue::from(enable(spec.dns_support)))
            .vpn_ecmp_support(VpnEcmpSupportValue::from(enable(spec.vpn_ecmp_support)))
            .set_transit_gateway_cidr_blocks(
                (!spec.cidr_blocks.is_empty()).then(|| spec.cidr_blocks.iter().cloned().collect()),
            )
            .build();
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .create_transit_gateway()
                    .set_description(spec.description.clone())
                    .options(options.clone())
                    .tag_specifications(tag_specification(ResourceType::TransitGateway, &spec.tags))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateTransitGateway", e))
            })
            .await?;
        output
            .transit_gateway()
            .map(transit_gateway_of)
            .ok_or_else(|| {
                OpError::Refused("CreateTransitGateway answered without a transit gateway".into())
            })
    }

    /// Applies a modification; the gateway is `modifying` for a while after.
    pub async fn modify_transit_gateway(
        &self,
        id: &str,
        change: &TransitGatewayModification,
    ) -> Result<(), OpError> {
        let mut options = ModifyTransitGatewayOptions::builder()
            .set_add_transit_gateway_cidr_blocks(
                (!change.add_cidr_blocks.is_empty())
                    .then(|| change.add_cidr_blocks.iter().cloned().collect()),
            )
            .set_remove_transit_gateway_cidr_blocks(
                (!change.remove_cidr_blocks.is_empty())
                    .then(|| change.remove_cidr_blocks.iter().cloned().collect()),
            )
            .set_amazon_side_asn(change.amazon_side_asn);
        if let Some(on) = change.auto_accept_shared_attachments {
            options = options
                .auto_accept_shared_attachments(AutoAcceptSharedAttachmentsValue::from(enable(on)));
        }
        if let Some(on) = change.dns_support {
            options = options.dns_support(DnsSupportValue::from(enable(on)));
        }
        if let Some(on) = change.vpn_ecmp_support {
            options = options.vpn_ecmp_support(VpnEcmpSupportValue::from(enable(on)));
        }
        if let Some(table) = &change.propagate_by_default_into {
            options = options
                .default_route_table_propagation(DefaultRouteTablePropagationValue::from(enable(
                    table.is_some(),
                )))
                .set_propagation_default_route_table_id(table.clone());
        }
        let options = options.build();
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.ec2()
                .modify_transit_gateway()
                .transit_gateway_id(id)
                .set_description(change.description.clone())
                .options(options.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ModifyTransitGateway", e))
        })
        .await
        .map(|_| ())
    }

    /// Deletes a Transit Gateway; one already gone is not an error.
    pub async fn delete_transit_gateway(&self, id: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_transit_gateway()
                    .transit_gateway_id(id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteTransitGateway", e))
            })
            .await,
        )
    }

    /// One poll of a wait for the Transit Gateway to be `available` with its default
    /// association route table (AWS fills it in as the gateway becomes available); a gateway
    /// that is gone fails the wait.
    pub async fn transit_gateway_available(
        &self,
        id: &str,
    ) -> Result<Poll<TransitGateway>, OpError> {
        Ok(match self.find_transit_gateway(id).await? {
            Some(t) if t.state == "available" && t.association_default_route_table_id.is_some() => {
                Poll::Done(t)
            }
            Some(t) => Poll::Pending(t.state),
            None => Poll::Failed("deleted".into()),
        })
    }

    /// One poll of a wait for the Transit Gateway to be deleted.
    pub async fn transit_gateway_deleted(&self, id: &str) -> Result<Poll<()>, OpError> {
        Ok(match self.describe_transit_gateway(id).await? {
            None => Poll::Done(()),
            Some(t) if t.state == "deleted" => Poll::Done(()),
            Some(t) => Poll::Pending(t.state),
        })
    }
}

fn transit_gateway_of(t: &aws_sdk_ec2::types::TransitGateway) -> TransitGateway {
    let options = t.options();
    let option = |f: fn(&aws_sdk_ec2::types::TransitGatewayOptions) -> Option<&str>| {
        is_enabled(options.and_then(f))
    };
    TransitGateway {
        id: t.transit_gateway_id().unwrap_or_default().to_string(),
        arn: t.transit_gateway_arn().unwrap_or_default().to_string(),
        owner_id: t.owner_id().unwrap_or_default().to_string(),
        state: state_text(t.state()),
        description: t
            .description()
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        amazon_side_asn: options.and_then(|o| o.amazon_side_asn()).unwrap_or(64512),
        auto_accept_shared_attachments: option(|o| {
            o.auto_accept_shared_attachments().map(|v| v.as_str())
        }),
        dns_support: option(|o| o.dns_support().map(|v| v.as_str())),
        vpn_ecmp_support: option(|o| o.vpn_ecmp_support().map(|v| v.as_str())),
        cidr_blocks: options
            .map(|o| o.transit_gateway_cidr_blocks().iter().cloned().collect())
            .unwrap_or_default(),
        association_default_route_table_id: options
            .and_then(|o| o.association_default_route_table_id())
            .map(str::to_string),
        propagation_default_route_table_id: options
            .filter(|o| {
                is_enabled(
                    o.default_route_table_propagation()
                        .map(DefaultRouteTablePropagationValue::as_str),
                )
            })
            .and_then(|o| o.propagation_default_route_table_id())
            .map(str::to_string),
        tags: tags_of(t.tags()),
    }
}
