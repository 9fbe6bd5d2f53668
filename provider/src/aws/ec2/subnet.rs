//! Subnets: their VPC and Availability Zone.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::Filter;

use super::filter;
use crate::aws::call::{Aws, per_filter_chunk};
use crate::aws::errors::AwsError;
use crate::aws::pages::Page;
use crate::aws::retry::OpError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    /// The zone's name in this account (`eu-west-1a`): what people read and write.
    pub availability_zone: String,
    /// The zone's id (`euw1-az1`): the same physical zone in every account, where names are
    /// mapped to zones per account.
    pub availability_zone_id: Option<String>,
}

impl Subnet {
    /// The zone to compare subnets by: its id, or its name when AWS does not report the id.
    pub fn zone_id(&self) -> &str {
        self.availability_zone_id
            .as_deref()
            .unwrap_or(&self.availability_zone)
    }
}

impl Aws<'_> {
    /// The listed subnets that exist, by id (by filter: a missing subnet is absent, not an
    /// error that fails the call); no ids, no call.
    pub async fn subnets(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, Subnet>, OpError> {
        per_filter_chunk(ids, |chunk| self.subnets_where(filter("subnet-id", chunk))).await
    }

    /// Every subnet of the VPC, by id.
    pub async fn subnets_of_vpc(&self, vpc_id: &str) -> Result<BTreeMap<String, Subnet>, OpError> {
        self.subnets_where(filter("vpc-id", [vpc_id])).await
    }

    /// How many addresses each listed subnet has free, by id (a missing subnet is absent).
    pub async fn free_addresses(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, i32>, OpError> {
        per_filter_chunk(ids, |chunk| async move {
            let by = filter("subnet-id", chunk);
            let subnets = self
                .listing(|token| async {
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
                .await?;
            Ok::<_, OpError>(
                subnets
                    .iter()
                    .filter_map(|s| {
                        Some((
                            s.subnet_id()?.to_string(),
                            s.available_ip_address_count().unwrap_or_default(),
                        ))
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .await
    }

    async fn subnets_where(&self, by: Filter) -> Result<BTreeMap<String, Subnet>, OpError> {
        let subnets: Vec<aws_sdk_ec2::types::Subnet> = {
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
            .await?
        };
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
                            .availability_zone()
                            .unwrap_or_default()
                            .to_string(),
                        availability_zone_id: subnet.availability_zone_id().map(str::to_string),
                    },
                ))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_compare_by_zone_id_falling_back_to_the_name() {
        let mut subnet = Subnet {
            id: "subnet-1".into(),
            vpc_id: "vpc-1".into(),
            availability_zone: "eu-west-1a".into(),
            availability_zone_id: Some("euw1-az2".into()),
        };
        assert_eq!(subnet.zone_id(), "euw1-az2");
        subnet.availability_zone_id = None;
        assert_eq!(subnet.zone_id(), "eu-west-1a");
    }
}
