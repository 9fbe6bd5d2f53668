//! Directory Service: directories, and the groups of an AWS Managed Microsoft AD through
//! Directory Service Data. Both are paced on the describe lane.

use super::call::{Aws, found};
use super::errors::AwsError;
use super::governor::Lane;
use super::pages::Page;
use super::retry::{OpError, RetryOn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directory {
    pub id: String,
    /// `MicrosoftAD`, `ADConnector`, `SimpleAD`, `SharedMicrosoftAD`.
    pub kind: String,
    pub stage: String,
}

/// The kind of an AWS Managed Microsoft AD, the only one Directory Service Data serves.
pub(crate) const MANAGED_AD: &str = "MicrosoftAD";

/// A group of an AWS Managed Microsoft AD, as Directory Service Data describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Its `sAMAccountName`, spelt as the directory spells it.
    pub name: String,
    pub sid: String,
    /// Known from DescribeGroup; ListGroups does not return it.
    pub distinguished_name: Option<String>,
    /// `Security` or `Distribution`.
    pub group_type: Option<String>,
    /// `DomainLocal`, `Global`, `Universal` or `BuiltinLocal`.
    pub group_scope: Option<String>,
}

/// What Directory Service Data says about a group name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupLookup {
    Found(Group),
    NotFound,
    /// The directory does not offer Directory Service Data (not AWS Managed Microsoft AD); AWS's
    /// message.
    Unsupported(String),
    /// Directory Service Data is not enabled on this directory (`EnableDirectoryDataAccess`);
    /// AWS's message.
    DataAccessDisabled(String),
}

/// The answers of Directory Service Data that are not failures of the call but facts about the
/// directory: its type does not offer the API, or data access is off.
fn refusal(
    access_denied: Option<&aws_sdk_directoryservicedata::types::error::AccessDeniedException>,
    invalid: Option<&aws_sdk_directoryservicedata::types::error::ValidationException>,
) -> Option<GroupLookup> {
    use aws_sdk_directoryservicedata::types::{AccessDeniedReason, ValidationExceptionReason};
    if let Some(denied) = access_denied
        && denied.reason() == Some(&AccessDeniedReason::DataDisabled)
    {
        let message = denied.message().unwrap_or_default().to_string();
        return Some(GroupLookup::DataAccessDisabled(message));
    }
    if let Some(invalid) = invalid
        && invalid.reason() == Some(&ValidationExceptionReason::InvalidDirectoryType)
    {
        let message = invalid.message().unwrap_or_default().to_string();
        return Some(GroupLookup::Unsupported(message));
    }
    None
}

/// What to do when a directory has Directory Service Data disabled: how to enable it.
pub(crate) fn enable_data_access_hint(directory_id: &str) -> String {
    format!(
        "Enable it once (it needs `ds:EnableDirectoryDataAccess`): `aws ds \
         enable-directory-data-access --directory-id {directory_id}`, or in the AWS Directory \
         Service console under the directory's \"Directory Service Data\" setting; then run \
         Terraform again."
    )
}

fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

impl Aws<'_> {
    /// The directory, or `None` when Directory Service does not know it.
    pub async fn directory(&self, directory_id: &str) -> Result<Option<Directory>, OpError> {
        let answer = self
            .call(Lane::Describe, RetryOn::default(), || async {
                self.clients
                    .directory
                    .describe_directories()
                    .directory_ids(directory_id)
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk("DescribeDirectories", e))
            })
            .await;
        let absent = |e: &AwsError| e.is_not_found() || e.has_code("EntityDoesNotExistException");
        let Some(answer) = found(answer, absent)? else {
            return Ok(None);
        };
        Ok(answer
            .directory_descriptions()
            .iter()
            .find(|d| d.directory_id() == Some(directory_id))
            .map(|d| Directory {
                id: directory_id.to_string(),
                kind: d
                    .r#type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                stage: d
                    .stage()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            }))
    }

    /// Looks a group up by its name (`sAMAccountName`, which Active Directory matches without
    /// regard to case) with DescribeGroup, in `realm` when given (a trusted domain) or else the
    /// directory's own domain.
    pub async fn group(
        &self,
        directory_id: &str,
        realm: Option<&str>,
        name: &str,
    ) -> Result<GroupLookup, OpError> {
        let answer = self
            .call(Lane::Describe, RetryOn::default(), || async {
                match self
                    .clients
                    .directory_data
                    .describe_group()
                    .directory_id(directory_id)
                    .set_realm(realm.map(str::to_string))
                    .sam_account_name(name)
                    .send()
                    .await
                {
                    Ok(answer) => Ok(Ok(answer)),
                    Err(error) => {
                        use aws_sdk_directoryservicedata::operation::describe_group::DescribeGroupError as E;
                        let (denied, invalid) = match error.as_service_error() {
                            Some(E::AccessDeniedException(e)) => (Some(e), None),
                            Some(E::ValidationException(e)) => (None, Some(e)),
                            _ => (None, None),
                        };
                        match refusal(denied, invalid) {
                            Some(lookup) => Ok(Err(lookup)),
                            None => Err(AwsError::from_sdk("DescribeGroup", error)),
                        }
                    }
                }
            })
            .await;
        match answer {
            Ok(Ok(group)) => Ok(match text(group.sid()) {
                Some(sid) => GroupLookup::Found(Group {
                    name: text(group.sam_account_name()).unwrap_or_else(|| name.to_string()),
                    sid,
                    distinguished_name: text(group.distinguished_name()),
                    group_type: group.group_type().map(|t| t.as_str().to_string()),
                    group_scope: group.group_scope().map(|s| s.as_str().to_string()),
                }),
                None => GroupLookup::NotFound,
            }),
            Ok(Err(lookup)) => Ok(lookup),
            Err(OpError::Aws(e)) if e.is_not_found() => Ok(GroupLookup::NotFound),
            Err(e) => Err(e),
        }
    }

    /// Every group of the directory (of `realm` when given), with ListGroups: one paced,
    /// retried call per page of up to 250.
    pub async fn groups(
        &self,
        directory_id: &str,
        realm: Option<&str>,
    ) -> Result<Vec<Group>, OpError> {
        self.listing(|token| async move {
            let answer = self
                .clients
                .directory_data
                .list_groups()
                .directory_id(directory_id)
                .set_realm(realm.map(str::to_string))
                .max_results(250)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ListGroups", e))?;
            let groups = answer
                .groups()
                .iter()
                .map(|g| Group {
                    name: g.sam_account_name().to_string(),
                    sid: g.sid().to_string(),
                    distinguished_name: None,
                    group_type: Some(g.group_type().as_str().to_string()),
                    group_scope: Some(g.group_scope().as_str().to_string()),
                })
                .collect();
            Ok(Page::new(groups, answer.next_token()))
        })
        .await
    }
}
