//! Site-to-site VPN: customer gateways and VPN connections to a Transit Gateway.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{ResourceType, VpnConnectionOptionsSpecification};

use super::{filter, state_text, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::{Aws, found, ignore_not_found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::retry::{OpError, RetryOn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpnConnection {
    pub id: String,
    pub customer_gateway_id: String,
    /// `None` when AWS does not report it.
    pub static_routes_only: Option<bool>,
    pub state: String,
    pub tags: Tags,
}

impl Aws<'_> {
    /// The listed VPN connections that still exist (not `deleting` or `deleted`).
    pub async fn vpn_connections(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<VpnConnection>, OpError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let output = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_vpn_connections()
                    .set_vpn_connection_ids(Some(ids.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeVpnConnections", e))
            })
            .await;
        // Not found: gone long enough that EC2 forgot it.
        let Some(output) = found(output, AwsError::is_not_found)? else {
            return Ok(Vec::new());
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
            .map(|v| VpnConnection {
                id: v.vpn_connection_id().unwrap_or_default().to_string(),
                customer_gateway_id: v.customer_gateway_id().unwrap_or_default().to_string(),
                static_routes_only: v.options().and_then(|o| o.static_routes_only()),
                state: state_text(v.state()),
                tags: tags_of(v.tags()),
            })
            .collect())
    }

    /// An `ipsec.1` connection from the customer gateway to the Transit Gateway; what it returns
    /// is what was asked for, with the id and state AWS answered.
    pub async fn create_vpn_connection(
        &self,
        tgw_id: &str,
        customer_gateway_id: &str,
        static_routes_only: bool,
        tags: &Tags,
    ) -> Result<VpnConnection, OpError> {
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
        Ok(VpnConnection {
            id: v.vpn_connection_id().unwrap_or_default().to_string(),
            customer_gateway_id: customer_gateway_id.to_string(),
            static_routes_only: Some(static_routes_only),
            state: v
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "pending".into()),
            tags: tags.clone(),
        })
    }

    /// Deletes the connection; one already gone is not an error.
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
}
