//! VPCs: their owner and associated IPv4 CIDRs.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::filter;
use crate::aws::call::{Aws, per_filter_chunk};
use crate::aws::errors::AwsError;
use crate::aws::pages::Page;
use crate::aws::retry::OpError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vpc {
    pub id: String,
    pub owner_id: String,
    /// Associated IPv4 CIDRs, primary and secondary, in canonical form.
    pub cidr_blocks: BTreeSet<String>,
}

impl Aws<'_> {
    /// The listed VPCs that exist, by id (by filter: a missing VPC is absent, not an error).
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
}
