//! The AWS calls of this resource: finders that turn SDK answers into topology types, and
//! mutators. Every call waits for its EC2 rate-limit token first (the governor), is retried
//! with backoff on the errors the reference lists as temporary, and gives up as soon as the
//! operation is stopped or out of time. Lookups are batched: one call (per page) for all
//! objects of a kind, with filters rather than ids so a missing object is an absence to report,
//! not an error that hides the others.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use aws_sdk_ec2::types::{
    ApplianceModeSupportValue, AutoAcceptSharedAttachmentsValue,
    CreateTransitGatewayVpcAttachmentRequestOptions, DefaultRouteTableAssociationValue,
    DefaultRouteTablePropagationValue, DnsSupportValue, Filter, ModifyTransitGatewayOptions,
    ModifyTransitGatewayVpcAttachmentRequestOptions, ResourceType, Tag, TagSpecification,
    TransitGatewayRequestOptions, VpnConnectionOptionsSpecification, VpnEcmpSupportValue,
};
use ipnet::IpNet;

use super::diff::{TgwModification, TgwSpec};
use super::topology::{
    DataCenterAttachment, DataCenterLink, HubRoute, RouteTable, Share, Subnet, Tags,
    TransitGateway, Vpc, VpcAttachment, VpcRoute,
};
use crate::aws::errors::{AwsError, ErrorClass};
use crate::aws::governor::Lane;
use crate::aws::pages::{Page, all_pages};
use crate::aws::retry::{Budget, InFlight, OpError, RetryOn, with_retries_in_flight};
use crate::config::clients::AwsClients;

/// How many values one EC2 filter may carry.
const FILTER_VALUES: usize = 200;

/// Runs `read` once per chunk of at most [`FILTER_VALUES`] ids, EC2's limit on the values of
/// one filter, and gathers what every chunk found. No ids, no call.
async fn per_filter_chunk<'a, C, I, F, Fut>(
    ids: impl IntoIterator<Item = &'a String>,
    mut read: F,
) -> Result<C, OpError>
where
    C: Default + Extend<I::Item>,
    I: IntoIterator,
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<I, OpError>>,
{
    let ids: Vec<String> = ids.into_iter().cloned().collect();
    let mut found = C::default();
    for chunk in ids.chunks(FILTER_VALUES) {
        found.extend(read(chunk.to_vec()).await?);
    }
    Ok(found)
}

/// Attachment states after which an attachment no longer exists.
pub const GONE: [&str; 3] = ["deleted", "failed", "rejected"];

/// The clients and the time budget of one resource operation.
#[derive(Clone)]
pub struct Aws<'a> {
    pub clients: &'a AwsClients,
    pub budget: &'a Budget,
}

fn ec2_tags(tags: Option<&[Tag]>) -> Tags {
    tags.unwrap_or_default()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn to_ec2_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn tag_specification(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(to_ec2_tags(tags)))
        .build()
}

fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

fn enable(on: bool) -> &'static str {
    if on { "enable" } else { "disable" }
}

fn is_enabled(value: Option<&str>) -> bool {
    value == Some("enable")
}

fn ipv6(destination: &str) -> bool {
    destination.contains(':')
}

impl Aws<'_> {
    /// One call: paced, retried, and bounded by the budget.
    async fn call<T, F, Fut>(
        &self,
        lane: Lane,
        retry_on: RetryOn,
        mut call: F,
    ) -> Result<T, OpError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let governor = self.clients.governor.clone();
        let budget = self.budget;
        // Boxed: SDK futures are large, and a hub operation nests many of them; keeping each
        // call on the heap keeps the poll chain within a worker thread's stack.
        // A change in flight is answered even after a stop, so that what it made is recorded.
        let in_flight = match lane {
            Lane::Describe => InFlight::Abandon,
            _ => InFlight::Finish,
        };
        let result = Box::pin(with_retries_in_flight(budget, retry_on, in_flight, || {
            let governor = governor.clone();
            let attempt = Box::pin(call());
            async move {
                // A pacing wait that ends early (stop, deadline) sends nothing.
                if let Err(why) = governor.pace(lane, budget).await {
                    return Err(AwsError::not_sent(&why));
                }
                attempt.await
            }
        }))
        .await;
        match result {
            Err(_) if budget.cancel.is_cancelled() => Err(OpError::Cancelled),
            Err(OpError::Aws(error)) if error.is_not_sent() => Err(OpError::Timeout(
                "waiting for an AWS rate-limit token".into(),
            )),
            other => other,
        }
    }

    /// A paginated describe: one paced, retried call per page, to the last page.
    async fn listing<T, F, Fut>(&self, page: F) -> Result<Vec<T>, OpError>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, AwsError>>,
    {
        let page = &page;
        all_pages(|token| {
            self.call(Lane::Describe, RetryOn::default(), move || {
                page(token.clone())
            })
        })
        .await
    }

    fn ec2(&self) -> &aws_sdk_ec2::Client {
        &self.clients.ec2
    }

    // ------------------------------------------------------------------------------------
    // Finders

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
        let found = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_transit_gateways()
                    .transit_gateway_ids(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeTransitGateways", e))
            })
            .await;
        let output = match found {
            Ok(output) => output,
            Err(OpError::Aws(e)) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(output
            .transit_gateways()
            .iter()
            .find(|t| t.transit_gateway_id() == Some(id))
            .map(transit_gateway_of))
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

    /// Every VPC attachment of the Transit Gateway that still exists.
    pub async fn vpc_attachments(&self, tgw_id: &str) -> Result<Vec<VpcAttachment>, OpError> {
        self.vpc_attachments_where(filter("transit-gateway-id", [tgw_id]))
            .await
    }

    /// The listed attachments (one call per poll while waiting for several).
    pub async fn vpc_attachments_by_id(
        &self,
        ids: &[String],
    ) -> Result<Vec<VpcAttachment>, OpError> {
        per_filter_chunk(ids, |chunk| {
            self.vpc_attachments_where(filter("transit-gateway-attachment-id", chunk))
        })
        .await
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
                    let state = a
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default();
                    if GONE.contains(&state.as_str()) {
                        return None;
                    }
                    let options = a.options();
                    Some(VpcAttachment {
                        id: a
                            .transit_gateway_attachment_id()
                            .unwrap_or_default()
                            .to_string(),
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
                        tags: ec2_tags(Some(a.tags())),
                        associated_route_table: None,
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Every attachment of the Transit Gateway (all kinds) that still exists.
    pub async fn attachments(&self, tgw_id: &str) -> Result<Vec<AttachmentSummary>, OpError> {
        self.listing(|token| async {
            let page = self
                .ec2()
                .describe_transit_gateway_attachments()
                .filters(filter("transit-gateway-id", [tgw_id]))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeTransitGatewayAttachments", e))?;
            let found = page
                .transit_gateway_attachments()
                .iter()
                .filter_map(|a| {
                    let state = a
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default();
                    if GONE.contains(&state.as_str()) {
                        return None;
                    }
                    Some(AttachmentSummary {
                        id: a
                            .transit_gateway_attachment_id()
                            .unwrap_or_default()
                            .to_string(),
                        resource_type: a
                            .resource_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        resource_id: a.resource_id().unwrap_or_default().to_string(),
                        resource_owner_id: a.resource_owner_id().unwrap_or_default().to_string(),
                        state,
                        associated_route_table: a
                            .association()
                            .filter(|s| s.state().map(|s| s.as_str()) != Some("disassociated"))
                            .and_then(|s| s.transit_gateway_route_table_id())
                            .map(str::to_string),
                        tags: ec2_tags(Some(a.tags())),
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Attachment ids propagating into `table`.
    pub async fn propagations(&self, table: &str) -> Result<BTreeSet<String>, OpError> {
        let found = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .get_transit_gateway_route_table_propagations()
                    .transit_gateway_route_table_id(table)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| {
                        AwsError::from_sdk("GetTransitGatewayRouteTablePropagations", e)
                    })?;
                let found = page
                    .transit_gateway_route_table_propagations()
                    .iter()
                    .filter(|p| p.state().map(|s| s.as_str()) != Some("disabled"))
                    .filter_map(|p| p.transit_gateway_attachment_id().map(str::to_string))
                    .collect();
                Ok(Page::new(found, page.next_token()))
            })
            .await?;
        Ok(found.into_iter().collect())
    }

    /// Static routes of the hub route table. SearchTransitGatewayRoutes returns at most 1,000
    /// routes; a hub never needs that many static routes (one per data-center CIDR), and an
    /// answer that says more exist is reported rather than silently truncated.
    pub async fn static_routes(&self, table: &str) -> Result<Vec<HubRoute>, OpError> {
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .search_transit_gateway_routes()
                    .transit_gateway_route_table_id(table)
                    .filters(filter("type", ["static"]))
                    .max_results(1000)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("SearchTransitGatewayRoutes", e))
            })
            .await?;
        if output.additional_routes_available() == Some(true) {
            return Err(OpError::Refused(format!(
                "the hub route table {table} has more than 1,000 static routes; the hub cannot \
                 read them all (SearchTransitGatewayRoutes stops at 1,000). Remove static \
                 routes that are not the hub's."
            )));
        }
        Ok(output
            .routes()
            .iter()
            .filter_map(|r| {
                Some(HubRoute {
                    destination: r.destination_cidr_block()?.to_string(),
                    attachment_id: r
                        .transit_gateway_attachments()
                        .first()
                        .and_then(|a| a.transit_gateway_attachment_id())
                        .map(str::to_string),
                    state: r
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                })
            })
            .collect())
    }

    pub async fn vpcs(&self, ids: &BTreeSet<String>) -> Result<BTreeMap<String, Vpc>, OpError> {
        let vpcs: Vec<aws_sdk_ec2::types::Vpc> = per_filter_chunk(ids, |chunk| async move {
            let by = filter("vpc-id", chunk);
            self.listing(|token| async {
                let page = self
                    .ec2()
                    .describe_vpcs()
                    .filters(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeVpcs", e))?;
                Ok(Page::new(page.vpcs().to_vec(), page.next_token()))
            })
            .await
        })
        .await?;
        Ok(vpcs
            .iter()
            .filter_map(|vpc| {
                let id = vpc.vpc_id()?;
                let mut cidrs: BTreeSet<String> = vpc
                    .cidr_block_association_set()
                    .iter()
                    .filter(|a| {
                        a.cidr_block_state()
                            .and_then(|s| s.state())
                            .is_none_or(|s| s.as_str() == "associated")
                    })
                    .filter_map(|a| a.cidr_block().map(str::to_string))
                    .collect();
                if let Some(primary) = vpc.cidr_block() {
                    cidrs.insert(primary.to_string());
                }
                Some((
                    id.to_string(),
                    Vpc {
                        id: id.to_string(),
                        owner_id: vpc.owner_id().unwrap_or_default().to_string(),
                        cidr_blocks: cidrs
                            .into_iter()
                            .map(|c| {
                                c.parse::<IpNet>()
                                    .map(|n| n.trunc().to_string())
                                    .unwrap_or(c)
                            })
                            .collect(),
                    },
                ))
            })
            .collect())
    }

    pub async fn subnets(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, Subnet>, OpError> {
        let subnets: Vec<aws_sdk_ec2::types::Subnet> = per_filter_chunk(ids, |chunk| async move {
            let by = filter("subnet-id", chunk);
            self.listing(|token| async {
                let page = self
                    .ec2()
                    .describe_subnets()
                    .filters(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeSubnets", e))?;
                Ok(Page::new(page.subnets().to_vec(), page.next_token()))
            })
            .await
        })
        .await?;
        Ok(subnets
            .iter()
            .filter_map(|subnet| {
                let id = subnet.subnet_id()?;
                Some((
                    id.to_string(),
                    Subnet {
                        id: id.to_string(),
                        vpc_id: subnet.vpc_id().unwrap_or_default().to_string(),
                        availability_zone: subnet
                            .availability_zone_id()
                            .or(subnet.availability_zone())
                            .unwrap_or_default()
                            .to_string(),
                    },
                ))
            })
            .collect())
    }

    /// The listed route tables with all their routes (one call for all of them).
    pub async fn route_tables(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        per_filter_chunk(ids, |chunk| {
            self.route_tables_where(vec![filter("route-table-id", chunk)])
        })
        .await
    }

    /// Route tables of the listed VPCs that route something to `tgw_id` (import).
    pub async fn route_tables_to(
        &self,
        vpc_ids: &BTreeSet<String>,
        tgw_id: &str,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        per_filter_chunk(vpc_ids, |chunk| {
            self.route_tables_where(vec![
                filter("vpc-id", chunk),
                filter("route.transit-gateway-id", [tgw_id]),
            ])
        })
        .await
    }

    async fn route_tables_where(
        &self,
        filters: Vec<Filter>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        let tables = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .describe_route_tables()
                    .set_filters(Some(filters.clone()))
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeRouteTables", e))?;
                Ok(Page::new(page.route_tables().to_vec(), page.next_token()))
            })
            .await?;
        Ok(tables
            .iter()
            .filter_map(|table| {
                let id = table.route_table_id()?.to_string();
                let mut routes: Vec<VpcRoute> = table
                    .routes()
                    .iter()
                    .filter_map(|r| {
                        let destination = r
                            .destination_cidr_block()
                            .or(r.destination_ipv6_cidr_block())?
                            .to_string();
                        let target = [
                            r.transit_gateway_id(),
                            r.gateway_id(),
                            r.nat_gateway_id(),
                            r.vpc_peering_connection_id(),
                            r.network_interface_id(),
                            r.instance_id(),
                            r.egress_only_internet_gateway_id(),
                            r.local_gateway_id(),
                            r.carrier_gateway_id(),
                            r.core_network_arn(),
                        ]
                        .into_iter()
                        .flatten()
                        .next()
                        .unwrap_or("unknown")
                        .to_string();
                        Some(VpcRoute {
                            destination,
                            target,
                            state: r
                                .state()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        })
                    })
                    .collect();
                routes.sort();
                Some((
                    id.clone(),
                    RouteTable {
                        id,
                        vpc_id: table.vpc_id().unwrap_or_default().to_string(),
                        routes,
                    },
                ))
            })
            .collect())
    }

    /// The share by ARN, or else the share tagged as this hub's; `None` when neither exists.
    pub async fn find_share(
        &self,
        arn: Option<&str>,
        owner_tag: (&str, &str),
    ) -> Result<Option<Share>, OpError> {
        use aws_sdk_ram::types::{ResourceOwner, ResourceShareStatus, TagFilter};
        let ram = &self.clients.ram;
        let shares = self
            .call(Lane::Describe, RetryOn::default(), || async {
                let mut request = ram
                    .get_resource_shares()
                    .resource_owner(ResourceOwner::SelfValue)
                    .resource_share_status(ResourceShareStatus::Active);
                request = match arn {
                    Some(arn) => request.resource_share_arns(arn),
                    None => request.tag_filters(
                        TagFilter::builder()
                            .tag_key(owner_tag.0)
                            .tag_values(owner_tag.1)
                            .build(),
                    ),
                };
                request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("GetResourceShares", e))
            })
            .await;
        let shares = match shares {
            Ok(shares) => shares,
            Err(OpError::Aws(e)) if e.is_not_found() || e.has_code("MalformedArnException") => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let Some(share) = shares
            .resource_shares()
            .iter()
            .find(|s| s.status().map(|s| s.as_str()) == Some("ACTIVE"))
        else {
            return Ok(None);
        };
        let share_arn = share.resource_share_arn().unwrap_or_default().to_string();
        let principals = self.share_associations(&share_arn, true).await?;
        let resources = self.share_associations(&share_arn, false).await?;
        Ok(Some(Share {
            arn: share_arn,
            name: share.name().unwrap_or_default().to_string(),
            allow_external_principals: share.allow_external_principals().unwrap_or(true),
            principals,
            resources,
            tags: share
                .tags()
                .iter()
                .filter_map(|t| {
                    Some((
                        t.key()?.to_string(),
                        t.value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
        }))
    }

    /// Principals (or resources) of a share that are associated or on their way.
    async fn share_associations(
        &self,
        arn: &str,
        principals: bool,
    ) -> Result<BTreeSet<String>, OpError> {
        use aws_sdk_ram::types::ResourceShareAssociationType;
        let ram = &self.clients.ram;
        let kind = if principals {
            ResourceShareAssociationType::Principal
        } else {
            ResourceShareAssociationType::Resource
        };
        let found = self
            .listing(|token| async {
                let page = ram
                    .get_resource_share_associations()
                    .association_type(kind.clone())
                    .resource_share_arns(arn)
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("GetResourceShareAssociations", e))?;
                let found = page
                    .resource_share_associations()
                    .iter()
                    .filter(|a| {
                        matches!(
                            a.status().map(|s| s.as_str()),
                            Some("ASSOCIATED" | "ASSOCIATING")
                        )
                    })
                    .filter_map(|a| a.associated_entity().map(str::to_string))
                    .collect();
                Ok(Page::new(found, page.next_token()))
            })
            .await?;
        Ok(found.into_iter().collect())
    }

    /// ARNs of the active shares that contain `resource_arn` (import).
    pub async fn shares_containing(&self, resource_arn: &str) -> Result<Vec<String>, OpError> {
        use aws_sdk_ram::types::ResourceShareAssociationType;
        let ram = &self.clients.ram;
        self.call(Lane::Describe, RetryOn::default(), || async {
            let page = ram
                .get_resource_share_associations()
                .association_type(ResourceShareAssociationType::Resource)
                .resource_arn(resource_arn)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("GetResourceShareAssociations", e))?;
            Ok(page
                .resource_share_associations()
                .iter()
                .filter(|a| a.status().map(|s| s.as_str()) == Some("ASSOCIATED"))
                .filter_map(|a| a.resource_share_arn().map(str::to_string))
                .collect())
        })
        .await
    }

    /// Direct Connect gateway associations of the Transit Gateway.
    pub async fn direct_connect_associations(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<DataCenterLink>, OpError> {
        let dx = &self.clients.direct_connect;
        self.listing(|token| async {
            let page = dx
                .describe_direct_connect_gateway_associations()
                .associated_gateway_id(tgw_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeDirectConnectGatewayAssociations", e))?;
            let found = page
                .direct_connect_gateway_associations()
                .iter()
                .filter_map(|a| {
                    let state = a
                        .association_state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default();
                    if state == "disassociated" {
                        return None;
                    }
                    Some(DataCenterLink::DirectConnect {
                        association_id: a.association_id().unwrap_or_default().to_string(),
                        gateway_id: a
                            .direct_connect_gateway_id()
                            .unwrap_or_default()
                            .to_string(),
                        state,
                        allowed_prefixes: a
                            .allowed_prefixes_to_direct_connect_gateway()
                            .iter()
                            .filter_map(|p| p.cidr().map(str::to_string))
                            .collect(),
                    })
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// The listed VPN connections that still exist.
    pub async fn vpn_connections(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<DataCenterLink>, OpError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_vpn_connections()
                    .set_vpn_connection_ids(Some(ids.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeVpnConnections", e))
            })
            .await;
        let output = match found {
            Ok(output) => output,
            // Gone long enough that EC2 forgot it.
            Err(OpError::Aws(e)) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(output
            .vpn_connections()
            .iter()
            .filter(|v| {
                !matches!(
                    v.state().map(|s| s.as_str()),
                    Some("deleted") | Some("deleting")
                )
            })
            .map(|v| DataCenterLink::Vpn {
                connection_id: v.vpn_connection_id().unwrap_or_default().to_string(),
                customer_gateway_id: v.customer_gateway_id().unwrap_or_default().to_string(),
                static_routes_only: v.options().and_then(|o| o.static_routes_only()),
                state: v
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                tags: ec2_tags(Some(v.tags())),
            })
            .collect())
    }

    /// The Amazon side ASN of a Direct Connect gateway, or `None` when it does not exist.
    pub async fn direct_connect_gateway_asn(&self, id: &str) -> Result<Option<i64>, OpError> {
        let dx = &self.clients.direct_connect;
        let found = self
            .call(Lane::Describe, RetryOn::default(), || async {
                dx.describe_direct_connect_gateways()
                    .direct_connect_gateway_id(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeDirectConnectGateways", e))
            })
            .await;
        match found {
            Ok(output) => Ok(output
                .direct_connect_gateways()
                .iter()
                .find(|g| g.direct_connect_gateway_id() == Some(id))
                .map(|g| g.amazon_side_asn().unwrap_or_default())),
            // Direct Connect answers an unknown gateway with a client exception.
            Err(OpError::Aws(e)) if e.has_code("DirectConnectClientException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether a customer gateway exists (and is not deleted).
    pub async fn customer_gateway_exists(&self, id: &str) -> Result<bool, OpError> {
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_customer_gateways()
                    .filters(filter("customer-gateway-id", [id]))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeCustomerGateways", e))
            })
            .await?;
        Ok(output
            .customer_gateways()
            .iter()
            .any(|c| c.customer_gateway_id() == Some(id) && c.state() != Some("deleted")))
    }

    // ------------------------------------------------------------------------------------
    // Transit Gateway

    pub async fn create_transit_gateway(&self, spec: &TgwSpec) -> Result<TransitGateway, OpError> {
        let options = TransitGatewayRequestOptions::builder()
            .amazon_side_asn(spec.amazon_side_asn)
            .auto_accept_shared_attachments(AutoAcceptSharedAttachmentsValue::from(enable(
                spec.auto_accept_shared_attachments,
            )))
            .default_route_table_association(DefaultRouteTableAssociationValue::Enable)
            .default_route_table_propagation(DefaultRouteTablePropagationValue::Disable)
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

    pub async fn modify_transit_gateway(
        &self,
        id: &str,
        change: &TgwModification,
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

    /// CreateTags on one EC2 object; retried on NotFound because a freshly created object
    /// may not be visible to the tagging API yet.
    pub async fn tag(&self, id: &str, tags: &Tags) -> Result<(), OpError> {
        if tags.is_empty() {
            return Ok(());
        }
        self.call(Lane::Tags, RetryOn { not_found: true }, || async {
            self.ec2()
                .create_tags()
                .resources(id)
                .set_tags(Some(to_ec2_tags(tags)))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("CreateTags", e))
        })
        .await
        .map(|_| ())
    }

    pub async fn untag(&self, id: &str, keys: &BTreeSet<String>) -> Result<(), OpError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.call(Lane::Tags, RetryOn::default(), || async {
            self.ec2()
                .delete_tags()
                .resources(id)
                .set_tags(Some(
                    keys.iter().map(|k| Tag::builder().key(k).build()).collect(),
                ))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DeleteTags", e))
        })
        .await
        .map(|_| ())
    }

    // ------------------------------------------------------------------------------------
    // RAM

    /// Creates the share with the Transit Gateway in it. RAM may not see a Transit Gateway
    /// that just became available (`UnknownResourceException`): retried.
    pub async fn create_share(
        &self,
        name: &str,
        tgw_arn: &str,
        principals: &BTreeSet<String>,
        allow_external: bool,
        tags: &Tags,
    ) -> Result<String, OpError> {
        let ram = &self.clients.ram;
        let ram_tags: Vec<aws_sdk_ram::types::Tag> = tags
            .iter()
            .map(|(k, v)| aws_sdk_ram::types::Tag::builder().key(k).value(v).build())
            .collect();
        let output = self
            .call(Lane::Describe, RetryOn { not_found: true }, || async {
                ram.create_resource_share()
                    .name(name)
                    .resource_arns(tgw_arn)
                    .set_principals(Some(principals.iter().cloned().collect()))
                    .allow_external_principals(allow_external)
                    .set_tags(Some(ram_tags.clone()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateResourceShare", e))
            })
            .await?;
        output
            .resource_share()
            .and_then(|s| s.resource_share_arn())
            .map(str::to_string)
            .ok_or_else(|| OpError::Refused("CreateResourceShare answered without a share".into()))
    }

    pub async fn update_share(
        &self,
        arn: &str,
        name: Option<&str>,
        allow_external: Option<bool>,
    ) -> Result<(), OpError> {
        let ram = &self.clients.ram;
        self.call(Lane::Describe, RetryOn::default(), || async {
            ram.update_resource_share()
                .resource_share_arn(arn)
                .set_name(name.map(str::to_string))
                .set_allow_external_principals(allow_external)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("UpdateResourceShare", e))
        })
        .await
        .map(|_| ())
    }

    pub async fn associate_share(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
        resources: &[String],
    ) -> Result<(), OpError> {
        let ram = &self.clients.ram;
        self.call(Lane::Describe, RetryOn { not_found: true }, || async {
            ram.associate_resource_share()
                .resource_share_arn(arn)
                .set_principals(
                    (!principals.is_empty()).then(|| principals.iter().cloned().collect()),
                )
                .set_resource_arns((!resources.is_empty()).then(|| resources.to_vec()))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("AssociateResourceShare", e))
        })
        .await
        .map(|_| ())
    }

    pub async fn disassociate_principals(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let ram = &self.clients.ram;
        // One principal per call: one that is already gone must not stop the others.
        for principal in principals {
            let result = self
                .call(Lane::Describe, RetryOn::default(), || async {
                    ram.disassociate_resource_share()
                        .resource_share_arn(arn)
                        .principals(principal)
                        .send()
                        .await
                        .map_err(|e| AwsError::from_sdk("DisassociateResourceShare", e))
                })
                .await;
            ignore_not_found(result.map(|_| ()))?;
        }
        Ok(())
    }

    pub async fn delete_share(&self, arn: &str) -> Result<(), OpError> {
        let ram = &self.clients.ram;
        let result = self
            .call(Lane::Describe, RetryOn::default(), || async {
                ram.delete_resource_share()
                    .resource_share_arn(arn)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DeleteResourceShare", e))
            })
            .await
            .map(|_| ());
        match result {
            // Already deleted.
            Err(OpError::Aws(e)) if e.has_code("OperationNotPermittedException") => Ok(()),
            other => ignore_not_found(other),
        }
    }

    pub async fn tag_share(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let ram = &self.clients.ram;
        if !set.is_empty() {
            let tags: Vec<aws_sdk_ram::types::Tag> = set
                .iter()
                .map(|(k, v)| aws_sdk_ram::types::Tag::builder().key(k).value(v).build())
                .collect();
            self.call(Lane::Describe, RetryOn::default(), || async {
                ram.tag_resource()
                    .resource_share_arn(arn)
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("TagResource", e))
            })
            .await?;
        }
        if !remove.is_empty() {
            self.call(Lane::Describe, RetryOn::default(), || async {
                ram.untag_resource()
                    .resource_share_arn(arn)
                    .set_tag_keys(Some(remove.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("UntagResource", e))
            })
            .await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------------------
    // Attachments

    pub async fn create_vpc_attachment(
        &self,
        tgw_id: &str,
        vpc_id: &str,
        subnet_ids: &BTreeSet<String>,
        appliance_mode: bool,
        dns_support: bool,
        tags: &Tags,
    ) -> Result<VpcAttachment, OpError> {
        let options = CreateTransitGatewayVpcAttachmentRequestOptions::builder()
            .appliance_mode_support(ApplianceModeSupportValue::from(enable(appliance_mode)))
            .dns_support(DnsSupportValue::from(enable(dns_support)))
            .build();
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .create_transit_gateway_vpc_attachment()
                    .transit_gateway_id(tgw_id)
                    .vpc_id(vpc_id)
                    .set_subnet_ids(Some(subnet_ids.iter().cloned().collect()))
                    .options(options.clone())
                    .tag_specifications(tag_specification(
                        ResourceType::TransitGatewayAttachment,
                        tags,
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
            vpc_id: vpc_id.to_string(),
            vpc_owner_id: a.vpc_owner_id().unwrap_or_default().to_string(),
            state: a
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "pending".into()),
            subnet_ids: subnet_ids.clone(),
            appliance_mode_support: appliance_mode,
            dns_support,
            tags: tags.clone(),
            associated_route_table: None,
        })
    }

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

    pub async fn associate(&self, table: &str, attachment: &str) -> Result<(), OpError> {
        let result = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .associate_transit_gateway_route_table()
                    .transit_gateway_route_table_id(table)
                    .transit_gateway_attachment_id(attachment)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("AssociateTransitGatewayRouteTable", e))
            })
            .await
            .map(|_| ());
        ignore_already_exists(result)
    }

    pub async fn set_propagation(
        &self,
        table: &str,
        attachment: &str,
        enabled: bool,
    ) -> Result<(), OpError> {
        if enabled {
            let result = self
                .call(Lane::Mutate, RetryOn::default(), || async {
                    self.ec2()
                        .enable_transit_gateway_route_table_propagation()
                        .transit_gateway_route_table_id(table)
                        .transit_gateway_attachment_id(attachment)
                        .send()
                        .await
                        .map_err(|e| {
                            AwsError::from_sdk("EnableTransitGatewayRouteTablePropagation", e)
                        })
                })
                .await
                .map(|_| ());
            ignore_already_exists(result)
        } else {
            let result = self
                .call(Lane::Mutate, RetryOn::default(), || async {
                    self.ec2()
                        .disable_transit_gateway_route_table_propagation()
                        .transit_gateway_route_table_id(table)
                        .transit_gateway_attachment_id(attachment)
                        .send()
                        .await
                        .map_err(|e| {
                            AwsError::from_sdk("DisableTransitGatewayRouteTablePropagation", e)
                        })
                })
                .await
                .map(|_| ());
            ignore_not_found(result)
        }
    }

    // ------------------------------------------------------------------------------------
    // Data center

    pub async fn create_direct_connect_association(
        &self,
        gateway_id: &str,
        tgw_id: &str,
        prefixes: &BTreeSet<String>,
    ) -> Result<DataCenterLink, OpError> {
        use aws_sdk_directconnect::types::RouteFilterPrefix;
        let dx = &self.clients.direct_connect;
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                dx.create_direct_connect_gateway_association()
                    .direct_connect_gateway_id(gateway_id)
                    .gateway_id(tgw_id)
                    .set_add_allowed_prefixes_to_direct_connect_gateway(Some(
                        prefixes
                            .iter()
                            .map(|c| RouteFilterPrefix::builder().cidr(c).build())
                            .collect(),
                    ))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateDirectConnectGatewayAssociation", e))
            })
            .await?;
        let a = output.direct_connect_gateway_association().ok_or_else(|| {
            OpError::Refused(
                "CreateDirectConnectGatewayAssociation answered without an association".into(),
            )
        })?;
        Ok(DataCenterLink::DirectConnect {
            association_id: a.association_id().unwrap_or_default().to_string(),
            gateway_id: gateway_id.to_string(),
            state: a
                .association_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "associating".into()),
            allowed_prefixes: prefixes.clone(),
        })
    }

    pub async fn update_direct_connect_association(
        &self,
        association_id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        use aws_sdk_directconnect::types::RouteFilterPrefix;
        let dx = &self.clients.direct_connect;
        let prefixes = |set: &BTreeSet<String>| {
            (!set.is_empty()).then(|| {
                set.iter()
                    .map(|c| RouteFilterPrefix::builder().cidr(c).build())
                    .collect()
            })
        };
        self.call(Lane::Mutate, RetryOn::default(), || async {
            dx.update_direct_connect_gateway_association()
                .association_id(association_id)
                .set_add_allowed_prefixes_to_direct_connect_gateway(prefixes(add))
                .set_remove_allowed_prefixes_to_direct_connect_gateway(prefixes(remove))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("UpdateDirectConnectGatewayAssociation", e))
        })
        .await
        .map(|_| ())
    }

    pub async fn delete_direct_connect_association(
        &self,
        association_id: &str,
    ) -> Result<(), OpError> {
        let dx = &self.clients.direct_connect;
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                dx.delete_direct_connect_gateway_association()
                    .association_id(association_id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DeleteDirectConnectGatewayAssociation", e))
            })
            .await
            .map(|_| ()),
        )
    }

    pub async fn create_vpn_connection(
        &self,
        tgw_id: &str,
        customer_gateway_id: &str,
        static_routes_only: bool,
        tags: &Tags,
    ) -> Result<DataCenterLink, OpError> {
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .create_vpn_connection()
                    .r#type("ipsec.1")
                    .customer_gateway_id(customer_gateway_id)
                    .transit_gateway_id(tgw_id)
                    .options(
                        VpnConnectionOptionsSpecification::builder()
                            .static_routes_only(static_routes_only)
                            .build(),
                    )
                    .tag_specifications(tag_specification(ResourceType::VpnConnection, tags))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateVpnConnection", e))
            })
            .await?;
        let v = output.vpn_connection().ok_or_else(|| {
            OpError::Refused("CreateVpnConnection answered without a connection".into())
        })?;
        Ok(DataCenterLink::Vpn {
            connection_id: v.vpn_connection_id().unwrap_or_default().to_string(),
            customer_gateway_id: customer_gateway_id.to_string(),
            static_routes_only: Some(static_routes_only),
            state: v
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "pending".into()),
            tags: tags.clone(),
        })
    }

    pub async fn delete_vpn_connection(&self, id: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_vpn_connection()
                    .vpn_connection_id(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DeleteVpnConnection", e))
            })
            .await
            .map(|_| ()),
        )
    }

    // ------------------------------------------------------------------------------------
    // Routes

    /// A static route in a Transit Gateway route table (`replace`: ReplaceTransitGatewayRoute).
    pub async fn put_hub_route(
        &self,
        table: &str,
        destination: &str,
        attachment: &str,
        replace: bool,
    ) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            if replace {
                self.ec2()
                    .replace_transit_gateway_route()
                    .transit_gateway_route_table_id(table)
                    .destination_cidr_block(destination)
                    .transit_gateway_attachment_id(attachment)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("ReplaceTransitGatewayRoute", e))
            } else {
                self.ec2()
                    .create_transit_gateway_route()
                    .transit_gateway_route_table_id(table)
                    .destination_cidr_block(destination)
                    .transit_gateway_attachment_id(attachment)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("CreateTransitGatewayRoute", e))
            }
        })
        .await
    }

    pub async fn delete_hub_route(&self, table: &str, destination: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_transit_gateway_route()
                    .transit_gateway_route_table_id(table)
                    .destination_cidr_block(destination)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteTransitGatewayRoute", e))
            })
            .await,
        )
    }

    /// A VPC route to the Transit Gateway. Right after the gateway is shared or created, EC2
    /// may not know it yet (`InvalidTransitGatewayID.NotFound`): retried.
    pub async fn create_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn { not_found: true }, || async {
            let request = self
                .ec2()
                .create_route()
                .route_table_id(table)
                .transit_gateway_id(tgw_id);
            let request = if ipv6(destination) {
                request.destination_ipv6_cidr_block(destination)
            } else {
                request.destination_cidr_block(destination)
            };
            request
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("CreateRoute", e))
        })
        .await
    }

    pub async fn delete_vpc_route(&self, table: &str, destination: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                let request = self.ec2().delete_route().route_table_id(table);
                let request = if ipv6(destination) {
                    request.destination_ipv6_cidr_block(destination)
                } else {
                    request.destination_cidr_block(destination)
                };
                request
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteRoute", e))
            })
            .await,
        )
    }
}

/// One attachment of any kind, as DescribeTransitGatewayAttachments reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentSummary {
    pub id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_owner_id: String,
    pub state: String,
    pub associated_route_table: Option<String>,
    pub tags: Tags,
}

impl AttachmentSummary {
    pub fn as_data_center(&self) -> DataCenterAttachment {
        DataCenterAttachment {
            id: self.id.clone(),
            state: self.state.clone(),
            tags: self.tags.clone(),
            associated_route_table: self.associated_route_table.clone(),
        }
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
        state: t
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
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
        hub_route_table_id: options
            .and_then(|o| o.association_default_route_table_id())
            .map(str::to_string),
        tags: ec2_tags(Some(t.tags())),
    }
}

/// A delete of something already gone succeeded.
fn ignore_not_found(result: Result<(), OpError>) -> Result<(), OpError> {
    match result {
        Err(OpError::Aws(e)) if e.class == ErrorClass::NotFound => Ok(()),
        other => other,
    }
}

/// An association or propagation that is already there succeeded.
fn ignore_already_exists(result: Result<(), OpError>) -> Result<(), OpError> {
    match result {
        Err(OpError::Aws(e)) if e.class == ErrorClass::AlreadyExists => Ok(()),
        other => other,
    }
}
