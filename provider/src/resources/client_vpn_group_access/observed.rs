//! What one read of an endpoint found, as plain data: the pure steps (validation, diff, state)
//! work on it, and `observe` (the I/O) produces it. The AWS objects are the shared finders'
//! plain types, re-exported here.

use std::collections::BTreeMap;

use super::model::Phase;

pub(crate) use crate::aws::directory::{Directory, MANAGED_AD};
pub(crate) use crate::aws::ec2::client_vpn::{Association, Endpoint, Route, Rule};
pub(crate) use crate::aws::ec2::subnet::Subnet;

/// The directory the groups are looked up in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DirectoryLookup {
    /// Neither `directory_id` nor the endpoint names one.
    None,
    /// DescribeDirectories does not know it (deleted, or another account or Region).
    Missing(String),
    Found(Directory),
}

/// Everything one observation read, in AWS's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Observation {
    pub endpoint: Endpoint,
    pub associations: Vec<Association>,
    pub rules: Vec<Rule>,
    pub routes: Vec<Route>,
    pub directory: DirectoryLookup,
    /// The associated subnets and the configured route subnets that exist.
    pub subnets: BTreeMap<String, Subnet>,
    /// The ownership token of the instance this read was made for (from its private data;
    /// `None` for a state from before tokens): which of the endpoint's ownership tags are its
    /// own (see [`ownership`](super::ownership)).
    pub owner: Option<String>,
}

impl Observation {
    /// Subnets associated (or being associated) with the endpoint: where routes can go.
    pub(crate) fn usable_subnets(&self) -> impl Iterator<Item = &Association> {
        self.associations
            .iter()
            .filter(|a| matches!(Phase::of(&a.status), Phase::Active | Phase::Arriving))
    }

    pub(crate) fn association(&self, subnet_id: &str) -> Option<&Association> {
        self.associations.iter().find(|a| a.subnet_id == subnet_id)
    }
}

/// Why a group name could not be turned into a SID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NameProblem {
    /// Neither `directory_id` nor the endpoint names a directory.
    NoDirectory,
    DirectoryMissing(String),
    /// The directory is not AWS Managed Microsoft AD.
    NotManagedAd {
        directory_id: String,
        kind: String,
    },
    NotFound {
        directory_id: String,
        name: String,
    },
}

/// An active per-group rule, as the tests' observations hold them.
#[cfg(test)]
pub(crate) fn active_rule(sid: &str, cidr: &str, description: Option<&str>) -> Rule {
    Rule {
        group_id: Some(sid.into()),
        access_all: false,
        destination_cidr: cidr.into(),
        description: description.map(str::to_string),
        status: "active".into(),
        message: None,
    }
}
