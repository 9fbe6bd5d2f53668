//! Security groups and their IPv4 CIDR rules: what a staging area's replication servers may
//! receive and send.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, ResourceType};

use super::{filter, tag_specification, tags_of};
use crate::aws::Tags;
use crate::aws::call::{Aws, ignore_already_exists, ignore_not_found};
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};

/// One rule with an IPv4 CIDR as its peer. `protocol` is EC2's (`tcp`, `udp`, `-1` for all,
/// whose ports are then -1).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CidrRule {
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub cidr: String,
}

impl CidrRule {
    /// TCP on one port.
    pub fn tcp(port: i32, cidr: &str) -> Self {
        CidrRule {
            protocol: "tcp".into(),
            from_port: port,
            to_port: port,
            cidr: cidr.into(),
        }
    }

    fn permission(&self) -> IpPermission {
        IpPermission::builder()
            .ip_protocol(&self.protocol)
            .from_port(self.from_port)
            .to_port(self.to_port)
            .ip_ranges(IpRange::builder().cidr_ip(&self.cidr).build())
            .build()
    }
}

/// A security group with its IPv4 CIDR rules (rules naming other groups or prefix lists are
/// not listed: the provider makes none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    pub tags: Tags,
    pub ingress: BTreeSet<CidrRule>,
    pub egress: BTreeSet<CidrRule>,
}

fn rules(permissions: &[IpPermission]) -> BTreeSet<CidrRule> {
    permissions
        .iter()
        .flat_map(|p| {
            let protocol = p.ip_protocol().unwrap_or("-1").to_string();
            let all = protocol == "-1";
            let from_port = if all { -1 } else { p.from_port().unwrap_or(-1) };
            let to_port = if all { -1 } else { p.to_port().unwrap_or(-1) };
            p.ip_ranges().iter().filter_map(move |r| {
                Some(CidrRule {
                    protocol: protocol.clone(),
                    from_port,
                    to_port,
                    cidr: r.cidr_ip()?.to_string(),
                })
            })
        })
        .collect()
}

impl Aws<'_> {
    /// The security groups carrying the tag `key` = `value`.
    pub async fn security_groups_tagged(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Vec<SecurityGroup>, OpError> {
        self.security_groups_where(filter(&format!("tag:{key}"), [value]))
            .await
    }

    async fn security_groups_where(&self, by: Filter) -> Result<Vec<SecurityGroup>, OpError> {
        let groups = self
            .listing(|token| async {
                let page = self
                    .ec2()
                    .describe_security_groups()
                    .filters(by.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeSecurityGroups", e))?;
                Ok(Page::new(
                    page.security_groups().to_vec(),
                    page.next_token(),
                ))
            })
            .await?;
        Ok(groups
            .iter()
            .filter_map(|g| {
                Some(SecurityGroup {
                    id: g.group_id()?.to_string(),
                    vpc_id: g.vpc_id().unwrap_or_default().to_string(),
                    name: g.group_name().unwrap_or_default().to_string(),
                    tags: tags_of(g.tags()),
                    ingress: rules(g.ip_permissions()),
                    egress: rules(g.ip_permissions_egress()),
                })
            })
            .collect())
    }

    /// Creates a group (tagged in the same call); EC2 gives it an egress rule to everywhere,
    /// reported in `egress`.
    pub async fn create_security_group(
        &self,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<SecurityGroup, OpError> {
        let id = self
            .call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .create_security_group()
                    .vpc_id(vpc_id)
                    .group_name(name)
                    .description(description)
                    .tag_specifications(tag_specification(ResourceType::SecurityGroup, tags))
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("CreateSecurityGroup", e))
            })
            .await?
            .group_id()
            .unwrap_or_default()
            .to_string();
        Ok(SecurityGroup {
            id,
            vpc_id: vpc_id.into(),
            name: name.into(),
            tags: tags.clone(),
            ingress: BTreeSet::new(),
            egress: BTreeSet::from([CidrRule {
                protocol: "-1".into(),
                from_port: -1,
                to_port: -1,
                cidr: "0.0.0.0/0".into(),
            }]),
        })
    }

    /// Adds rules to a group (`ingress`: inbound, else outbound); a rule already there is not
    /// an error. No rules, no call.
    pub async fn authorize_rules(
        &self,
        group_id: &str,
        ingress: bool,
        rules: &BTreeSet<CidrRule>,
    ) -> Result<(), OpError> {
        if rules.is_empty() {
            return Ok(());
        }
        let permissions: Vec<IpPermission> = rules.iter().map(CidrRule::permission).collect();
        ignore_already_exists(
            self.call(Lane::Mutate, RetryOn { not_found: true }, || async {
                if ingress {
                    self.ec2()
                        .authorize_security_group_ingress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions.clone()))
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| AwsError::from_sdk("AuthorizeSecurityGroupIngress", e))
                } else {
                    self.ec2()
                        .authorize_security_group_egress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions.clone()))
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| AwsError::from_sdk("AuthorizeSecurityGroupEgress", e))
                }
            })
            .await,
        )
    }

    /// Removes rules from a group; one already gone is not an error. No rules, no call.
    pub async fn revoke_rules(
        &self,
        group_id: &str,
        ingress: bool,
        rules: &BTreeSet<CidrRule>,
    ) -> Result<(), OpError> {
        if rules.is_empty() {
            return Ok(());
        }
        let permissions: Vec<IpPermission> = rules.iter().map(CidrRule::permission).collect();
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                if ingress {
                    self.ec2()
                        .revoke_security_group_ingress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions.clone()))
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| AwsError::from_sdk("RevokeSecurityGroupIngress", e))
                } else {
                    self.ec2()
                        .revoke_security_group_egress()
                        .group_id(group_id)
                        .set_ip_permissions(Some(permissions.clone()))
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| AwsError::from_sdk("RevokeSecurityGroupEgress", e))
                }
            })
            .await,
        )
    }

    /// Deletes a group; one already gone is not an error. `DependencyViolation` (a network
    /// interface still uses it) is retried until the budget ends.
    pub async fn delete_security_group(&self, group_id: &str) -> Result<(), OpError> {
        ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.ec2()
                    .delete_security_group()
                    .group_id(group_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteSecurityGroup", e))
            })
            .await,
        )
    }
}
