//! Terraform's commands as sequences of RPCs, with the checks Terraform applies to every answer.
//!
//! Each command starts fresh provider processes as Terraform does (one for the plan walk, one
//! for the apply walk), keeps state between commands as Terraform's state file would (JSON plus
//! schema version), and turns every protocol violation into an error carrying Terraform's own
//! wording, so a test fails exactly where Terraform would refuse the provider.
//!
//! Data sources are validated with the resources and read during plan when their configuration
//! is known (their results are then `data.TYPE.NAME` in later expressions); a read whose
//! configuration is not known is recorded as unknown, for the apply, which the harness does not
//! redo. Provider-defined functions are called through [`Terraform::call_function`], with
//! core's rules around the call; the harness does not evaluate `provider::migration::…` calls
//! inside a configuration (the real-Terraform suite does).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use plugin_proto::tfplugin6::{self, DynamicValue, RawState};
use terraform_provider_migration::protocol::cty::{self, Type, Value};
use terraform_provider_migration::protocol::diagnostics::{Diagnostic, Diagnostics, Severity};
use terraform_provider_migration::protocol::function::{Definition, FunctionError};
use terraform_provider_migration::protocol::schema::Schema;

use crate::config::{self, Configuration, ResourceBlock};
use crate::core;
use crate::process::{Error, LaunchOptions, ProviderProcess};

/// One resource instance in state, stored the way Terraform's state file stores it.
#[derive(Clone, Debug)]
pub struct StateEntry {
    pub type_name: String,
    pub schema_version: i64,
    pub json: Vec<u8>,
    pub private: Vec<u8>,
    pub tainted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Create,
    Update,
    Replace,
    Delete,
}

#[derive(Clone, Debug)]
pub struct Change {
    pub address: String,
    pub type_name: String,
    pub action: Action,
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
    pub requires_replace: Vec<cty::Path>,
}

/// The outcome of a plan: the changes and every diagnostic, keyed by resource address ("" for
/// the provider).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub diagnostics: Vec<(String, Diagnostic)>,
    pub schemas: BTreeMap<String, Schema>,
    /// What each data source read, by address (`data.TYPE.NAME`); unknown when the read waits
    /// for the apply.
    pub data: BTreeMap<String, Value>,
}

/// Everything GetProviderSchema reported, checked with Terraform's sanity rules.
#[derive(Clone, Debug)]
pub struct Schemas {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
    pub functions: BTreeMap<String, Definition>,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|(_, d)| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|(_, d)| d.severity == Severity::Error)
            .map(|(_, d)| d)
            .collect()
    }

    pub fn warnings(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|(_, d)| d.severity == Severity::Warning)
            .map(|(_, d)| d)
            .collect()
    }

    pub fn change(&self, address: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.address == address)
    }

    /// True when applying would do nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.action == Action::NoOp)
    }
}

/// What an apply did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub plan: Plan,
    pub diagnostics: Vec<(String, Diagnostic)>,
    /// Wall time of each ApplyResourceChange call.
    pub durations: BTreeMap<String, Duration>,
}

impl Applied {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|(_, d)| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|(_, d)| d.severity == Severity::Error)
            .map(|(_, d)| d)
            .collect()
    }
}

/// A working directory: configuration text, variables, state, and how to launch the provider.
pub struct Terraform {
    pub launch: LaunchOptions,
    pub variables: BTreeMap<String, hcl::Value>,
    pub state: BTreeMap<String, StateEntry>,
    /// Schemas from the first GetProviderSchema; later processes skip the call, as Terraform
    /// does when the provider sets `get_provider_schema_optional`.
    schemas: Option<Schemas>,
    /// Every provider process this working directory ran, with its peak resident memory read
    /// just before Shutdown (benchmarks report what one Terraform command costs in memory).
    pub processes: Vec<ProcessRecord>,
}

/// One provider process a command ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessRecord {
    /// The command phase: `validate`, `plan`, `apply` or `import`.
    pub phase: &'static str,
    /// VmHWM in KiB (Linux; `None` where /proc is not available).
    pub peak_rss_kib: Option<u64>,
}

fn diagnostics_of(address: &str, wire: &[tfplugin6::Diagnostic]) -> Vec<(String, Diagnostic)> {
    Diagnostics::from_proto(wire)
        .0
        .into_iter()
        .map(|d| (address.to_string(), d))
        .collect()
}

fn has_error(diagnostics: &[(String, Diagnostic)]) -> bool {
    diagnostics
        .iter()
        .any(|(_, d)| d.severity == Severity::Error)
}

fn encode(value: &Value, ty: &Type) -> Result<DynamicValue, Error> {
    Ok(DynamicValue {
        msgpack: cty::to_msgpack(value, ty)?,
        json: Vec::new(),
    })
}

fn decode(value: Option<&DynamicValue>, ty: &Type, what: &str) -> Result<Value, Error> {
    match value {
        Some(v) if !v.msgpack.is_empty() => cty::from_msgpack(&v.msgpack, ty)
            .map_err(|e| format!("{what}: invalid msgpack from provider: {e}").into()),
        Some(v) if !v.json.is_empty() => cty::from_json(&v.json, ty)
            .map_err(|e| format!("{what}: invalid JSON from provider: {e}").into()),
        _ => Ok(Value::Null),
    }
}

fn violation(summary: &str, address: &str, problems: &[String]) -> Error {
    format!(
        "{summary}\n\nWhen expanding the plan for {address} to include new values learned so far during apply, \
         provider \"registry.terraform.io/migration-hub/migration\" produced an invalid new value:\n  - {}",
        problems.join("\n  - ")
    )
    .into()
}

impl Terraform {
    pub fn new(launch: LaunchOptions) -> Self {
        Self {
            launch,
            variables: BTreeMap::new(),
            state: BTreeMap::new(),
            schemas: None,
            processes: Vec::new(),
        }
    }

    /// Notes a process's peak memory; called right before its Shutdown, when the peak is final.
    fn record(&mut self, phase: &'static str, process: &ProviderProcess) {
        self.processes.push(ProcessRecord {
            phase,
            peak_rss_kib: process.peak_rss_kib(),
        });
    }

    pub fn var(&mut self, name: &str, value: impl Into<hcl::Value>) -> &mut Self {
        self.variables.insert(name.to_string(), value.into());
        self
    }

    pub fn parse(&self, text: &str) -> Result<Configuration, Error> {
        Ok(config::parse(text, &self.variables)?)
    }

    /// `terraform untaint ADDRESS`: keep a partially created object and resume it on the next
    /// apply instead of replacing it.
    pub fn untaint(&mut self, address: &str) -> bool {
        match self.state.get_mut(address) {
            Some(entry) => {
                let was = entry.tainted;
                entry.tainted = false;
                was
            }
            None => false,
        }
    }

    /// `terraform taint ADDRESS`: replace the object on the next apply.
    pub fn taint(&mut self, address: &str) -> bool {
        self.state
            .get_mut(address)
            .map(|e| e.tainted = true)
            .is_some()
    }

    /// Whether `terraform state rm` would find the address, and forgets it.
    pub fn forget(&mut self, address: &str) -> bool {
        self.state.remove(address).is_some()
    }

    /// The state of one resource, decoded.
    pub fn state_value(&self, address: &str) -> Option<Value> {
        let entry = self.state.get(address)?;
        let schema = self.schemas.as_ref()?.resources.get(&entry.type_name)?;
        cty::from_json(&entry.json, &schema.implied_type()).ok()
    }

    pub async fn launch(&self) -> Result<ProviderProcess, Error> {
        ProviderProcess::launch(self.launch.clone()).await
    }

    /// GetProviderSchema once per working directory, with Terraform's sanity checks.
    async fn schemas(&mut self, process: &mut ProviderProcess) -> Result<Schemas, Error> {
        if let Some(schemas) = &self.schemas {
            return Ok(schemas.clone());
        }
        let response = process
            .provider
            .get_provider_schema(tfplugin6::get_provider_schema::Request {})
            .await?
            .into_inner();
        let diagnostics = diagnostics_of("", &response.diagnostics);
        if has_error(&diagnostics) {
            return Err(format!("GetProviderSchema failed: {diagnostics:?}").into());
        }
        let capabilities = response.server_capabilities.unwrap_or_default();
        if !capabilities.get_provider_schema_optional {
            return Err("provider must set get_provider_schema_optional".into());
        }
        let provider = Schema::from_proto(
            response
                .provider
                .as_ref()
                .ok_or("provider schema missing")?,
        )?;
        let mut problems = provider.sanity_errors();
        let read = |wire: &std::collections::HashMap<String, tfplugin6::Schema>,
                    problems: &mut Vec<String>|
         -> Result<BTreeMap<String, Schema>, Error> {
            let mut schemas = BTreeMap::new();
            for (name, schema) in wire {
                let schema = Schema::from_proto(schema).map_err(|e| format!("{name}: {e}"))?;
                problems.extend(
                    schema
                        .sanity_errors()
                        .into_iter()
                        .map(|e| format!("{name}: {e}")),
                );
                schemas.insert(name.clone(), schema);
            }
            Ok(schemas)
        };
        let resources = read(&response.resource_schemas, &mut problems)?;
        let data_sources = read(&response.data_source_schemas, &mut problems)?;
        let mut functions = BTreeMap::new();
        for (name, wire) in &response.functions {
            let definition =
                Definition::from_proto(wire).map_err(|e| format!("function {name}: {e}"))?;
            problems.extend(definition.sanity_errors(name));
            functions.insert(name.clone(), definition);
        }
        if !problems.is_empty() {
            return Err(format!("Provider schema is invalid: {problems:?}").into());
        }
        let schemas = Schemas {
            provider,
            resources,
            data_sources,
            functions,
        };
        self.schemas = Some(schemas.clone());
        Ok(schemas)
    }

    /// A provider process configured as `terraform plan` configures it (schemas read, provider
    /// block of `text` validated and configured), for tests that make the resource RPCs
    /// themselves; with the parsed configuration.
    pub async fn configured(
        &mut self,
        text: &str,
    ) -> Result<(ProviderProcess, Configuration), Error> {
        let configuration = self.parse(text)?;
        let mut process = self.launch().await?;
        let all = self.schemas(&mut process).await?;
        let diagnostics = configure(&mut process, &configuration, &all.provider).await?;
        if has_error(&diagnostics) {
            return Err(format!("ConfigureProvider failed: {diagnostics:?}").into());
        }
        Ok((process, configuration))
    }

    /// The provider's functions, as GetProviderSchema reports them.
    pub async fn functions(&mut self) -> Result<BTreeMap<String, Definition>, Error> {
        let mut process = self.launch().await?;
        let schemas = self.schemas(&mut process).await;
        process.shutdown().await?;
        Ok(schemas?.functions)
    }

    /// `provider::migration::<name>(arguments...)` as Terraform core evaluates it, in a provider
    /// process it never configures: the function must exist and take that many arguments; an
    /// argument that is not wholly known makes the result unknown without a call, and a null
    /// one is refused, unless the parameter allows it; the arguments are encoded against their
    /// parameters' types and the result decoded against the return type. `Ok(Err(..))` is the
    /// function's own error, which Terraform shows on the argument it names.
    pub async fn call_function(
        &mut self,
        name: &str,
        arguments: Vec<Value>,
    ) -> Result<Result<Value, FunctionError>, Error> {
        let mut process = self.launch().await?;
        let result = self.call_in(&mut process, name, arguments).await;
        let result = result.map_err(|e| with_crash_output(e, &process));
        process.shutdown().await?;
        result
    }

    async fn call_in(
        &mut self,
        process: &mut ProviderProcess,
        name: &str,
        arguments: Vec<Value>,
    ) -> Result<Result<Value, FunctionError>, Error> {
        let schemas = self.schemas(process).await?;
        let definition = schemas.functions.get(name).ok_or_else(|| {
            format!(
                "Call to unknown function: There is no function named \"provider::migration::{name}\"."
            )
        })?;
        if arguments.len() < definition.parameters.len() {
            return Err(format!(
                "Not enough function arguments: {name} takes {} arguments",
                definition.parameters.len()
            )
            .into());
        }
        if definition.variadic.is_none() && arguments.len() > definition.parameters.len() {
            return Err(format!(
                "Too many function arguments: {name} takes {} arguments",
                definition.parameters.len()
            )
            .into());
        }
        let mut encoded = Vec::with_capacity(arguments.len());
        for (index, argument) in arguments.iter().enumerate() {
            let parameter = definition
                .parameter_for(index)
                .ok_or("an argument without a parameter")?;
            if !argument.conforms(&parameter.ty) {
                return Err(format!(
                    "Invalid function argument: argument {index} is not a {}",
                    parameter.ty
                )
                .into());
            }
            if !parameter.allow_unknown && !argument.is_wholly_known() {
                return Ok(Ok(Value::unknown()));
            }
            if !parameter.allow_null && argument.is_null() {
                return Ok(Err(FunctionError::at(index, "argument must not be null")));
            }
            encoded.push(encode(argument, &parameter.ty)?);
        }
        let response = process
            .provider
            .call_function(tfplugin6::call_function::Request {
                name: name.to_string(),
                arguments: encoded,
            })
            .await?
            .into_inner();
        if let Some(error) = response.error {
            return Ok(Err(FunctionError::from_proto(&error)));
        }
        let result = decode(
            response.result.as_ref(),
            &definition.return_type,
            "function result",
        )?;
        if response.result.is_none() {
            return Err("provider returned no result and no errors".into());
        }
        Ok(Ok(result))
    }

    /// `terraform validate`: ValidateProviderConfig and ValidateResourceConfig.
    pub async fn validate(&mut self, text: &str) -> Result<Vec<(String, Diagnostic)>, Error> {
        let configuration = self.parse(text)?;
        let mut process = self.launch().await?;
        let schemas = self.schemas(&mut process).await?;
        let diagnostics = validate_walk(&mut process, &configuration, &schemas).await?;
        self.record("validate", &process);
        process.shutdown().await?;
        Ok(diagnostics)
    }

    /// `terraform plan`: validate, configure, refresh every resource in state, plan every change.
    pub async fn plan(&mut self, text: &str) -> Result<Plan, Error> {
        let configuration = self.parse(text)?;
        let mut process = self.launch().await?;
        let plan = self
            .plan_in(&mut process, &configuration)
            .await
            .map_err(|e| with_crash_output(e, &process));
        self.record("plan", &process);
        let shutdown = process.shutdown().await;
        let plan = plan?;
        shutdown?;
        Ok(plan)
    }

    async fn plan_in(
        &mut self,
        process: &mut ProviderProcess,
        configuration: &Configuration,
    ) -> Result<Plan, Error> {
        let all = self.schemas(process).await?;
        let (provider_schema, schemas) = (&all.provider, &all.resources);
        let mut plan = Plan {
            schemas: schemas.clone(),
            ..Default::default()
        };
        plan.diagnostics = validate_walk(process, configuration, &all).await?;
        if plan.has_errors() {
            return Ok(plan);
        }
        plan.diagnostics
            .extend(configure(process, configuration, provider_schema).await?);
        if plan.has_errors() {
            return Ok(plan);
        }

        // Refresh: upgrade then read every object in state.
        let mut refreshed: BTreeMap<String, (Value, Vec<u8>)> = BTreeMap::new();
        for (address, entry) in self.state.clone() {
            let schema = schemas
                .get(&entry.type_name)
                .ok_or_else(|| format!("no schema for {}", entry.type_name))?;
            let ty = schema.implied_type();
            let (upgraded, mut diagnostics) = upgrade(process, &address, &entry, &ty).await?;
            if !has_error(&diagnostics) {
                let (new_state, private, read_diagnostics) = read(
                    process,
                    &address,
                    &entry.type_name,
                    &upgraded,
                    &entry.private,
                    &ty,
                )
                .await?;
                diagnostics.extend(read_diagnostics);
                if !has_error(&diagnostics) {
                    match new_state {
                        Value::Null => {
                            // Gone: Terraform drops it from state and plans a create.
                            self.state.remove(&address);
                        }
                        value => {
                            self.store(
                                &address,
                                &entry.type_name,
                                schema,
                                &value,
                                private.clone(),
                                entry.tainted,
                            )?;
                            refreshed.insert(address.clone(), (value, private));
                        }
                    }
                }
            }
            plan.diagnostics.extend(diagnostics);
        }
        if plan.has_errors() {
            return Ok(plan);
        }

        // Data sources, read now when their configuration is known; later expressions see them.
        let mut configuration = configuration.clone();
        for block in configuration.data.clone() {
            let schema = &all.data_sources[&block.type_name];
            let config = configuration
                .resource_value(&block, &schema.block)
                .map_err(|e| e.join("\n"))?;
            let address = block.data_address();
            let value = if config.is_wholly_known() {
                let (value, diagnostics) =
                    read_data(process, &address, &block, schema, &config).await?;
                plan.diagnostics.extend(diagnostics);
                if plan.has_errors() {
                    return Ok(plan);
                }
                value
            } else {
                Value::unknown()
            };
            configuration.set_data(&block, &value);
            plan.data.insert(address, value);
        }
        let configuration = &configuration;

        for resource in &configuration.resources {
            let address = resource.address();
            let schema = schemas.get(&resource.type_name).ok_or_else(|| {
                format!(
                    "Invalid resource type: the provider does not support resource type {:?}",
                    resource.type_name
                )
            })?;
            let config = configuration
                .resource_value(resource, &schema.block)
                .map_err(|e| e.join("\n"))?;
            let (prior, prior_private) = refreshed
                .get(&address)
                .cloned()
                .unwrap_or((Value::Null, Vec::new()));
            let tainted = self.state.get(&address).is_some_and(|e| e.tainted);
            let (planned_prior, prior_for_plan) = if tainted {
                (prior.clone(), Value::Null)
            } else {
                (prior.clone(), prior.clone())
            };
            if reads_data(configuration, resource) {
                // Validated now that the data sources it reads are known (see validate_walk).
                let validation = validate_resource(
                    process,
                    &address,
                    &resource.type_name,
                    &schema.implied_type(),
                    &config,
                )
                .await?;
                let failed = has_error(&validation);
                plan.diagnostics.extend(validation);
                if failed {
                    continue;
                }
            }
            let (mut change, diagnostics) = plan_resource(
                process,
                &address,
                &resource.type_name,
                schema,
                &prior_for_plan,
                &config,
                &prior_private,
            )
            .await?;
            plan.diagnostics.extend(diagnostics);
            if tainted {
                change.prior = planned_prior;
                change.action = Action::Replace;
            } else if !change.requires_replace.is_empty()
                && !prior.is_null()
                && change.action == Action::Update
            {
                // Replace: Terraform plans again from a null prior.
                let (mut replacement, diagnostics) = plan_resource(
                    process,
                    &address,
                    &resource.type_name,
                    schema,
                    &Value::Null,
                    &config,
                    &[],
                )
                .await?;
                plan.diagnostics.extend(diagnostics);
                replacement.prior = prior.clone();
                replacement.action = Action::Replace;
                replacement.requires_replace = change.requires_replace.clone();
                change = replacement;
            }
            plan.changes.push(change);
        }
        for (address, entry) in &self.state {
            if configuration
                .resources
                .iter()
                .any(|r| &r.address() == address)
            {
                continue;
            }
            let prior = refreshed
                .get(address)
                .map(|(v, _)| v.clone())
                .unwrap_or(Value::Null);
            plan.changes.push(Change {
                address: address.clone(),
                type_name: entry.type_name.clone(),
                action: Action::Delete,
                prior,
                planned: Value::Null,
                config: Value::Null,
                planned_private: entry.private.clone(),
                requires_replace: Vec::new(),
            });
        }
        Ok(plan)
    }

    fn store(
        &mut self,
        address: &str,
        type_name: &str,
        schema: &Schema,
        value: &Value,
        private: Vec<u8>,
        tainted: bool,
    ) -> Result<(), Error> {
        let json = cty::to_json(value, &schema.implied_type())
            .map_err(|e| format!("{address}: state cannot be saved: {e}"))?;
        self.state.insert(
            address.to_string(),
            StateEntry {
                type_name: type_name.to_string(),
                schema_version: schema.version,
                json,
                private,
                tainted,
            },
        );
        Ok(())
    }

    /// `terraform apply -auto-approve`: a plan in one provider process, the apply in another.
    pub async fn apply(&mut self, text: &str) -> Result<Applied, Error> {
        self.apply_with(text, |_| {}).await
    }

    /// Apply, giving `during` a handle to the provider's gRPC client once the apply walk starts
    /// (for StopProvider tests).
    pub async fn apply_with(
        &mut self,
        text: &str,
        during: impl FnOnce(tfplugin6::provider_client::ProviderClient<tonic::transport::Channel>),
    ) -> Result<Applied, Error> {
        let plan = self.plan(text).await?;
        let mut applied = Applied {
            plan: plan.clone(),
            ..Default::default()
        };
        if plan.has_errors() {
            applied.diagnostics = plan.diagnostics.clone();
            return Ok(applied);
        }
        if plan.is_empty() {
            return Ok(applied);
        }
        let mut configuration = self.parse(text)?;
        // What the plan's data sources read, for the expressions the apply evaluates again.
        for block in configuration.data.clone() {
            if let Some(value) = plan.data.get(&block.data_address()) {
                configuration.set_data(&block, value);
            }
        }
        let mut process = self.launch().await?;
        let result = self
            .apply_in(&mut process, &configuration, &plan, &mut applied, during)
            .await
            .map_err(|e| with_crash_output(e, &process));
        self.record("apply", &process);
        let shutdown = process.shutdown().await;
        result?;
        shutdown?;
        Ok(applied)
    }

    async fn apply_in(
        &mut self,
        process: &mut ProviderProcess,
        configuration: &Configuration,
        plan: &Plan,
        applied: &mut Applied,
        during: impl FnOnce(tfplugin6::provider_client::ProviderClient<tonic::transport::Channel>),
    ) -> Result<(), Error> {
        let all = self.schemas(process).await?;
        let schemas = &all.resources;
        applied
            .diagnostics
            .extend(configure(process, configuration, &all.provider).await?);
        if has_error(&applied.diagnostics) {
            return Ok(());
        }
        during(process.provider.clone());
        for change in &plan.changes {
            if change.action == Action::NoOp {
                continue;
            }
            let schema = &schemas[&change.type_name];
            let ty = schema.implied_type();
            let address = change.address.clone();
            // Upgrade the prior state again, as Terraform does in the apply walk.
            if let Some(entry) = self.state.get(&address).cloned() {
                let (_, diagnostics) = upgrade(process, &address, &entry, &ty).await?;
                if has_error(&diagnostics) {
                    applied.diagnostics.extend(diagnostics);
                    return Ok(());
                }
            }
            if matches!(change.action, Action::Delete | Action::Replace) && !change.prior.is_null()
            {
                let started = Instant::now();
                let (new_state, private, diagnostics) = apply_change(
                    process,
                    &address,
                    &change.type_name,
                    &ty,
                    &change.prior,
                    &Value::Null,
                    &Value::Null,
                    &change.planned_private,
                )
                .await?;
                applied
                    .durations
                    .insert(format!("{address} (destroy)"), started.elapsed());
                let failed = has_error(&diagnostics);
                applied.diagnostics.extend(diagnostics);
                if failed {
                    // Terraform keeps the prior object, or what the provider says remains.
                    if !new_state.is_null() {
                        self.store(
                            &address,
                            &change.type_name,
                            schema,
                            &new_state,
                            private,
                            false,
                        )?;
                    }
                    return Ok(());
                }
                if !new_state.is_null() {
                    return Err(format!("Provider returned invalid result object after apply: {address}: a destroy must return a null new state").into());
                }
                self.state.remove(&address);
            }
            if change.action == Action::Delete {
                continue;
            }
            // Re-plan with what is known now; it must agree with the first plan.
            let resource = configuration
                .resources
                .iter()
                .find(|r| r.address() == address)
                .ok_or("resource vanished from configuration")?;
            let config = configuration
                .resource_value(resource, &schema.block)
                .map_err(|e| e.join("\n"))?;
            let validation =
                validate_resource(process, &address, &change.type_name, &ty, &config).await?;
            if has_error(&validation) {
                applied.diagnostics.extend(validation);
                return Ok(());
            }
            let prior = if change.action == Action::Replace {
                Value::Null
            } else {
                change.prior.clone()
            };
            let prior_private = if change.action == Action::Replace {
                Vec::new()
            } else {
                self.state
                    .get(&address)
                    .map(|e| e.private.clone())
                    .unwrap_or_default()
            };
            let (replanned, diagnostics) = plan_resource(
                process,
                &address,
                &change.type_name,
                schema,
                &prior,
                &config,
                &prior_private,
            )
            .await?;
            if has_error(&diagnostics) {
                applied.diagnostics.extend(diagnostics);
                return Ok(());
            }
            let problems =
                core::assert_object_compatible(&schema.block, &change.planned, &replanned.planned);
            if !problems.is_empty() {
                return Err(violation(
                    "Provider produced inconsistent final plan",
                    &address,
                    &problems,
                ));
            }
            let started = Instant::now();
            let (new_state, private, diagnostics) = apply_change(
                process,
                &address,
                &change.type_name,
                &ty,
                &prior,
                &replanned.planned,
                &config,
                &replanned.planned_private,
            )
            .await?;
            applied.durations.insert(address.clone(), started.elapsed());
            let failed = has_error(&diagnostics);
            applied.diagnostics.extend(diagnostics);
            if failed {
                if !new_state.is_null() {
                    if !new_state.is_wholly_known() {
                        return Err(format!("Provider returned invalid result object after apply: {address}: the new state has unknown values after a failed apply").into());
                    }
                    // Saved, tainted when it was a create.
                    self.store(
                        &address,
                        &change.type_name,
                        schema,
                        &new_state,
                        private,
                        prior.is_null(),
                    )?;
                }
                return Ok(());
            }
            if new_state.is_null() {
                return Err(format!("Provider returned invalid result object after apply: {address}: the provider returned a null object for a create or update").into());
            }
            if !new_state.is_wholly_known() {
                return Err(format!("Provider returned invalid result object after apply: {address}: the new state has unknown values").into());
            }
            let problems =
                core::assert_object_compatible(&schema.block, &replanned.planned, &new_state);
            if !problems.is_empty() {
                return Err(format!(
                    "Provider produced inconsistent result after apply\n\nWhen applying changes to {address}, provider produced an unexpected new value:\n  - {}",
                    problems.join("\n  - ")
                )
                .into());
            }
            self.store(
                &address,
                &change.type_name,
                schema,
                &new_state,
                private,
                false,
            )?;
        }
        Ok(())
    }

    /// `terraform destroy`: plan deletion of everything in state, then apply it.
    pub async fn destroy(&mut self, text: &str) -> Result<Applied, Error> {
        // Destroy keeps the provider block (and variables) but no resources.
        self.apply(&providerless_text(text)).await
    }

    /// `terraform import ADDRESS ID`, then the read Terraform does right after.
    pub async fn import(
        &mut self,
        text: &str,
        address: &str,
        id: &str,
    ) -> Result<Vec<(String, Diagnostic)>, Error> {
        let configuration = self.parse(text)?;
        let resource = configuration
            .resources
            .iter()
            .find(|r| r.address() == address)
            .ok_or_else(|| format!("Configuration for import target does not exist: {address}"))?
            .clone();
        let mut process = self.launch().await?;
        let result = self
            .import_in(
                &mut process,
                &configuration,
                &resource.type_name,
                address,
                id,
            )
            .await
            .map_err(|e| with_crash_output(e, &process));
        self.record("import", &process);
        let shutdown = process.shutdown().await;
        let diagnostics = result?;
        shutdown?;
        Ok(diagnostics)
    }

    async fn import_in(
        &mut self,
        process: &mut ProviderProcess,
        configuration: &Configuration,
        type_name: &str,
        address: &str,
        id: &str,
    ) -> Result<Vec<(String, Diagnostic)>, Error> {
        let all = self.schemas(process).await?;
        let mut diagnostics = configure(process, configuration, &all.provider).await?;
        if has_error(&diagnostics) {
            return Ok(diagnostics);
        }
        let schema = all
            .resources
            .get(type_name)
            .ok_or("unknown resource type")?
            .clone();
        let ty = schema.implied_type();
        let response = process
            .provider
            .import_resource_state(tfplugin6::import_resource_state::Request {
                type_name: type_name.to_string(),
                id: id.to_string(),
                ..Default::default()
            })
            .await?
            .into_inner();
        diagnostics.extend(diagnostics_of(address, &response.diagnostics));
        if has_error(&diagnostics) {
            return Ok(diagnostics);
        }
        match response.imported_resources.len() {
            0 => return Err("Import returned no resources".into()),
            1 => {}
            _ => return Err("Multiple import states not supported".into()),
        }
        let imported = &response.imported_resources[0];
        let state = decode(imported.state.as_ref(), &ty, "imported state")?;
        let (new_state, private, read_diagnostics) =
            read(process, address, type_name, &state, &imported.private, &ty).await?;
        diagnostics.extend(read_diagnostics);
        if has_error(&diagnostics) {
            return Ok(diagnostics);
        }
        if new_state.is_null() {
            return Err(format!("Cannot import non-existent remote object: while attempting to import an existing object to {address}, the provider detected that no object exists with the given id").into());
        }
        self.store(address, type_name, &schema, &new_state, private, false)?;
        Ok(diagnostics)
    }
}

/// Adds what the provider printed outside its JSON logs (a panic, a stack overflow) to an
/// error, so a provider that died mid-call is not reported as a bare transport error.
fn with_crash_output(error: Error, process: &ProviderProcess) -> Error {
    let crash: Vec<String> = process
        .stderr()
        .into_iter()
        .filter(|line| !line.starts_with('{'))
        .collect();
    if crash.is_empty() {
        return error;
    }
    let tail = crash[crash.len().saturating_sub(40)..].join("\n");
    format!("{error}\n\nprovider stderr:\n{tail}").into()
}

/// The configuration without its resource blocks (what `terraform destroy` plans against).
fn providerless_text(text: &str) -> String {
    let Ok(body) = hcl::parse(text) else {
        return text.to_string();
    };
    let kept: Vec<hcl::Structure> = body
        .into_iter()
        .filter(|s| !matches!(s, hcl::Structure::Block(b) if b.identifier() == "resource"))
        .collect();
    hcl::to_string(&hcl::Body::from(kept)).unwrap_or_default()
}

/// Whether `resource`'s configuration refers to a data source (`data.TYPE.NAME`).
fn reads_data(configuration: &Configuration, resource: &ResourceBlock) -> bool {
    let text = hcl::to_string(&resource.body).unwrap_or_default();
    configuration
        .data
        .iter()
        .any(|block| text.contains(&block.data_address()))
}

async fn validate_walk(
    process: &mut ProviderProcess,
    configuration: &Configuration,
    all: &Schemas,
) -> Result<Vec<(String, Diagnostic)>, Error> {
    let (provider_schema, schemas) = (&all.provider, &all.resources);
    let mut diagnostics = Vec::new();
    let provider_config = match configuration.provider_value(&provider_schema.block) {
        Ok(v) => v,
        Err(errors) => return Err(format!("provider configuration: {}", errors.join("\n")).into()),
    };
    let response = process
        .provider
        .validate_provider_config(tfplugin6::validate_provider_config::Request {
            config: Some(encode(&provider_config, &provider_schema.implied_type())?),
        })
        .await?
        .into_inner();
    diagnostics.extend(diagnostics_of("provider", &response.diagnostics));
    for resource in &configuration.resources {
        let schema = schemas.get(&resource.type_name).ok_or_else(|| {
            format!(
                "Invalid resource type: the provider does not support resource type {:?}",
                resource.type_name
            )
        })?;
        let config = match configuration.resource_value(resource, &schema.block) {
            Ok(v) => v,
            // Terraform validates with the data sources' values unknown; the harness cannot
            // evaluate into an unknown value, so a resource that reads a data source is
            // validated once the plan has read it (`plan_in`).
            Err(_) if reads_data(configuration, resource) => continue,
            Err(errors) => {
                return Err(format!("{}: {}", resource.address(), errors.join("\n")).into());
            }
        };
        diagnostics.extend(
            validate_resource(
                process,
                &resource.address(),
                &resource.type_name,
                &schema.implied_type(),
                &config,
            )
            .await?,
        );
    }
    for block in &configuration.data {
        let schema = all.data_sources.get(&block.type_name).ok_or_else(|| {
            format!(
                "Invalid data source: The provider registry.terraform.io/migration-hub/migration \
                 does not support data source {:?}.",
                block.type_name
            )
        })?;
        let config = configuration
            .resource_value(block, &schema.block)
            .map_err(|errors| format!("{}: {}", block.data_address(), errors.join("\n")))?;
        let response = process
            .provider
            .validate_data_resource_config(tfplugin6::validate_data_resource_config::Request {
                type_name: block.type_name.clone(),
                config: Some(encode(&config, &schema.implied_type())?),
            })
            .await?
            .into_inner();
        diagnostics.extend(diagnostics_of(&block.data_address(), &response.diagnostics));
    }
    Ok(diagnostics)
}

/// ReadDataSource during plan, with the rules core applies to its answer: of the schema's type,
/// not null, wholly known.
async fn read_data(
    process: &mut ProviderProcess,
    address: &str,
    block: &ResourceBlock,
    schema: &Schema,
    config: &Value,
) -> Result<(Value, Vec<(String, Diagnostic)>), Error> {
    let ty = schema.implied_type();
    let response = process
        .provider
        .read_data_source(tfplugin6::read_data_source::Request {
            type_name: block.type_name.clone(),
            config: Some(encode(config, &ty)?),
            provider_meta: None,
            client_capabilities: Some(tfplugin6::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    let diagnostics = diagnostics_of(address, &response.diagnostics);
    if has_error(&diagnostics) {
        return Ok((Value::Null, diagnostics));
    }
    if response.deferred.is_some() {
        return Err(format!(
            "{address}: the provider deferred a read although Terraform did not allow deferral"
        )
        .into());
    }
    let value = decode(response.state.as_ref(), &ty, "data source state")?;
    if value.is_null() {
        return Err(format!("Provider produced null object: Provider \"registry.terraform.io/migration-hub/migration\" produced a null value for {address}.").into());
    }
    if !value.is_wholly_known() {
        return Err(format!("Provider produced invalid object: Provider \"registry.terraform.io/migration-hub/migration\" produced a value for {address} that is not wholly known.").into());
    }
    Ok((value, diagnostics))
}

async fn validate_resource(
    process: &mut ProviderProcess,
    address: &str,
    type_name: &str,
    ty: &Type,
    config: &Value,
) -> Result<Vec<(String, Diagnostic)>, Error> {
    let response = process
        .provider
        .validate_resource_config(tfplugin6::validate_resource_config::Request {
            type_name: type_name.to_string(),
            config: Some(encode(config, ty)?),
            client_capabilities: Some(tfplugin6::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    Ok(diagnostics_of(address, &response.diagnostics))
}

async fn configure(
    process: &mut ProviderProcess,
    configuration: &Configuration,
    schema: &Schema,
) -> Result<Vec<(String, Diagnostic)>, Error> {
    let config = configuration
        .provider_value(&schema.block)
        .map_err(|e| e.join("\n"))?;
    let response = process
        .provider
        .configure_provider(tfplugin6::configure_provider::Request {
            terraform_version: "1.15.0".to_string(),
            config: Some(encode(&config, &schema.implied_type())?),
            client_capabilities: Some(tfplugin6::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    Ok(diagnostics_of("provider", &response.diagnostics))
}

async fn upgrade(
    process: &mut ProviderProcess,
    address: &str,
    entry: &StateEntry,
    ty: &Type,
) -> Result<(Value, Vec<(String, Diagnostic)>), Error> {
    let response = process
        .provider
        .upgrade_resource_state(tfplugin6::upgrade_resource_state::Request {
            type_name: entry.type_name.clone(),
            version: entry.schema_version,
            raw_state: Some(RawState {
                json: entry.json.clone(),
                flatmap: Default::default(),
            }),
        })
        .await?
        .into_inner();
    let diagnostics = diagnostics_of(address, &response.diagnostics);
    let value = decode(response.upgraded_state.as_ref(), ty, "upgraded state")?;
    if !has_error(&diagnostics) && !value.is_wholly_known() {
        return Err(format!("{address}: UpgradeResourceState returned unknown values").into());
    }
    Ok((value, diagnostics))
}

async fn read(
    process: &mut ProviderProcess,
    address: &str,
    type_name: &str,
    state: &Value,
    private: &[u8],
    ty: &Type,
) -> Result<(Value, Vec<u8>, Vec<(String, Diagnostic)>), Error> {
    let response = process
        .provider
        .read_resource(tfplugin6::read_resource::Request {
            type_name: type_name.to_string(),
            current_state: Some(encode(state, ty)?),
            private: private.to_vec(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let diagnostics = diagnostics_of(address, &response.diagnostics);
    let value = decode(response.new_state.as_ref(), ty, "refreshed state")?;
    if !has_error(&diagnostics) && !value.is_wholly_known() {
        return Err(format!("Provider produced invalid object: {address}: the refreshed state contains unknown values").into());
    }
    Ok((value, response.private, diagnostics))
}

async fn plan_resource(
    process: &mut ProviderProcess,
    address: &str,
    type_name: &str,
    schema: &Schema,
    prior: &Value,
    config: &Value,
    prior_private: &[u8],
) -> Result<(Change, Vec<(String, Diagnostic)>), Error> {
    let ty = schema.implied_type();
    let proposed = core::proposed_new(&schema.block, prior, config);
    let response = process
        .provider
        .plan_resource_change(tfplugin6::plan_resource_change::Request {
            type_name: type_name.to_string(),
            prior_state: Some(encode(prior, &ty)?),
            proposed_new_state: Some(encode(&proposed, &ty)?),
            config: Some(encode(config, &ty)?),
            prior_private: prior_private.to_vec(),
            client_capabilities: Some(tfplugin6::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let diagnostics = diagnostics_of(address, &response.diagnostics);
    let planned = decode(response.planned_state.as_ref(), &ty, "planned state")?;
    let requires_replace: Vec<cty::Path> = response
        .requires_replace
        .iter()
        .map(terraform_provider_migration::protocol::wire_diagnostics::path_from_proto)
        .collect();
    if !has_error(&diagnostics) {
        let problems = core::assert_plan_valid(&schema.block, prior, config, &planned);
        if !problems.is_empty() {
            return Err(format!(
                "Provider produced invalid plan\n\nProvider \"registry.terraform.io/migration-hub/migration\" planned an invalid value for {address}:\n  - {}",
                problems.join("\n  - ")
            )
            .into());
        }
    }
    let action = if prior.is_null() {
        Action::Create
    } else if planned == *prior {
        Action::NoOp
    } else {
        Action::Update
    };
    Ok((
        Change {
            address: address.to_string(),
            type_name: type_name.to_string(),
            action,
            prior: prior.clone(),
            planned,
            config: config.clone(),
            planned_private: response.planned_private,
            requires_replace,
        },
        diagnostics,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn apply_change(
    process: &mut ProviderProcess,
    address: &str,
    type_name: &str,
    ty: &Type,
    prior: &Value,
    planned: &Value,
    config: &Value,
    planned_private: &[u8],
) -> Result<(Value, Vec<u8>, Vec<(String, Diagnostic)>), Error> {
    let response = process
        .provider
        .apply_resource_change(tfplugin6::apply_resource_change::Request {
            type_name: type_name.to_string(),
            prior_state: Some(encode(prior, ty)?),
            planned_state: Some(encode(planned, ty)?),
            config: Some(encode(config, ty)?),
            planned_private: planned_private.to_vec(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let diagnostics = diagnostics_of(address, &response.diagnostics);
    let new_state = decode(response.new_state.as_ref(), ty, "new state")?;
    Ok((new_state, response.private, diagnostics))
}
