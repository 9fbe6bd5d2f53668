//! Application Migration Service (MGN): whether it is initialized in the Region, and its
//! replication configuration templates, which say where and how replication servers run.
//!
//! MGN has no API that says "initialized": before InitializeService every template call answers
//! `UninitializedAccountException`, so a template listing is the question.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_mgn::types::{
    ReplicationConfigurationDataPlaneRouting, ReplicationConfigurationDefaultLargeStagingDiskType,
    ReplicationConfigurationEbsEncryption,
};

use super::Tags;
use crate::aws::call::Aws;
use crate::aws::errors::AwsError;
use crate::aws::governor::Lane;
use crate::aws::pages::Page;
use crate::aws::retry::{OpError, RetryOn};

/// The code MGN answers every template call with before InitializeService.
pub(crate) const UNINITIALIZED: &str = "UninitializedAccountException";

/// What a template says about the replication servers, as the provider sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSettings {
    pub staging_area_subnet_id: String,
    pub security_group_ids: BTreeSet<String>,
    pub instance_type: String,
    pub dedicated_servers: bool,
    /// `GP2`, `GP3` or `ST1`.
    pub large_disk_type: String,
    /// The KMS key of a `CUSTOM` EBS encryption; `None` is `DEFAULT` (the account's key).
    pub ebs_kms_key_arn: Option<String>,
    /// Mbps; 0 is no throttling.
    pub bandwidth_throttling: i64,
    /// `PRIVATE_IP` or `PUBLIC_IP`.
    pub data_plane_routing: String,
    pub create_public_ip: bool,
    /// Tags MGN puts on the replication servers, their disks and snapshots.
    pub staging_area_tags: Tags,
}

/// A replication configuration template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicationTemplate {
    pub id: String,
    pub arn: String,
    pub settings: TemplateSettings,
    /// The template's own tags (ownership included).
    pub tags: Tags,
}

fn to_hash(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn from_hash(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn template_of(t: &aws_sdk_mgn::types::ReplicationConfigurationTemplate) -> ReplicationTemplate {
    let encryption_key = match t.ebs_encryption() {
        Some(ReplicationConfigurationEbsEncryption::Custom) => {
            t.ebs_encryption_key_arn().map(str::to_string)
        }
        _ => None,
    };
    ReplicationTemplate {
        id: t.replication_configuration_template_id().to_string(),
        arn: t.arn().unwrap_or_default().to_string(),
        settings: TemplateSettings {
            staging_area_subnet_id: t.staging_area_subnet_id().unwrap_or_default().to_string(),
            security_group_ids: t
                .replication_servers_security_groups_ids()
                .iter()
                .cloned()
                .collect(),
            instance_type: t
                .replication_server_instance_type()
                .unwrap_or_default()
                .to_string(),
            dedicated_servers: t.use_dedicated_replication_server().unwrap_or_default(),
            large_disk_type: t
                .default_large_staging_disk_type()
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            ebs_kms_key_arn: encryption_key,
            bandwidth_throttling: t.bandwidth_throttling(),
            data_plane_routing: t
                .data_plane_routing()
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            create_public_ip: t.create_public_ip().unwrap_or_default(),
            staging_area_tags: from_hash(t.staging_area_tags()),
        },
        tags: from_hash(t.tags()),
    }
}

fn encryption(settings: &TemplateSettings) -> ReplicationConfigurationEbsEncryption {
    match settings.ebs_kms_key_arn {
        Some(_) => ReplicationConfigurationEbsEncryption::Custom,
        None => ReplicationConfigurationEbsEncryption::Default,
    }
}

impl Aws<'_> {
    pub(crate) fn mgn(&self) -> &aws_sdk_mgn::Client {
        &self.clients.mgn
    }

    /// Whether MGN is initialized in this account and Region (one template listing).
    pub async fn mgn_initialized(&self) -> Result<bool, OpError> {
        let listed = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.mgn()
                    .describe_replication_configuration_templates()
                    .max_results(1)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DescribeReplicationConfigurationTemplates", e))
            })
            .await;
        match listed {
            Ok(()) => Ok(true),
            Err(OpError::Aws(e)) if e.code == UNINITIALIZED => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Every template of the account and Region (none where MGN is not initialized: there
    /// can be none).
    pub async fn replication_templates(&self) -> Result<Vec<ReplicationTemplate>, OpError> {
        let listed = self
            .listing(|token| async {
                let page = self
                    .mgn()
                    .describe_replication_configuration_templates()
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| {
                        AwsError::from_sdk("DescribeReplicationConfigurationTemplates", e)
                    })?;
                Ok(Page::new(page.items().to_vec(), page.next_token()))
            })
            .await;
        match listed {
            Ok(items) => Ok(items.iter().map(template_of).collect()),
            Err(OpError::Aws(e)) if e.code == UNINITIALIZED => Ok(Vec::new()),
            Err(other) => Err(other),
        }
    }

    /// Creates a template with these settings and tags.
    pub async fn create_replication_template(
        &self,
        settings: &TemplateSettings,
        tags: &Tags,
    ) -> Result<ReplicationTemplate, OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.mgn()
                .create_replication_configuration_template()
                .staging_area_subnet_id(&settings.staging_area_subnet_id)
                .associate_default_security_group(false)
                .set_replication_servers_security_groups_ids(Some(
                    settings.security_group_ids.iter().cloned().collect(),
                ))
                .replication_server_instance_type(&settings.instance_type)
                .use_dedicated_replication_server(settings.dedicated_servers)
                .default_large_staging_disk_type(
                    ReplicationConfigurationDefaultLargeStagingDiskType::from(
                        settings.large_disk_type.as_str(),
                    ),
                )
                .ebs_encryption(encryption(settings))
                .set_ebs_encryption_key_arn(settings.ebs_kms_key_arn.clone())
                .bandwidth_throttling(settings.bandwidth_throttling)
                .data_plane_routing(ReplicationConfigurationDataPlaneRouting::from(
                    settings.data_plane_routing.as_str(),
                ))
                .create_public_ip(settings.create_public_ip)
                .set_staging_area_tags(Some(to_hash(&settings.staging_area_tags)))
                .set_tags(Some(to_hash(tags)))
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("CreateReplicationConfigurationTemplate", e))
        })
        .await
        .map(|created| ReplicationTemplate {
            id: created.replication_configuration_template_id().to_string(),
            arn: created.arn().unwrap_or_default().to_string(),
            settings: settings.clone(),
            tags: tags.clone(),
        })
    }

    /// Sets every setting of a template to `settings`.
    pub async fn update_replication_template(
        &self,
        id: &str,
        settings: &TemplateSettings,
    ) -> Result<(), OpError> {
        self.call(Lane::Mutate, RetryOn::default(), || async {
            self.mgn()
                .update_replication_configuration_template()
                .replication_configuration_template_id(id)
                .staging_area_subnet_id(&settings.staging_area_subnet_id)
                .associate_default_security_group(false)
                .set_replication_servers_security_groups_ids(Some(
                    settings.security_group_ids.iter().cloned().collect(),
                ))
                .replication_server_instance_type(&settings.instance_type)
                .use_dedicated_replication_server(settings.dedicated_servers)
                .default_large_staging_disk_type(
                    ReplicationConfigurationDefaultLargeStagingDiskType::from(
                        settings.large_disk_type.as_str(),
                    ),
                )
                .ebs_encryption(encryption(settings))
                .set_ebs_encryption_key_arn(settings.ebs_kms_key_arn.clone())
                .bandwidth_throttling(settings.bandwidth_throttling)
                .data_plane_routing(ReplicationConfigurationDataPlaneRouting::from(
                    settings.data_plane_routing.as_str(),
                ))
                .create_public_ip(settings.create_public_ip)
                .set_staging_area_tags(Some(to_hash(&settings.staging_area_tags)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("UpdateReplicationConfigurationTemplate", e))
        })
        .await
    }

    /// Sets and removes tags of a template (by its ARN). No change, no call.
    pub async fn retag_replication_template(
        &self,
        arn: &str,
        set: &Tags,
        remove: &BTreeSet<String>,
    ) -> Result<(), OpError> {
        if !set.is_empty() {
            self.call(Lane::Tags, RetryOn::default(), || async {
                self.mgn()
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(to_hash(set)))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("TagResource", e))
            })
            .await?;
        }
        if !remove.is_empty() {
            self.call(Lane::Tags, RetryOn::default(), || async {
                self.mgn()
                    .untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(remove.iter().cloned().collect()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("UntagResource", e))
            })
            .await?;
        }
        Ok(())
    }

    /// Deletes a template; one already gone is not an error.
    pub async fn delete_replication_template(&self, id: &str) -> Result<(), OpError> {
        crate::aws::call::ignore_not_found(
            self.call(Lane::Mutate, RetryOn::default(), || async {
                self.mgn()
                    .delete_replication_configuration_template()
                    .replication_configuration_template_id(id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| AwsError::from_sdk("DeleteReplicationConfigurationTemplate", e))
            })
            .await,
        )
    }
}
