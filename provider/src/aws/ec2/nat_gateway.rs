//! NAT gateways and the Elastic IPs they hold: the way out to the internet for subnets
//! without an internet gateway route.

use aws_sdk_ec2::types::{DomainType, ResourceType};

use super::{filter, state_text, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::{Aws, ignore_not_found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};
use crate::aws::waiter::Poll;

/// An Elastic IP address of the VPC domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElasticIp {
    pub allocation_id: String,
    pub public_ip: String,
    pub tags: Tags,
}

/// A NAT gateway. A deleted one stays listed for a while (state `deleted`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatGateway {
    pub id: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub state: String,
    /// The Elastic IPs it holds.
    pub allocation_ids: Vec<String>,
    pub tags: Tags,
}

impl NatGateway {
    /// Whether it still exists or is on its way to (`pending`, `available`): what a route
    /// may point at. `deleting`, `deleted` and `failed` ones are on their way out.
    pub fn live(&self) -> bool {
        matches!(self.state.as_str(), "pending" | "available")
    }
}

fn nat_of(n: &aws_sdk_ec2::types::NatGateway) -> Option<NatGateway> {
    Some(NatGateway {
        id: n.nat_gateway_id()?.to_string(),
        subnet_id: n.subnet_id().unwrap_or_default().to_string(),
        vpc_id: n.vpc_id().unwrap_or_default().to_string(),
        state: state_text(n.state()),
        allocation_ids: n
            .nat_gateway_addresses()
            .iter()
            .filter_map(|a| a.allocation_id().map(str::to_string))
            .collect(),
        tags: tags_of(n.tags()),
    })
}

impl Aws<'_> {
    /// The Elastic IPs carrying the tag `key` = `value`.
    pub async fn elastic_ips_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<ElasticIp>, OpError> {
        let by = filter(&format!("tag:{key}"), [value]);
        let found = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_addresses()
                    .filters(by.clone())
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeAddresses", e))
            })
            .await?;
        Ok(found
            .addresses()
            .iter()
            .filter_map(|a| {
                Some(ElasticIp {
                    allocation_id: a.allocation_id()?.to_string(),
                    public_ip: a.public_ip().unwrap_or_default().to_string(),
                    tags: tags_of(a.tags()),
                })
            })
            .collect())
    }

    /// Allocates an Elastic IP, tagged in the same call.
    pub async fn allocate_elastic_ip(&self, tags: &Tags) -> Result<ElasticIp, OpError> {
        let allocated = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .allocate_address()
                    .domain(DomainType::Vpc)
                    .tag_specifications(tag_specification(ResourceType::ElasticIp, tags))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("AllocateAddress", e))
            })
            .await?;
        Ok(ElasticIp {
            allocation_id: allocated.allocation_id().unwrap_or_default().to_string(),
            public_ip: allocated.public_ip().unwrap_or_default().to_string(),
            tags: tags.clone(),
        })
    }

    /// Releases an Elastic IP; one already released is not an error. It must be free: AWS
    /// refuses one a NAT gateway still holds, even while that gateway is being deleted.
    pub async fn release_elastic_ip(&self, allocation_id: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .release_address()
                    .allocation_id(allocation_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("ReleaseAddress", e))
            })
            .await,
        )
    }

    /// The NAT gateways carrying the tag `key` = `value`, deleted ones included.
    pub async fn nat_gateways_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<NatGateway>, OpError> {
        let by = filter(&format!("tag:{key}"), [value]);
        let found = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .describe_nat_gateways()
                    .filter(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeNatGateways", e))?;
                Ok(Page::new(page.nat_gateways().to_vec(), page.next_token()))
            })
            .await?;
        Ok(found.iter().filter_map(nat_of).collect())
    }

    /// The NAT gateway `id`, or `None` when AWS no longer knows it.
    pub async fn nat_gateway(&self, id: &str) -> Result<Option<NatGateway>, OpError> {
        crate::aws::call::found(
            self.call(Lane::Describe, RetryOn::default(), || async {
                self.ec2()
                    .describe_nat_gateways()
                    .nat_gateway_ids(id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeNatGateways", e))
            })
            .await,
            |e| e.code == "NatGatewayNotFound",
        )
        .map(|found| found.and_then(|f| f.nat_gateways().iter().find_map(nat_of)))
    }

    /// Creates a public NAT gateway in `subnet_id` holding `allocation_id`, tagged in the same
    /// call. `client_token` makes a retried create (whose first answer was lost) return the
    /// first gateway.
    pub async fn create_nat_gateway(
        &self,
        subnet_id: &str,
        allocation_id: &str,
        tags: &Tags,
        client_token: &str,
    ) -> Result<NatGateway, OpError> {
        let created = self
            .call(Lane::Mutate, RetryOn { not_found: true }, || async {
                self.ec2()
                    .create_nat_gateway()
                    .subnet_id(subnet_id)
                    .allocation_id(allocation_id)
                    .client_token(client_token)
                    .tag_specifications(tag_specification(ResourceType::Natgateway, tags))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateNatGateway", e))
            })
            .await?;
        created
            .nat_gateway()
            .and_then(nat_of)
            .ok_or_else(|| OpError::Refused("CreateNatGateway answered no NAT gateway".into()))
    }

    /// One poll of a wait for a NAT gateway to be `available`.
    pub async fn nat_gateway_available(&self, id: &str) -> Result<Poll<NatGateway>, OpError> {
        Ok(match self.nat_gateway(id).await? {
            Some(n) if n.state == "available" => Poll::Done(n),
            Some(n) if n.state == "pending" => Poll::Pending(n.state),
            Some(n) => Poll::Failed(format!("NAT gateway {id} is {}", n.state)),
            None => Poll::Failed(format!("NAT gateway {id} is gone")),
        })
    }

    /// Starts deleting a NAT gateway; one already gone is not an error.
    pub async fn delete_nat_gateway(&self, id: &str) -> Result<(), OpError> {
        let deleted = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_nat_gateway()
                    .nat_gateway_id(id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteNatGateway", e))
            })
            .await;
        match deleted {
            Err(OpError::Aws(e)) if e.code == "NatGatewayNotFound" => Ok(()),
            other => other,
        }
    }

    /// One poll of a wait for a NAT gateway to be deleted (and its Elastic IP let go).
    pub async fn nat_gateway_deleted(&self, id: &str) -> Result<Poll<()>, OpError> {
        Ok(match self.nat_gateway(id).await? {
            None => Poll::Done(()),
            Some(n) if n.state == "deleted" => Poll::Done(()),
            Some(n) => Poll::Pending(n.state),
        })
    }
}
