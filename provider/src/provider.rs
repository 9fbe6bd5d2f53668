//! The `migration` provider: its configuration block, its resources, and the AWS clients every
//! resource operation of this process shares.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::config::clients::{self, AwsClients};
use crate::config::{schema, settings};
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::{Provider, Resource};
use crate::protocol::schema::Schema;

/// What ConfigureProvider left for the resources of this process.
#[derive(Clone, Debug)]
pub enum Configured {
    /// ConfigureProvider has not run (Terraform always runs it first; tests may not).
    NotYet,
    /// The provider block held unknown values (e.g. a role ARN from a resource not yet
    /// created): plan with offline checks only, as Terraform expects.
    Deferred,
    Ready(Arc<AwsClients>),
}

/// Shared between the provider and its resources; filled in by ConfigureProvider.
#[derive(Debug)]
pub struct ProviderState {
    configured: RwLock<Configured>,
}

impl ProviderState {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            configured: RwLock::new(Configured::NotYet),
        })
    }

    pub fn configured(&self) -> Configured {
        self.configured
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set(&self, configured: Configured) {
        *self
            .configured
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = configured;
    }
}

pub struct MigrationProvider {
    schema: Schema,
    state: Arc<ProviderState>,
    resources: Vec<Arc<dyn Resource>>,
}

impl MigrationProvider {
    pub fn new() -> Self {
        let state = ProviderState::new();
        let resources = crate::resources::all(&state);
        Self {
            schema: schema::provider_schema(),
            state,
            resources,
        }
    }

    pub fn state(&self) -> &Arc<ProviderState> {
        &self.state
    }
}

impl Default for MigrationProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for MigrationProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn resources(&self) -> &[Arc<dyn Resource>] {
        &self.resources
    }

    fn validate_config(&self, config: &Value) -> Diagnostics {
        settings::parse(config).1
    }

    async fn configure(&self, config: &Value, cancel: CancellationToken) -> Diagnostics {
        let (settings, mut diagnostics) = settings::parse(config);
        if diagnostics.has_errors() {
            return diagnostics;
        }
        if !config.is_wholly_known() {
            tracing::info!("provider configuration has unknown values: planning offline");
            self.state.set(Configured::Deferred);
            return diagnostics;
        }
        tracing::debug!(?settings, "configuring AWS clients");
        let built = tokio::select! {
            built = clients::build(&settings) => built,
            _ = cancel.cancelled() => {
                diagnostics.error("Configuration interrupted", "Terraform asked the provider to stop.");
                return diagnostics;
            }
        };
        match built {
            Ok(clients) => self.state.set(Configured::Ready(Arc::new(clients))),
            Err(error) => diagnostics.error("Cannot configure the AWS provider", error.0),
        }
        diagnostics
    }
}
