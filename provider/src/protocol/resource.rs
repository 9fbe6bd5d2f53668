//! The boundary between Terraform's protocol and this provider's logic: a provider, its managed
//! resources ([`Resource`]), data sources ([`DataResource`]), list resources
//! ([`ListResource`]) and functions ([`ProviderFunction`]) are trait objects that receive decoded cty values and return decoded
//! cty values. Nothing on this side of the boundary knows about gRPC or msgpack, and nothing on
//! the other side knows about AWS.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::cty::{self, Type, Value};
use super::diagnostics::Diagnostics;
use super::function::{Definition, FunctionError};
use super::identity::IdentitySchema;
use super::schema::Schema;

/// The provider itself: its configuration block and the resources, data sources and functions
/// it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The `provider "migration" {}` block.
    fn schema(&self) -> &Schema;

    /// The managed resource types, in the order GetProviderSchema lists them.
    fn resources(&self) -> &[Arc<dyn Resource>];

    /// The data source types, in the order GetProviderSchema lists them.
    fn data_sources(&self) -> &[Arc<dyn DataResource>];

    /// The provider-defined functions.
    fn functions(&self) -> &[Arc<dyn ProviderFunction>];

    /// The list resource types (`terraform query`, Terraform ≥ 1.14); none by default.
    fn list_resources(&self) -> &[Arc<dyn ListResource>] {
        &[]
    }

    /// Checks that need no AWS access; the configuration may contain unknown values.
    fn validate_config(&self, config: &Value) -> Diagnostics;

    /// Builds the AWS clients. Terraform calls this in every process before any resource
    /// operation; `config` may contain unknowns during plan, which must not fail the plan.
    async fn configure(&self, config: &Value, cancel: CancellationToken) -> Diagnostics;

    /// The managed resource type an RPC names, if this provider has it.
    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>> {
        self.resources()
            .iter()
            .find(|r| r.type_name() == type_name)
            .cloned()
    }

    /// The data source type an RPC names, if this provider has it.
    fn data_source(&self, type_name: &str) -> Option<Arc<dyn DataResource>> {
        self.data_sources()
            .iter()
            .find(|d| d.type_name() == type_name)
            .cloned()
    }

    /// The list resource type a ListResource names, if this provider has it.
    fn list_resource(&self, type_name: &str) -> Option<Arc<dyn ListResource>> {
        self.list_resources()
            .iter()
            .find(|l| l.type_name() == type_name)
            .cloned()
    }

    /// The function a CallFunction names, if this provider has it.
    fn function(&self, name: &str) -> Option<Arc<dyn ProviderFunction>> {
        self.functions().iter().find(|f| f.name() == name).cloned()
    }
}

/// ReadResource: refresh one instance from what exists remotely.
pub struct ReadRequest {
    /// The state Terraform holds (after any upgrade).
    pub current_state: Value,
    /// The private bytes the last plan, apply or read returned.
    pub private: Vec<u8>,
    /// The identity Terraform holds (≥ 1.12); null when there is none yet.
    pub current_identity: Value,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// The answer to a [`ReadRequest`].
pub struct ReadResponse {
    /// Null when the remote object is gone: Terraform then plans to create it again.
    pub new_state: Value,
    /// Private bytes Terraform keeps for the next operation.
    pub private: Vec<u8>,
    /// The object's identity, wholly known; null when the resource type has none (or the
    /// object is gone).
    pub new_identity: Value,
    /// Errors and warnings to show.
    pub diagnostics: Diagnostics,
}

/// PlanResourceChange: what applying the configuration would do to one instance.
pub struct PlanRequest {
    /// Null when the resource is being created.
    pub prior_state: Value,
    /// Null when the resource is being destroyed.
    pub proposed_new_state: Value,
    /// The configuration as written; may hold unknown values.
    pub config: Value,
    /// The private bytes of the prior state.
    pub prior_private: Vec<u8>,
    /// The identity of the prior state (null on create, or when Terraform has none).
    pub prior_identity: Value,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// The answer to a [`PlanRequest`].
pub struct PlanResponse {
    /// The state expected after the apply; unknown where only the apply can tell.
    pub planned_state: Value,
    /// Attributes whose change forces the instance to be replaced.
    pub requires_replace: Vec<cty::Path>,
    /// Private bytes handed to the apply of this plan.
    pub planned_private: Vec<u8>,
    /// The identity after the apply: wholly known unless the plan creates or replaces the
    /// object; null when there is none.
    pub planned_identity: Value,
    /// Errors and warnings to show.
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange: carry out a plan for one instance.
pub struct ApplyRequest {
    /// Null when the resource is being created.
    pub prior_state: Value,
    /// Null for a destroy.
    pub planned_state: Value,
    /// The configuration, wholly known at apply time.
    pub config: Value,
    /// The private bytes the plan returned.
    pub planned_private: Vec<u8>,
    /// The identity the plan returned (null when it had none).
    pub planned_identity: Value,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// The answer to an [`ApplyRequest`].
pub struct ApplyResponse {
    /// Whatever exists after the apply, even when it failed part way: a null state after a
    /// failed create makes Terraform forget what was created.
    pub new_state: Value,
    /// Private bytes Terraform keeps for the next operation.
    pub private: Vec<u8>,
    /// The identity of what exists after the apply, wholly known; null after a destroy or
    /// when there is none.
    pub new_identity: Value,
    /// Errors and warnings to show.
    pub diagnostics: Diagnostics,
}

/// ImportResourceState: start managing an existing object named by its import id or, on
/// Terraform ≥ 1.12, by its identity.
pub struct ImportRequest {
    /// The id given to `terraform import` or an `import` block (empty when importing by
    /// identity).
    pub id: String,
    /// The `identity` of an `import` block (null when importing by id); attributes optional
    /// for import may be null.
    pub identity: Value,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// The answer to an [`ImportRequest`].
pub struct ImportResponse {
    /// The imported state; Terraform reads it right after, so it need only identify the object.
    pub state: Option<Value>,
    /// Private bytes Terraform keeps with the imported state.
    pub private: Vec<u8>,
    /// The imported object's identity, wholly known (null when the type has none).
    pub identity: Value,
    /// Errors and warnings to show.
    pub diagnostics: Diagnostics,
}

/// One managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The type name `resource` blocks use (`migration_hub_network`).
    fn type_name(&self) -> &'static str;

    /// Its schema, which every value it receives and returns conforms to.
    fn schema(&self) -> &Schema;

    /// Its identity schema (Terraform ≥ 1.12), if it has an identity.
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        None
    }

    /// Turns a stored identity (JSON) of identity schema `version` into a value of the current
    /// identity schema.
    fn upgrade_identity(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        match self.identity_schema() {
            Some(schema) => schema.decode_stored(self.type_name(), version, json),
            None => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Resource type has no identity",
                    format!(
                        "{} has no resource identity, so a stored identity cannot be upgraded. \
                         Remove the resource from state and import it again.",
                        self.type_name()
                    ),
                );
                Err(diagnostics)
            }
        }
    }

    /// Static checks of one configuration, which may contain unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Turns stored state JSON of schema `version` into a value of the current schema.
    ///
    /// The default accepts the current version and drops attributes the schema no longer has,
    /// so additive schema changes need no code.
    fn upgrade_state(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        decode_stored_state(self.type_name(), self.schema(), version, json)
    }

    /// Refreshes one instance from what exists in AWS.
    async fn read(&self, request: ReadRequest) -> ReadResponse;

    /// Plans a create, update or destroy of one instance.
    async fn plan(&self, request: PlanRequest) -> PlanResponse;

    /// Carries out a plan of one instance.
    async fn apply(&self, request: ApplyRequest) -> ApplyResponse;

    /// Identifies an existing object to manage.
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

/// ReadDataSource: read one data source during plan or apply.
pub struct DataReadRequest {
    /// Wholly known in every read Terraform sends (it postpones a read with unknowns to the
    /// apply itself).
    pub config: Value,
    /// Whether Terraform understands a deferred answer (`ClientCapabilities.deferral_allowed`:
    /// only with deferred actions enabled, an experiment of Terraform ≥ 1.9).
    pub deferral_allowed: bool,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// The answer to a [`DataReadRequest`].
pub struct DataReadResponse {
    /// The data source's object: wholly known and not null, unless there are errors or the
    /// read is deferred (then unknown).
    pub state: Value,
    /// Set when the read is postponed instead of answered.
    pub deferred: Option<Deferral>,
    /// Errors and warnings to show.
    pub diagnostics: Diagnostics,
}

/// One data source type (Terraform's "data resource").
#[async_trait]
pub trait DataResource: Send + Sync + 'static {
    /// The type name `data` blocks use.
    fn type_name(&self) -> &'static str;

    /// Its schema, which every value it receives and returns conforms to.
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
    /// The name configurations call it by (`provider::migration::<name>`).
    fn name(&self) -> &'static str;

    /// Its parameters, return type and documentation.
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

/// ListResource (protocol 6.10, `terraform query` on Terraform ≥ 1.14): the objects of one
/// resource type that exist in AWS.
pub struct ListRequest {
    /// The list block's `config` block, of the list schema's type (its attributes null when
    /// the block is left out).
    pub config: Value,
    /// Whether each result carries the whole resource object, as an import would read it
    /// (`include_resource = true`, and always for `-generate-config-out`).
    pub include_resource: bool,
    /// How many results Terraform reads at most; it stops reading after that many.
    pub limit: i64,
    /// Cancelled when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
}

/// One result of a list, or diagnostics alone.
pub struct ListEvent {
    /// The object's identity, wholly known (null for an event carrying only diagnostics).
    pub identity: Value,
    /// What Terraform shows beside the identity.
    pub display_name: String,
    /// The resource object, of the resource's schema, when it was asked for.
    pub resource_object: Option<Value>,
    /// Errors end the list in Terraform; warnings are shown.
    pub diagnostics: Diagnostics,
}

/// One list resource type: the `list "<type>" "<name>" {}` blocks of a `.tfquery.hcl` file. Its
/// type name is a managed resource type's, whose identity and schema its results carry.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The managed resource type it lists.
    fn type_name(&self) -> &'static str;

    /// The schema of the list block's `config` block (Terraform wraps it in the list block).
    fn schema(&self) -> &Schema;

    /// Static checks of a `config` block, which Terraform sends wholly known.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Sends the results, one event each, until done, `sink` is closed (Terraform stopped
    /// reading) or the request is cancelled.
    async fn list(&self, request: ListRequest, sink: tokio::sync::mpsc::Sender<ListEvent>);
}
