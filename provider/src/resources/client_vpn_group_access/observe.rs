//! What AWS holds for one endpoint, read with one (paginated) call per kind of object: the
//! endpoint, its target networks, its authorization rules, its routes, the directory, and the
//! Availability Zones of the associated subnets. Plan, apply, read and import all start here.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Config, Maybe};
use super::observed::{DirectoryLookup, MANAGED_AD, NameProblem, Observation};
use crate::aws::call::Aws;
use crate::aws::directory::{GroupLookup, enable_data_access_hint};
use crate::aws::ec2::client_vpn::{Association, Endpoint, through_transit_gateway};
use crate::aws::retry::OpError;

/// Which optional parts to read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scope<'a> {
    pub associations: bool,
    /// Look up the directory: this one, or the endpoint's when `None`.
    pub directory: Option<Option<&'a str>>,
    /// Subnets to describe besides the associated ones (the configured route subnets).
    pub subnets: &'a [String],
}

impl Scope<'_> {
    /// Read and destroy: the endpoint, its rules and its routes are enough.
    pub(crate) fn minimal() -> Self {
        Scope::default()
    }
}

/// Reads the endpoint and what it holds; `None` when the endpoint does not exist.
pub(crate) async fn observe(
    aws: &Aws<'_>,
    endpoint_id: &str,
    scope: Scope<'_>,
) -> Result<Option<Observation>, OpError> {
    let (endpoint, associations, rules, routes) = tokio::join!(
        aws.client_vpn_endpoint(endpoint_id),
        async {
            if scope.associations {
                aws.client_vpn_target_networks(endpoint_id).await.map(Some)
            } else {
                Ok(None)
            }
        },
        aws.client_vpn_authorization_rules(endpoint_id),
        aws.client_vpn_routes(endpoint_id),
    );
    let Some(endpoint) = endpoint? else {
        return Ok(None);
    };
    let (associations, rules, routes) = match (associations, rules, routes) {
        (Ok(a), Ok(r), Ok(rt)) => (a.unwrap_or_default(), r, rt),
        // The endpoint vanished between the calls.
        (Err(OpError::Aws(e)), _, _)
        | (_, Err(OpError::Aws(e)), _)
        | (_, _, Err(OpError::Aws(e)))
            if e.is_not_found() =>
        {
            return Ok(None);
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(e),
    };
    let mut associations = associations;
    associations.extend(transit_gateway_association(&endpoint));
    let directory_id = match scope.directory {
        None => None,
        Some(Some(id)) => Some(id.to_string()),
        Some(None) => endpoint.directory_id.clone(),
    };
    let mut subnet_ids: BTreeSet<String> = associations
        .iter()
        .map(|a| a.subnet_id.clone())
        .filter(|id| !through_transit_gateway(id))
        .collect();
    subnet_ids.extend(scope.subnets.iter().cloned());
    let (directory, subnets) = tokio::join!(
        async {
            match &directory_id {
                None => Ok::<_, OpError>(DirectoryLookup::None),
                Some(id) => Ok(match aws.directory(id).await? {
                    Some(found) => DirectoryLookup::Found(found),
                    None => DirectoryLookup::Missing(id.clone()),
                }),
            }
        },
        aws.subnets(&subnet_ids),
    );
    Ok(Some(Observation {
        endpoint,
        associations,
        rules,
        routes,
        directory: directory?,
        subnets: subnets?,
        owner: None,
    }))
}

/// An endpoint attached to a Transit Gateway has no subnet associations: its routes go through
/// its `client-vpn` attachment, which stands in for them here (associated once the endpoint is
/// available, associating while it waits for the attachment). Routes then need no subnet, and
/// `route_subnet_ids` left unset follows the attachment as it follows associations.
fn transit_gateway_association(endpoint: &Endpoint) -> Option<Association> {
    endpoint.transit_gateway_id.as_ref()?;
    Some(Association {
        subnet_id: endpoint.transit_gateway_attachment_id.clone()?,
        status: match endpoint.status.as_str() {
            "available" => "associated",
            "deleted" | "deleting" => "disassociating",
            _ => "associating",
        }
        .to_string(),
    })
}

/// SIDs of the groups given by name, looked up in the directory (`directory_id`, else the
/// endpoint's), and the names that could not be resolved with the reason. Groups whose name or
/// directory is not known yet are left for the apply.
pub(crate) async fn resolve_names(
    aws: &Aws<'_>,
    config: &Config,
    observation: &Observation,
) -> Result<(BTreeMap<String, String>, Vec<(String, NameProblem)>), OpError> {
    let mut resolved = BTreeMap::new();
    let mut problems = Vec::new();
    let (Maybe::Known(groups), Maybe::Known(configured)) = (&config.groups, &config.directory_id)
    else {
        return Ok((resolved, problems));
    };
    let directory_id = configured
        .clone()
        .or_else(|| observation.endpoint.directory_id.clone());
    for (key, group) in groups {
        let (Maybe::Known(None), Maybe::Known(Some(name))) = (&group.sid, &group.name) else {
            continue;
        };
        let Some(directory_id) = &directory_id else {
            problems.push((key.clone(), NameProblem::NoDirectory));
            continue;
        };
        match &observation.directory {
            DirectoryLookup::Missing(_) | DirectoryLookup::None => {
                problems.push((
                    key.clone(),
                    NameProblem::DirectoryMissing(directory_id.clone()),
                ));
                continue;
            }
            DirectoryLookup::Found(directory) if directory.kind != MANAGED_AD => {
                problems.push((
                    key.clone(),
                    NameProblem::NotManagedAd {
                        directory_id: directory_id.clone(),
                        kind: directory.kind.clone(),
                    },
                ));
                continue;
            }
            DirectoryLookup::Found(_) => {}
        }
        match aws.group(directory_id, None, name).await? {
            GroupLookup::Found(group) => {
                resolved.insert(key.clone(), group.sid);
            }
            GroupLookup::DataAccessDisabled(message) => {
                return Err(OpError::Refused(format!(
                    "Group {key:?} is given by name, but Directory Service Data is not enabled \
                     on directory {directory_id} ({message}). {}",
                    enable_data_access_hint(directory_id)
                )));
            }
            GroupLookup::NotFound => problems.push((
                key.clone(),
                NameProblem::NotFound {
                    directory_id: directory_id.clone(),
                    name: name.clone(),
                },
            )),
            GroupLookup::Unsupported(kind) => problems.push((
                key.clone(),
                NameProblem::NotManagedAd {
                    directory_id: directory_id.clone(),
                    kind,
                },
            )),
        }
    }
    Ok((resolved, problems))
}
