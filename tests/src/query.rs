//! `terraform query` (Terraform ≥ 1.14) as an RPC sequence: one `list` block's
//! ValidateListResourceConfig and ListResource, with the checks Terraform core applies to the
//! stream (its `internal/plugin6` ListResource): the list type and the managed resource type of
//! the same name must exist, the resource must have an identity; Terraform stops reading at
//! `limit`, stops at the first error, skips events carrying only warnings, refuses an event
//! without identity, and decodes the identity against the identity schema and the resource
//! object (only when it asked for it) against the resource schema.

use plugin_proto::tfplugin6::{self, DynamicValue};
use terraform_provider_migration::protocol::cty::{self, Value};
use terraform_provider_migration::protocol::diagnostics::{Diagnostic, Diagnostics, Severity};
use terraform_provider_migration::protocol::identity::IdentitySchema;
use terraform_provider_migration::protocol::schema::Schema;

use crate::process::{Error, ProviderProcess};

/// One result of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub identity: Value,
    pub display_name: String,
    /// The resource object, when asked for (`include_resource`).
    pub object: Option<Value>,
}

/// What one `list` block produced.
#[derive(Debug, Default)]
pub struct Query {
    pub results: Vec<Listed>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Query {
    pub fn errors(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect()
    }
}

/// How a `list` block asks.
#[derive(Clone, Debug)]
pub struct ListBlock<'a> {
    pub type_name: &'a str,
    /// The `config` block's value (null: left out; Terraform then sends its attributes null).
    pub config: Value,
    pub include_resource: bool,
    /// Terraform's default is 100.
    pub limit: i64,
}

impl<'a> ListBlock<'a> {
    /// `list "<type_name>" "x" { provider = migration }`: no config, no resource, limit 100.
    pub fn of(type_name: &'a str) -> Self {
        ListBlock {
            type_name,
            config: Value::Null,
            include_resource: false,
            limit: 100,
        }
    }
}

fn wire(value: &Value, ty: &cty::Type) -> Result<DynamicValue, Error> {
    Ok(DynamicValue {
        msgpack: cty::to_msgpack(value, ty)?,
        json: Vec::new(),
    })
}

fn decode(value: &DynamicValue, ty: &cty::Type, what: &str) -> Result<Value, Error> {
    if !value.msgpack.is_empty() {
        cty::from_msgpack(&value.msgpack, ty)
            .map_err(|e| format!("{what}: invalid msgpack from provider: {e}").into())
    } else {
        cty::from_json(&value.json, ty)
            .map_err(|e| format!("{what}: invalid JSON from provider: {e}").into())
    }
}

/// Runs one `list` block on a configured provider process, as Terraform core does.
pub async fn list(process: &mut ProviderProcess, block: &ListBlock<'_>) -> Result<Query, Error> {
    let type_name = block.type_name;
    let schemas = process
        .provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await?
        .into_inner();
    let list_schema = schemas
        .list_resource_schemas
        .get(type_name)
        .ok_or_else(|| format!("unknown list resource type {type_name:?}"))?;
    let list_schema = Schema::from_proto(list_schema)?;
    let problems = list_schema.sanity_errors();
    if !problems.is_empty() {
        return Err(format!("list schema of {type_name} is invalid: {problems:?}").into());
    }
    let resource_schema = Schema::from_proto(
        schemas
            .resource_schemas
            .get(type_name)
            .ok_or_else(|| format!("no resource type {type_name:?} for the list"))?,
    )?;
    let identities = process
        .provider
        .get_resource_identity_schemas(tfplugin6::get_resource_identity_schemas::Request {})
        .await?
        .into_inner();
    let identity_schema = identities
        .identity_schemas
        .get(type_name)
        .ok_or_else(|| {
            format!(
                "Identity schema not found for resource type {type_name}; this is a bug in the \
                 provider - please report it there"
            )
        })
        .and_then(|s| IdentitySchema::from_proto(s).map_err(|e| e.to_string()))?;
    let identity_ty = identity_schema.implied_type();
    let config_ty = list_schema.implied_type();
    // Core sends a left-out config block as an object of nulls.
    let config = if block.config.is_null() {
        Value::object(
            list_schema
                .block
                .attributes
                .iter()
                .map(|a| (a.name.as_str(), Value::Null)),
        )
    } else {
        block.config.clone()
    };
    let config = wire(&config, &config_ty)?;

    let mut query = Query::default();
    let validated = process
        .provider
        .validate_list_resource_config(tfplugin6::validate_list_resource_config::Request {
            type_name: type_name.to_string(),
            config: Some(config.clone()),
            ..Default::default()
        })
        .await?
        .into_inner();
    query
        .diagnostics
        .extend(Diagnostics::from_proto(&validated.diagnostics).0);
    if query
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return Ok(query);
    }

    let mut stream = process
        .provider
        .list_resource(tfplugin6::list_resource::Request {
            type_name: type_name.to_string(),
            config: Some(config),
            include_resource_object: block.include_resource,
            limit: block.limit,
        })
        .await?
        .into_inner();
    loop {
        if query.results.len() as i64 >= block.limit {
            break;
        }
        let Some(event) = stream.message().await? else {
            break;
        };
        let diagnostics = Diagnostics::from_proto(&event.diagnostic).0;
        let errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
        let warnings = !diagnostics.is_empty();
        query.diagnostics.extend(diagnostics);
        if errors {
            break;
        }
        let identity = event
            .identity
            .as_ref()
            .and_then(|i| i.identity_data.as_ref());
        if warnings && identity.is_none() {
            continue;
        }
        let identity = identity.ok_or_else(|| {
            format!("missing identity data in ListResource event for {type_name}")
        })?;
        let identity = decode(identity, &identity_ty, "identity")?;
        if !identity.is_wholly_known() || identity.is_null() {
            return Err(format!(
                "{type_name}: the provider returned an identity that is not wholly known"
            )
            .into());
        }
        let object = match (&event.resource_object, block.include_resource) {
            (Some(object), true) => Some(decode(
                object,
                &resource_schema.implied_type(),
                "resource object",
            )?),
            _ => None,
        };
        query.results.push(Listed {
            identity,
            display_name: event.display_name,
            object,
        });
    }
    Ok(query)
}
