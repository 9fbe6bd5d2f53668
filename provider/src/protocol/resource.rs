//! The boundary between Terraform's protocol and this provider's logic: a provider, its managed
//! resources ([`Resource`]), data sources ([`DataResource`]) and functions
//! ([`ProviderFunction`]) are trait objects that receive decoded cty values and return decoded
//! cty values. Nothing on this side of the boundary knows about gRPC or msgpack, and nothing on
//! the other side knows about AWS.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::cty::{self, Type, Value};
use super::diagnostics::Diagnostics;
use super::function::{Definition, FunctionError};
use super::schema::Schema;

/// The provider itself: its configuration block and the resources, data sources and functions
/// it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The `provider "migration" {}` block.
    fn schema(&self) -> &Schema;

    fn resources(&self) -> &[Arc<dyn Resource>];

    fn data_sources(&self) -> &[Arc<dyn DataResource>];

    fn functions(&self) -> &[Arc<dyn ProviderFunction>];

    /// Checks that need no AWS access; the configuration may contain unknown values.
    fn validate_config(&self, config: &Value) -> Diagnostics;

    /// Builds the AWS clients. Terraform calls this in every process before any resource
    /// operation; `config` may contain unknowns during plan, which must not fail the plan.
    async fn configure(&self, config: &Value, cancel: CancellationToken) -> Diagnostics;

    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>> {
        self.resources()
            .iter()
            .find(|r| r.type_name() == type_name)
            .cloned()
    }

    fn data_source(&self, type_name: &str) -> Option<Arc<dyn DataResource>> {
        self.data_sources()
            .iter()
            .find(|d| d.type_name() == type_name)
            .cloned()
    }

    fn function(&self, name: &str) -> Option<Arc<dyn ProviderFunction>> {
        self.functions().iter().find(|f| f.name() == name).cloned()
    }
}

pub struct ReadRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
    pub cancel: CancellationToken,
}

pub struct ReadResponse {
    /// Null when the remote object is gone: Terraform then plans to create it again.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct PlanRequest {
    /// Null when the resource is being created.
    pub prior_state: Value,
    /// Null when the resource is being destroyed.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub cancel: CancellationToken,
}

pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<cty::Path>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ApplyRequest {
    pub prior_state: Value,
    /// Null for a destroy.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
    pub cancel: CancellationToken,
}

pub struct ApplyResponse {
    /// Whatever exists after the apply, even when it failed part way: a null state after a
    /// failed create makes Terraform forget what was created.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ImportRequest {
    pub id: String,
    pub cancel: CancellationToken,
}

pub struct ImportResponse {
    /// The imported state; Terraform reads it right after, so it need only identify the object.
    pub state: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// One managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> &Schema;

    /// Static checks of one configuration, which may contain unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Turns stored state JSON of schema `version` into a value of the current schema.
    ///
    /// The default accepts the current version and drops attributes the schema no longer has,
    /// so additive schema changes need no code.
    fn upgrade_state(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        decode_stored_state(self.type_name(), self.schema(), version, json)
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse;

    async fn plan(&self, request: PlanRequest) -> PlanResponse;

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse;

    async fn import(&self, request: ImportRequest) -> ImportResponse;
}

/// Why a read was postponed (protocol 6.6, only when Terraform allows deferral).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deferral {
    /// The data source's own configuration has unknown values that matter.
    ConfigUnknown,
    /// The provider configuration has unknown values, so AWS cannot be read yet.
    ProviderConfigUnknown,
}

pub struct DataReadRequest {
    /// Wholly known in every read Terraform sends (it postpones a read with unknowns to the
    /// apply itself).
    pub config: Value,
    /// Whether Terraform understands a deferred answer (`ClientCapabilities.deferral_allowed`:
    /// only with deferred actions enabled, an experiment of Terraform ≥ 1.9).
    pub deferral_allowed: bool,
    pub cancel: CancellationToken,
}

pub struct DataReadResponse {
    /// The data source's object: wholly known and not null, unless there are errors or the
    /// read is deferred (then unknown).
    pub state: Value,
    pub deferred: Option<Deferral>,
    pub diagnostics: Diagnostics,
}

/// One data source type (Terraform's "data resource").
#[async_trait]
pub trait DataResource: Send + Sync + 'static {
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> &Schema;

    /// Static checks of one configuration, which may contain unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Reads the data; Terraform calls this during plan when the configuration is known, or
    /// during apply otherwise.
    async fn read(&self, request: DataReadRequest) -> DataReadResponse;
}

/// One provider-defined function (`provider::migration::<name>(...)`). Functions are pure:
/// Terraform calls them on a provider it may never have configured.
pub trait ProviderFunction: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    fn definition(&self) -> &Definition;

    /// One call, with the arguments decoded against their parameters' types (positional, then
    /// variadic). The result must be of the definition's return type.
    fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError>;
}

/// Stored state JSON of schema `version`, already in the current layout, as a value of
/// `schema`: attributes the schema no longer has are dropped (additive changes need no code);
/// state from a newer provider is refused.
pub fn decode_stored_state(
    type_name: &str,
    schema: &Schema,
    version: i64,
    json: &[u8],
) -> Result<Value, Diagnostics> {
    if version > schema.version {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "State written by a newer provider",
            format!(
                "This {type_name} was saved by a provider using schema version {version}, newer \
                 than this provider's {}. Use the provider version that wrote the state (or \
                 newer).",
                schema.version
            ),
        );
        return Err(diagnostics);
    }
    decode_state_json(json, &schema.implied_type()).map_err(|message| {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error(
            "Stored state cannot be read",
            format!("The saved state of this {type_name} is invalid: {message}"),
        );
        diagnostics
    })
}

/// Decodes state JSON, ignoring attributes the current schema no longer has (at any depth).
pub fn decode_state_json(json: &[u8], ty: &Type) -> Result<Value, String> {
    cty::from_json_ignoring_unknown_attributes(json, ty).map_err(|e| e.to_string())
}
