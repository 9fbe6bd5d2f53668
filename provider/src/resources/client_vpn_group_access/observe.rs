//! What AWS holds for one endpoint, read with one (paginated) call per kind of object: the
//! endpoint, its target networks, its authorization rules, its routes, the directory, and the
//! Availability Zones of the associated subnets. Plan, apply, read and import all start here.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::aws;
use super::model::{Config, Maybe, Phase, RouteKey, RuleKey, aws_cidr};
use super::validate::NameProblem;
use crate::aws::retry::{Budget, OpError};
use crate::config::clients::AwsClients;

/// The parts of an endpoint this resource depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub client_cidr_block: String,
    /// The directory of its Active Directory authentication, if it uses one.
    pub directory_id: Option<String>,
    /// Authentication types, e.g. `directory-service-authentication`.
    pub authentication: Vec<String>,
    /// Set when the endpoint is attached to a Transit Gateway (routes then have no subnet).
    pub transit_gateway_id: Option<String>,
    pub vpc_id: Option<String>,
}

impl Endpoint {
    pub fn client_cidr(&self) -> Option<Ipv4Net> {
        aws_cidr(&self.client_cidr_block)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Association {
    pub subnet_id: String,
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `None` for a rule that authorizes all groups.
    pub group_id: Option<String>,
    pub access_all: bool,
    pub destination_cidr: String,
    pub description: Option<String>,
    pub status: String,
    pub message: Option<String>,
}

impl Rule {
    /// The identity of a per-group IPv4 rule (`None` for all-groups rules).
    pub fn key(&self) -> Option<RuleKey> {
        if self.access_all {
            return None;
        }
        Some(RuleKey {
            sid: self.group_id.clone().filter(|g| !g.is_empty())?,
            cidr: aws_cidr(&self.destination_cidr)?,
        })
    }

    pub fn phase(&self) -> Phase {
        Phase::of(&self.status)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub destination_cidr: String,
    pub subnet_id: String,
    /// `associate` (added by AWS when the subnet was associated) or `add-route`.
    pub origin: String,
    pub status: String,
    pub message: Option<String>,
}

pub const ORIGIN_ASSOCIATE: &str = "associate";

impl Route {
    pub fn key(&self) -> Option<RouteKey> {
        Some(RouteKey {
            destination: aws_cidr(&self.destination_cidr)?,
            subnet_id: self.subnet_id.clone(),
        })
    }

    pub fn phase(&self) -> Phase {
        Phase::of(&self.status)
    }

    pub fn added_by_association(&self) -> bool {
        self.origin == ORIGIN_ASSOCIATE
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directory {
    pub id: String,
    /// `MicrosoftAD`, `ADConnector`, `SimpleAD`, `SharedMicrosoftAD`.
    pub kind: String,
    pub stage: String,
}

pub const MANAGED_AD: &str = "MicrosoftAD";

/// Where a subnet is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subnet {
    pub availability_zone: String,
    pub vpc_id: String,
}

/// The directory the groups are looked up in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectoryLookup {
    /// Neither `directory_id` nor the endpoint names one.
    None,
    /// DescribeDirectories does not know it (deleted, or another account or Region).
    Missing(String),
    Found(Directory),
}

/// Everything one observation read, in AWS's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub endpoint: Endpoint,
    pub associations: Vec<Association>,
    pub rules: Vec<Rule>,
    pub routes: Vec<Route>,
    pub directory: DirectoryLookup,
    /// The associated subnets and the configured route subnets that exist.
    pub subnets: BTreeMap<String, Subnet>,
}

impl Observation {
    /// Subnets associated (or being associated) with the endpoint: where routes can go.
    pub fn usable_subnets(&self) -> impl Iterator<Item = &Association> {
        self.associations
            .iter()
            .filter(|a| matches!(Phase::of(&a.status), Phase::Active | Phase::Arriving))
    }

    pub fn association(&self, subnet_id: &str) -> Option<&Association> {
        self.associations.iter().find(|a| a.subnet_id == subnet_id)
    }
}

/// Which optional parts to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'a> {
    pub associations: bool,
    /// Look up the directory: this one, or the endpoint's when `None`.
    pub directory: Option<Option<&'a str>>,
    /// Subnets to describe besides the associated ones (the configured route subnets).
    pub subnets: &'a [String],
}

impl Scope<'_> {
    /// Read and destroy: the endpoint, its rules and its routes are enough.
    pub fn minimal() -> Self {
        Scope::default()
    }
}

/// Reads the endpoint and what it holds; `None` when the endpoint does not exist.
pub async fn observe(
    aws: &AwsClients,
    budget: &Budget,
    endpoint_id: &str,
    scope: Scope<'_>,
) -> Result<Option<Observation>, OpError> {
    let (endpoint, associations, rules, routes) = tokio::join!(
        aws::endpoint(aws, budget, endpoint_id),
        async {
            if scope.associations {
                aws::target_networks(aws, budget, endpoint_id)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
        aws::authorization_rules(aws, budget, endpoint_id),
        aws::routes(aws, budget, endpoint_id),
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
    let directory_id = match scope.directory {
        None => None,
        Some(Some(id)) => Some(id.to_string()),
        Some(None) => endpoint.directory_id.clone(),
    };
    let mut subnet_ids: Vec<String> = associations.iter().map(|a| a.subnet_id.clone()).collect();
    subnet_ids.extend(scope.subnets.iter().cloned());
    subnet_ids.sort();
    subnet_ids.dedup();
    let (directory, subnets) = tokio::join!(
        async {
            match &directory_id {
                None => Ok::<_, OpError>(DirectoryLookup::None),
                Some(id) => Ok(match aws::directory(aws, budget, id).await? {
                    Some(found) => DirectoryLookup::Found(found),
                    None => DirectoryLookup::Missing(id.clone()),
                }),
            }
        },
        aws::subnets(aws, budget, &subnet_ids),
    );
    Ok(Some(Observation {
        endpoint,
        associations,
        rules,
        routes,
        directory: directory?,
        subnets: subnets?,
    }))
}

/// SIDs of the groups given by name, looked up in the directory (`directory_id`, else the
/// endpoint's), and the names that could not be resolved with the reason. Groups whose name or
/// directory is not known yet are left for the apply.
pub async fn resolve_names(
    aws: &AwsClients,
    budget: &Budget,
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
        match aws::group_sid(aws, budget, directory_id, name).await? {
            aws::GroupLookup::Sid(sid) => {
                resolved.insert(key.clone(), sid);
            }
            aws::GroupLookup::NotFound => problems.push((
                key.clone(),
                NameProblem::NotFound {
                    directory_id: directory_id.clone(),
                    name: name.clone(),
                },
            )),
            aws::GroupLookup::Unsupported(kind) => problems.push((
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
