//! Direct Connect: gateways, and their associations with Transit Gateways (with the prefixes
//! each association advertises).
//!
//! Direct Connect has no EC2 rate limits; its calls are paced on the EC2 lanes all the same
//! (describe, mutate), which keeps a large apply from bursting them.

use std::collections::BTreeSet;

use aws_sdk_directconnect::types::RouteFilterPrefix;

use super::call::{Aws, ignore_not_found};
use super::errors::AwsError;
use super::governor::Lane;
use super::pages::Page;
use super::retry::{OpError, RetryOn};

/// A Direct Connect gateway's association with a Transit Gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectConnectAssociation {
    pub id: String,
    pub direct_connect_gateway_id: String,
    /// The Transit Gateway (or virtual private gateway) on the other side.
    pub associated_gateway_id: String,
    pub state: String,
    /// The prefixes advertised to the Direct Connect gateway.
    pub allowed_prefixes: BTreeSet<String>,
}

fn prefixes(cidrs: &BTreeSet<String>) -> Vec<RouteFilterPrefix> {
    cidrs
        .iter()
        .map(|c| RouteFilterPrefix::builder().cidr(c).build())
        .collect()
}

impl Aws<'_> {
    fn direct_connect(&self) -> &aws_sdk_directconnect::Client {
        &self.clients.direct_connect
    }

    /// The Direct Connect gateway associations of the Transit Gateway (not `disassociated`).
    pub async fn direct_connect_associations(
        &self,
        tgw_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        self.associations(Some(tgw_id), None).await
    }

    /// The associations of a Direct Connect gateway with any gateway (not `disassociated`):
    /// whether another Transit Gateway already advertises the prefixes a hub would.
    pub async fn direct_connect_gateway_associations(
        &self,
        gateway_id: &str,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        self.associations(None, Some(gateway_id)).await
    }

    async fn associations(
        &self,
        tgw_id: Option<&str>,
        gateway_id: Option<&str>,
    ) -> Result<Vec<DirectConnectAssociation>, OpError> {
        self.listing(|token| async {
            let page = self
                .direct_connect()
                .describe_direct_connect_gateway_associations()
                .set_associated_gateway_id(tgw_id.map(str::to_string))
                .set_direct_connect_gateway_id(gateway_id.map(str::to_string))
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
                    Some(DirectConnectAssociation {
                        id: a.association_id().unwrap_or_default().to_string(),
                        direct_connect_gateway_id: a
                            .direct_connect_gateway_id()
                            .unwrap_or_default()
                            .to_string(),
                        associated_gateway_id: a
                            .associated_gateway()
                            .and_then(|g| g.id())
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

    /// The Amazon side ASN of a Direct Connect gateway, or `None` when it does not exist.
    pub async fn direct_connect_gateway_asn(&self, id: &str) -> Result<Option<i64>, OpError> {
        let found = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.direct_connect()
                    .describe_direct_connect_gateways()
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

    /// Associates the Direct Connect gateway with the Transit Gateway, advertising `prefixes`;
    /// what it returns is what was asked for, with the id and state AWS answered.
    pub async fn create_direct_connect_association(
        &self,
        gateway_id: &str,
        tgw_id: &str,
        allowed_prefixes: &BTreeSet<String>,
    ) -> Result<DirectConnectAssociation, OpError> {
        let output = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.direct_connect()
                    .create_direct_connect_gateway_association()
                    .direct_connect_gateway_id(gateway_id)
                    .gateway_id(tgw_id)
                    .set_add_allowed_prefixes_to_direct_connect_gateway(Some(prefixes(
                        allowed_prefixes,
                    )))
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
        Ok(DirectConnectAssociation {
            id: a.association_id().unwrap_or_default().to_string(),
            direct_connect_gateway_id: gateway_id.to_string(),
            associated_gateway_id: tgw_id.to_string(),
            state: a
                .association_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "associating".into()),
            allowed_prefixes: allowed_prefixes.clone(),
        })
    }

    /// Adds and removes advertised prefixes (an empty set leaves that side out of the call).
    pub async fn update_direct_connect_association(
        &self,
        association_id: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        let some = |set: &BTreeSet<String>| (!set.is_empty()).then(|| prefixes(set));
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.direct_connect()
                .update_direct_connect_gateway_association()
                .association_id(association_id)
                .set_add_allowed_prefixes_to_direct_connect_gateway(some(add))
                .set_remove_allowed_prefixes_to_direct_connect_gateway(some(remove))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("UpdateDirectConnectGatewayAssociation", e))
        })
        .await
        .map(|_| ())
    }

    /// Removes the association; one already gone is not an error.
    pub async fn delete_direct_connect_association(
        &self,
        association_id: &str,
    ) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.direct_connect()
                    .delete_direct_connect_gateway_association()
                    .association_id(association_id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DeleteDirectConnectGatewayAssociation", e))
            })
            .await
            .map(|_| ()),
        )
    }
}
