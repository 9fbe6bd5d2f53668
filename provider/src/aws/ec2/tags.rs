//! Tags of any EC2 object, after it was created (CreateTags, DeleteTags).

use std::collections::BTreeSet;

use aws_sdk_ec2::types::Tag;

use super::to_ec2_tags;
use crate::aws::Tags;
use crate::aws::call::Aws;
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::retry::{OpError, RetryOn};

impl Aws<'_> {
    /// Sets tags on one EC2 object; retried on NotFound because a freshly created object may
    /// not be visible to the tagging API yet. No tags, no call.
    pub async fn create_tags(&self, id: &str, tags: &Tags) -> Result<(), OpError> {
        if tags.is_empty() {
            return Ok(());
        }
        self.call(Lane::Tags, RetryOn { not_found: true }, || async {
            self.ec2()
                .create_tags()
                .resources(id)
                .set_tags(Some(to_ec2_tags(tags)))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("CreateTags", e))
        })
        .await
        .map(|_| ())
    }

    /// Removes the tags with these keys from one EC2 object. No keys, no call.
    pub async fn delete_tags(&self, id: &str, keys: &BTreeSet<String>) -> Result<(), OpError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.call(Lane::Tags, RetryOn::default(), || async {
            self.ec2()
                .delete_tags()
                .resources(id)
                .set_tags(Some(
                    keys.iter().map(|k| Tag::builder().key(k).build()).collect(),
                ))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DeleteTags", e))
        })
        .await
        .map(|_| ())
    }

    /// Removes tags from one EC2 object only where each still has the value given: DeleteTags
    /// with a value leaves a tag someone has meanwhile overwritten. No tags, no call.
    pub async fn delete_tags_with_values(&self, id: &str, tags: &Tags) -> Result<(), OpError> {
        if tags.is_empty() {
            return Ok(());
        }
        self.call(Lane::Tags, RetryOn::default(), || async {
            self.ec2()
                .delete_tags()
                .resources(id)
                .set_tags(Some(to_ec2_tags(tags)))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DeleteTags", e))
        })
        .await
        .map(|_| ())
    }
}
