//! Transit Gateway route tables: propagations, static routes, associations, and the static
//! routes themselves.

use std::collections::BTreeSet;

use super::{filter, state_text};
use crate::aws::call::{Aws, ignore_already_exists, ignore_not_found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};

/// The most routes one SearchTransitGatewayRoutes answers.
pub(crate) const SEARCH_LIMIT: i32 = 1000;

/// A static route of a Transit Gateway route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitGatewayRoute {
    pub destination: String,
    /// `None` for a blackhole.
    pub attachment_id: Option<String>,
    pub state: String,
}

/// What SearchTransitGatewayRoutes found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSearch {
    pub routes: Vec<TransitGatewayRoute>,
    /// More routes match than the [`SEARCH_LIMIT`] AWS answered with; `routes` is not all.
    pub more: bool,
}

impl Aws<'_> {
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

    /// Static routes of `table`, up to [`SEARCH_LIMIT`] (SearchTransitGatewayRoutes has no
    /// pages); [`RouteSearch::more`] says whether there are others, which the caller reports
    /// rather than silently working on a truncated list.
    pub async fn static_routes(&self, table: &str) -> Result<RouteSearch, OpError> {
        self.routes_of_type(table, "static").await
    }

    /// The propagated routes of a Transit Gateway route table (one SearchTransitGatewayRoutes):
    /// the only place AWS shows the owner of a shared gateway the CIDRs of another account's
    /// attached VPC.
    pub async fn propagated_routes(&self, table: &str) -> Result<RouteSearch, OpError> {
        self.routes_of_type(table, "propagated").await
    }

    async fn routes_of_type(&self, table: &str, kind: &str) -> Result<RouteSearch, OpError> {
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .search_transit_gateway_routes()
                    .transit_gateway_route_table_id(table)
                    .filters(filter("type", [kind]))
                    .max_results(SEARCH_LIMIT)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("SearchTransitGatewayRoutes", e))
            })
            .await?;
        Ok(RouteSearch {
            more: output.additional_routes_available() == Some(true),
            routes: output
                .routes()
                .iter()
                .filter_map(|r| {
                    Some(TransitGatewayRoute {
                        destination: r.destination_cidr_block()?.to_string(),
                        attachment_id: r
                            .transit_gateway_attachments()
                            .first()
                            .and_then(|a| a.transit_gateway_attachment_id())
                            .map(str::to_string),
                        state: state_text(r.state()),
                    })
                })
                .collect(),
        })
    }

    /// Associates the attachment with `table`; an association already there succeeded.
    pub async fn associate_route_table(
        &self,
        table: &str,
        attachment: &str,
    ) -> Result<(), OpError> {
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

    /// Turns the attachment's propagation into `table` on or off; one already so succeeded.
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

    /// A static route to an attachment (`replace`: ReplaceTransitGatewayRoute, else
    /// CreateTransitGatewayRoute).
    pub async fn put_transit_gateway_route(
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

    /// Deletes a static route; one already gone is not an error.
    pub async fn delete_transit_gateway_route(
        &self,
        table: &str,
        destination: &str,
    ) -> Result<(), OpError> {
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
}
