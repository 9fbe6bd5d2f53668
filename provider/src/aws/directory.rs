//! Directory Service: directories, and the groups of an AWS Managed Microsoft AD through
//! Directory Service Data. Both are paced on the describe lane.

use super::call::{Aws, found};
use super::errors::AwsError;
use super::governor::Lane;
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

/// What Directory Service Data says about a group name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupLookup {
    Sid(String),
    NotFound,
    /// The directory does not offer Directory Service Data (not AWS Managed Microsoft AD).
    Unsupported(String),
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

    /// Resolves a group name (`sAMAccountName`) to its SID.
    pub async fn group_sid(&self, directory_id: &str, name: &str) -> Result<GroupLookup, OpError> {
        let answer = self
            .call(Lane::Describe, RetryOn::default(), || async {
                match self
                    .clients
                    .directory_data
                    .describe_group()
                    .directory_id(directory_id)
                    .sam_account_name(name)
                    .send()
                    .await
                {
                    Ok(answer) => Ok(Ok(answer)),
                    Err(error) => {
                        use aws_sdk_directoryservicedata::operation::describe_group::DescribeGroupError;
                        use aws_sdk_directoryservicedata::types::ValidationExceptionReason;
                        if let Some(DescribeGroupError::ValidationException(invalid)) =
                            error.as_service_error()
                            && invalid.reason()
                                == Some(&ValidationExceptionReason::InvalidDirectoryType)
                        {
                            return Ok(Err(GroupLookup::Unsupported(
                                invalid.message().unwrap_or_default().to_string(),
                            )));
                        }
                        Err(AwsError::from_sdk("DescribeGroup", error))
                    }
                }
            })
            .await;
        match answer {
            Ok(Ok(group)) => Ok(match group.sid() {
                Some(sid) => GroupLookup::Sid(sid.to_string()),
                None => GroupLookup::NotFound,
            }),
            Ok(Err(lookup)) => Ok(lookup),
            Err(OpError::Aws(e)) if e.is_not_found() => Ok(GroupLookup::NotFound),
            Err(e) => Err(e),
        }
    }
}
