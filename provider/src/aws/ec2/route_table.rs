//! VPC route tables and their routes.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::Filter;

use super::{filter, state_text};
use crate::aws::call::{Aws, ignore_not_found, per_filter_chunk};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};

/// A route of a VPC route table; `target` is what it points at (`local`, `tgw-…`, `pcx-…`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct VpcRoute {
    pub destination: String,
    pub target: String,
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    /// Sorted.
    pub routes: Vec<VpcRoute>,
}

fn ipv6(destination: &str) -> bool {
    destination.contains(':')
}

impl Aws<'_> {
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

    /// Route tables of the listed VPCs that route something to the Transit Gateway `tgw_id`.
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

    /// The route tables explicitly associated with the listed subnets (a subnet without one
    /// uses its VPC's main table, which this does not return).
    pub async fn route_tables_of_subnets(
        &self,
        subnet_ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, RouteTable>, OpError> {
        per_filter_chunk(subnet_ids, |chunk| {
            self.route_tables_where(vec![filter("association.subnet-id", chunk)])
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
                            state: state_text(r.state()),
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

    /// A route to the Transit Gateway `tgw_id`. Right after the gateway is shared or created,
    /// EC2 may not know it yet (`InvalidTransitGatewayID.NotFound`): retried.
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

    /// Points an existing route at the Transit Gateway `tgw_id` in place (ReplaceRoute): the
    /// destination is routed throughout.
    pub async fn replace_vpc_route(
        &self,
        table: &str,
        destination: &str,
        tgw_id: &str,
    ) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn { not_found: true }, || async {
            let request = self
                .ec2()
                .replace_route()
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
                .map_err(|e| AwsError::from_sdk("ReplaceRoute", e))
        })
        .await
    }

    /// A route to the NAT gateway `nat_gateway_id`, which may still be `pending`.
    pub async fn create_nat_route(
        &self,
        table: &str,
        destination: &str,
        nat_gateway_id: &str,
    ) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn { not_found: true }, || async {
            self.ec2()
                .create_route()
                .route_table_id(table)
                .nat_gateway_id(nat_gateway_id)
                .destination_cidr_block(destination)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("CreateRoute", e))
        })
        .await
    }

    /// Deletes a route; one already gone is not an error.
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
