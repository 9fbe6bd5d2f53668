//! VPC endpoints: AWS services reached from a VPC without the internet, through network
//! interfaces in subnets (interface endpoints) or a prefix-list route (gateway endpoints).

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{ResourceType, VpcEndpointType};

use super::{filter, state_text, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::Aws;
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};
use crate::aws::waiter::Poll;

/// A VPC endpoint. A deleted one stays listed for a while (state `deleted`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcEndpoint {
    pub id: String,
    pub service_name: String,
    /// Interface, else gateway.
    pub interface: bool,
    /// EC2 reports it in lower case: `pending`, `available`, `deleting`, `deleted`, …
    pub state: String,
    pub tags: Tags,
}

/// What a new endpoint is.
pub struct EndpointSpec<'a> {
    pub vpc_id: &'a str,
    pub service_name: &'a str,
    pub interface: bool,
    /// Interface endpoints: their subnets and security groups.
    pub subnet_ids: &'a BTreeSet<String>,
    pub security_group_ids: &'a BTreeSet<String>,
    /// Gateway endpoints: the route tables that get the service's prefix-list route.
    pub route_table_ids: &'a BTreeSet<String>,
    pub tags: &'a Tags,
}

fn endpoint_of(e: &aws_sdk_ec2::types::VpcEndpoint) -> Option<VpcEndpoint> {
    Some(VpcEndpoint {
        id: e.vpc_endpoint_id()?.to_string(),
        service_name: e.service_name().unwrap_or_default().to_string(),
        interface: e.vpc_endpoint_type() == Some(&VpcEndpointType::Interface),
        state: state_text(e.state()).to_lowercase(),
        tags: tags_of(e.tags()),
    })
}

impl Aws<'_> {
    /// The endpoints carrying the tag `key` = `value`, deleted ones included.
    pub async fn vpc_endpoints_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<VpcEndpoint>, OpError> {
        self.vpc_endpoints_where(filter(&format!("tag:{key}"), [value]))
            .await
    }

    async fn vpc_endpoints_where(
        &self,
        by: aws_sdk_ec2::types::Filter,
    ) -> Result<Vec<VpcEndpoint>, OpError> {
        let found = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .describe_vpc_endpoints()
                    .filters(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeVpcEndpoints", e))?;
                Ok(Page::new(page.vpc_endpoints().to_vec(), page.next_token()))
            })
            .await?;
        Ok(found.iter().filter_map(endpoint_of).collect())
    }

    /// Creates an endpoint, tagged in the same call; `client_token` makes a retried create
    /// (whose first answer was lost) return the first endpoint.
    pub async fn create_vpc_endpoint(
        &self,
        spec: &EndpointSpec<'_>,
        client_token: &str,
    ) -> Result<VpcEndpoint, OpError> {
        let created = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                let request = self
                    .ec2()
                    .create_vpc_endpoint()
                    .vpc_id(spec.vpc_id)
                    .service_name(spec.service_name)
                    .client_token(client_token)
                    .tag_specifications(tag_specification(ResourceType::VpcEndpoint, spec.tags));
                let request = if spec.interface {
                    request
                        .vpc_endpoint_type(VpcEndpointType::Interface)
                        .set_subnet_ids(Some(spec.subnet_ids.iter().cloned().collect()))
                        .set_security_group_ids(Some(
                            spec.security_group_ids.iter().cloned().collect(),
                        ))
                        .private_dns_enabled(true)
                } else {
                    request
                        .vpc_endpoint_type(VpcEndpointType::Gateway)
                        .set_route_table_ids(Some(spec.route_table_ids.iter().cloned().collect()))
                };
                request
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateVpcEndpoint", e))
            })
            .await?;
        created
            .vpc_endpoint()
            .and_then(endpoint_of)
            .ok_or_else(|| OpError::Refused("CreateVpcEndpoint answered no endpoint".into()))
    }

    async fn vpc_endpoint(&self, id: &str) -> Result<Option<VpcEndpoint>, OpError> {
        Ok(self
            .vpc_endpoints_where(filter("vpc-endpoint-id", [id]))
            .await?
            .into_iter()
            .next())
    }

    /// One poll of a wait for an endpoint to be `available`.
    pub async fn vpc_endpoint_available(&self, id: &str) -> Result<Poll<VpcEndpoint>, OpError> {
        Ok(match self.vpc_endpoint(id).await? {
            Some(e) if e.state == "available" => Poll::Done(e),
            Some(e) if e.state == "pending" || e.state == "pendingacceptance" => {
                Poll::Pending(e.state)
            }
            Some(e) => Poll::Failed(format!("VPC endpoint {id} is {}", e.state)),
            None => Poll::Failed(format!("VPC endpoint {id} is gone")),
        })
    }

    /// Starts deleting an endpoint; one already gone is not an error.
    pub async fn delete_vpc_endpoint(&self, id: &str) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.ec2()
                .delete_vpc_endpoints()
                .vpc_endpoint_ids(id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("DeleteVpcEndpoints", e))
        })
        .await
    }

    /// One poll of a wait for an endpoint to be deleted.
    pub async fn vpc_endpoint_deleted(&self, id: &str) -> Result<Poll<()>, OpError> {
        Ok(match self.vpc_endpoint(id).await? {
            None => Poll::Done(()),
            Some(e) if e.state == "deleted" => Poll::Done(()),
            Some(e) => Poll::Pending(e.state),
        })
    }
}
