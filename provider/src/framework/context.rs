//! What a resource's hooks run with: the configured provider's AWS clients and the time budget
//! of the current operation (its deadline from `timeouts`, StopProvider, retries).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::recent::ApplyEpoch;
use crate::aws::call::Aws;
use crate::aws::retry::Budget;
use crate::config::clients::AwsClients;

/// What ConfigureProvider left for the resources of this process.
#[derive(Clone, Debug)]
pub(crate) enum Configured {
    /// ConfigureProvider has not run (Terraform always runs it first; tests may not).
    NotYet,
    /// The provider block held unknown values (e.g. a role ARN from a resource not yet
    /// created): plan with offline checks only, as Terraform expects.
    Deferred,
    Ready(Arc<AwsClients>),
}

/// Shared between the provider and its resources; filled in by ConfigureProvider.
#[derive(Debug)]
pub(crate) struct ProviderState {
    configured: RwLock<Configured>,
    /// The applies this process has started, which make earlier reads stale
    /// ([`recent`](super::recent)).
    pub(crate) applies: ApplyEpoch,
}

impl ProviderState {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            configured: RwLock::new(Configured::NotYet),
            applies: ApplyEpoch::default(),
        })
    }

    pub(crate) fn configured(&self) -> Configured {
        self.configured
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn set(&self, configured: Configured) {
        *self
            .configured
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = configured;
    }
}

/// The configured provider and the budget of one operation.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    pub clients: Arc<AwsClients>,
    pub budget: Budget,
}

impl Ctx {
    pub(crate) fn new(clients: Arc<AwsClients>, budget: Budget) -> Ctx {
        Ctx { clients, budget }
    }

    /// The provider's AWS calls, paced, retried and bounded by this operation's budget.
    pub(crate) fn aws(&self) -> Aws<'_> {
        Aws::new(&self.clients, &self.budget)
    }

    /// The provider's `default_tags`.
    pub(crate) fn default_tags(&self) -> &BTreeMap<String, String> {
        &self.clients.default_tags
    }

    /// The Region every client calls.
    pub(crate) fn region(&self) -> &str {
        &self.clients.region
    }
}
