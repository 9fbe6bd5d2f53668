//! The `migration` provider: its configuration block, its resources, list resources, data sources
//! and functions,
//! and the AWS clients every resource and data source operation of this process shares.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::config::clients;
use crate::config::{schema, settings};
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::{DataResource, ListResource, Provider, ProviderFunction, Resource};
use crate::protocol::schema::Schema;

pub(crate) use crate::framework::context::{Configured, ProviderState};

/// The provider Terraform talks to: [`serve`](crate::protocol::serve) serves it, and the test
/// harness calls it directly through the [`Provider`] trait.
pub struct MigrationProvider {
    schema: Schema,
    state: Arc<ProviderState>,
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataResource>>,
    list_resources: Vec<Arc<dyn ListResource>>,
    functions: Vec<Arc<dyn ProviderFunction>>,
}

impl MigrationProvider {
    /// The provider as a fresh process has it: not configured yet, every resource, data source
    /// and function constructed.
    pub fn new() -> Self {
        let state = ProviderState::new();
        let crate::resources::Types {
            resources,
            lists: list_resources,
        } = crate::resources::all(&state);
        let data_sources = crate::data_sources::all(&state);
        Self {
            schema: schema::provider_schema(),
            state,
            resources,
            data_sources,
            list_resources,
            functions: crate::functions::all(),
        }
    }
}

#[cfg(test)]
impl MigrationProvider {
    /// What ConfigureProvider left, for tests that configure the provider themselves.
    pub(crate) fn state(&self) -> &Arc<ProviderState> {
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

    fn data_sources(&self) -> &[Arc<dyn DataResource>] {
        &self.data_sources
    }

    fn functions(&self) -> &[Arc<dyn ProviderFunction>] {
        &self.functions
    }

    fn list_resources(&self) -> &[Arc<dyn ListResource>] {
        &self.list_resources
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
