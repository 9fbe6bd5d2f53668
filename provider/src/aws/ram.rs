//! RAM resource shares: find one by ARN or by an owner tag, its principals and resources,
//! the shares that hold a resource, and creating, updating, associating, disassociating,
//! tagging and deleting a share; on the receiving side, the invitations an account got,
//! accepting one, and the shares it received with the resources it can use through them.
//!
//! RAM has no EC2 rate limits; its calls are paced on the describe lane, which keeps a large
//! apply from bursting them.

use std::collections::BTreeSet;

use aws_sdk_ram::types::{
    ResourceOwner, ResourceShareAssociationType, ResourceShareStatus, TagFilter,
};

use super::Tags;
use super::call::{Aws, found, ignore_not_found};
use super::errors::AwsError;
use super::governor::Lane;
use super::pages::Page;
use super::retry::{OpError, RetryOn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub arn: String,
    pub name: String,
    pub allow_external_principals: bool,
    /// Principals `ASSOCIATING` or `ASSOCIATED` (an account stays `ASSOCIATING` until it
    /// accepts the invitation; it is shared all the same).
    pub principals: BTreeSet<String>,
    /// Resource ARNs in the share.
    pub resources: BTreeSet<String>,
    pub tags: Tags,
}

/// A share another account shares with this one, as the receiving account sees it: RAM shows
/// a receiver the share's name, owner and resources, but not its other principals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedShare {
    pub arn: String,
    pub name: String,
    pub owner_account_id: String,
    /// The resource ARNs this account can use through it (associated ones).
    pub resources: BTreeSet<String>,
}

/// Which shares received from other accounts to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// The share with this ARN.
    Arn(&'a str),
    /// The shares with this name.
    Named(&'a str),
    /// The shares holding this resource ARN.
    Holding(&'a str),
    /// Every one.
    All,
}

/// An invitation to a share, as the receiving account sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub arn: String,
    pub share_arn: String,
    pub share_name: String,
    pub sender_account_id: String,
    /// `PENDING`, `ACCEPTED`, `REJECTED` or `EXPIRED`.
    pub status: String,
}

fn ram_tags(tags: &Tags) -> Vec<aws_sdk_ram::types::Tag> {
    tags.iter()
        .map(|(k, v)| aws_sdk_ram::types::Tag::builder().key(k).value(v).build())
        .collect()
}

impl Aws<'_> {
    fn ram(&self) -> &aws_sdk_ram::Client {
        &self.clients.ram
    }

    /// This account's active share with this ARN or else, without an ARN, the one tagged
    /// `owner_tag` (key, value); `None` when there is none.
    pub async fn find_share(
        &self,
        arn: Option<&str>,
        owner_tag: (&str, &str),
    ) -> Result<Option<Share>, OpError> {
        let shares = self
            .call(Lane::Describe, RetryOn::default(), || async {
                let mut request = self
                    .ram()
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
        let absent = |e: &AwsError| e.is_not_found() || e.has_code("MalformedArnException");
        let Some(shares) = found(shares, absent)? else {
            return Ok(None);
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
        let kind = if principals {
            ResourceShareAssociationType::Principal
        } else {
            ResourceShareAssociationType::Resource
        };
        let found = self
            .listing(|token| async {
                let page = self
                    .ram()
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

    /// ARNs of the active shares that contain `resource_arn` (first page).
    pub async fn shares_containing(&self, resource_arn: &str) -> Result<Vec<String>, OpError> {
        self.call(Lane::Describe, RetryOn::default(), || async {
            let page = self
                .ram()
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

    /// Creates a share holding `resource_arn`; answers its ARN. RAM may not see a resource
    /// that just became available (`UnknownResourceException`): retried. `client_token` makes
    /// the call idempotent: a retry whose first answer was lost (a dropped connection, a
    /// killed process) with the same token and parameters gets the same share, not a second.
    pub async fn create_share(
        &self,
        name: &str,
        resource_arn: &str,
        principals: &BTreeSet<String>,
        allow_external: bool,
        tags: &Tags,
        client_token: &str,
    ) -> Result<String, OpError> {
        let ram_tags = ram_tags(tags);
        let output = self
            .call(Lane::Describe, RetryOn { not_found: true }, || async {
                self.ram()
                    .create_resource_share()
                    .name(name)
                    .resource_arns(resource_arn)
                    .set_principals(Some(principals.iter().cloned().collect()))
                    .allow_external_principals(allow_external)
                    .set_tags(Some(ram_tags.clone()))
                    .client_token(client_token)
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

    /// Changes the name and whether principals outside the organization are allowed (`None`
    /// keeps them).
    pub async fn update_share(
        &self,
        arn: &str,
        name: Option<&str>,
        allow_external: Option<bool>,
    ) -> Result<(), OpError> {
        self.call(Lane::Describe, RetryOn::default(), || async {
            self.ram()
                .update_resource_share()
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

    /// Adds principals and resources to the share (retried on `NotFound`, as after a create).
    pub async fn associate_share(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
        resources: &[String],
    ) -> Result<(), OpError> {
        self.call(Lane::Describe, RetryOn { not_found: true }, || async {
            self.ram()
                .associate_resource_share()
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

    /// Removes principals from the share, one per call: one that is already gone must not stop
    /// the others.
    pub async fn disassociate_principals(
        &self,
        arn: &str,
        principals: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        for principal in principals {
            let result = self
                .call(Lane::Describe, RetryOn::default(), || async {
                    self.ram()
                        .disassociate_resource_share()
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

    /// Deletes the share; one already deleted is not an error.
    pub async fn delete_share(&self, arn: &str) -> Result<(), OpError> {
        let result = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ram()
                    .delete_resource_share()
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

    /// Sets the tags `set` and removes the keys `remove` (one call each, none when empty).
    pub async fn tag_share(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        if !set.is_empty() {
            let tags = ram_tags(set);
            self.call(Lane::Describe, RetryOn::default(), || async {
                self.ram()
                    .tag_resource()
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
                self.ram()
                    .untag_resource()
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

    /// The invitations this account received (of the share `share_arn`, or all), in any
    /// status. RAM purges them 7 days after they were sent, so an empty answer does not mean
    /// the account was never invited.
    pub async fn share_invitations(
        &self,
        share_arn: Option<&str>,
    ) -> Result<Vec<Invitation>, OpError> {
        self.listing(|token| async {
            let page = self
                .ram()
                .get_resource_share_invitations()
                .set_resource_share_arns(share_arn.map(|arn| vec![arn.to_string()]))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("GetResourceShareInvitations", e))?;
            let found = page
                .resource_share_invitations()
                .iter()
                .map(|i| Invitation {
                    arn: i
                        .resource_share_invitation_arn()
                        .unwrap_or_default()
                        .to_string(),
                    share_arn: i.resource_share_arn().unwrap_or_default().to_string(),
                    share_name: i.resource_share_name().unwrap_or_default().to_string(),
                    sender_account_id: i.sender_account_id().unwrap_or_default().to_string(),
                    status: i
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                })
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }

    /// Accepts the invitation; one already accepted (by an earlier attempt whose answer was
    /// lost, or by someone else) is not an error.
    pub async fn accept_share_invitation(&self, arn: &str) -> Result<(), OpError> {
        let result = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.ram()
                    .accept_resource_share_invitation()
                    .resource_share_invitation_arn(arn)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("AcceptResourceShareInvitation", e))
            })
            .await
            .map(|_| ());
        match result {
            Err(OpError::Aws(e))
                if e.has_code("ResourceShareInvitationAlreadyAcceptedException") =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// The active shares other accounts share with this one that `which` selects, each with
    /// the resources this account can use through it, ordered by ARN. A malformed or unknown
    /// ARN selects nothing.
    pub async fn received_shares(
        &self,
        which: Received<'_>,
    ) -> Result<Vec<ReceivedShare>, OpError> {
        let arns: Option<Vec<String>> = match which {
            Received::Arn(arn) => Some(vec![arn.to_string()]),
            Received::Holding(resource) => {
                let mut arns: Vec<String> = self
                    .received_resources(None, Some(resource))
                    .await?
                    .into_iter()
                    .map(|(share, _)| share)
                    .collect();
                arns.sort();
                arns.dedup();
                if arns.is_empty() {
                    return Ok(Vec::new());
                }
                Some(arns)
            }
            Received::Named(_) | Received::All => None,
        };
        let name = match which {
            Received::Named(name) => Some(name.to_string()),
            _ => None,
        };
        let shares = self
            .listing(|token| async {
                let page = self
                    .ram()
                    .get_resource_shares()
                    .resource_owner(ResourceOwner::OtherAccounts)
                    .resource_share_status(ResourceShareStatus::Active)
                    .set_resource_share_arns(arns.clone())
                    .set_name(name.clone())
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("GetResourceShares", e))?;
                let found: Vec<ReceivedShare> = page
                    .resource_shares()
                    .iter()
                    .filter(|s| s.status().map(|s| s.as_str()) == Some("ACTIVE"))
                    .map(|s| ReceivedShare {
                        arn: s.resource_share_arn().unwrap_or_default().to_string(),
                        name: s.name().unwrap_or_default().to_string(),
                        owner_account_id: s.owning_account_id().unwrap_or_default().to_string(),
                        resources: BTreeSet::new(),
                    })
                    .collect();
                Ok(Page::new(found, page.next_token()))
            })
            .await;
        let absent = |e: &AwsError| e.is_not_found() || e.has_code("MalformedArnException");
        let mut shares = match shares {
            Ok(shares) => shares,
            Err(OpError::Aws(e)) if absent(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if shares.is_empty() {
            return Ok(shares);
        }
        let arns: Vec<String> = shares.iter().map(|s| s.arn.clone()).collect();
        for (share_arn, resource) in self.received_resources(Some(&arns), None).await? {
            if let Some(share) = shares.iter_mut().find(|s| s.arn == share_arn) {
                share.resources.insert(resource);
            }
        }
        shares.sort_by(|a, b| a.arn.cmp(&b.arn));
        Ok(shares)
    }

    /// (share ARN, resource ARN) of the resources other accounts share with this one, of
    /// these shares or only this resource.
    async fn received_resources(
        &self,
        shares: Option<&[String]>,
        resource: Option<&str>,
    ) -> Result<Vec<(String, String)>, OpError> {
        self.listing(|token| async {
            let page = self
                .ram()
                .list_resources()
                .resource_owner(ResourceOwner::OtherAccounts)
                .set_resource_share_arns(shares.map(<[String]>::to_vec))
                .set_resource_arns(resource.map(|r| vec![r.to_string()]))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ListResources", e))?;
            let found = page
                .resources()
                .iter()
                .filter_map(|r| Some((r.resource_share_arn()?.to_string(), r.arn()?.to_string())))
                .collect();
            Ok(Page::new(found, page.next_token()))
        })
        .await
    }
}
