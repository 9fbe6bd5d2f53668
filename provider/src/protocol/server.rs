//! The gRPC services a Terraform provider process offers: `tfplugin6.Provider` (turned into calls
//! on the [`Provider`], [`Resource`], [`DataResource`] and [`ProviderFunction`] trait objects),
//! go-plugin's controller and stdio, and health. RPCs this provider does not support answer
//! `Unimplemented`, which Terraform treats as "feature absent".
//!
//! The conversions are the whole job: DynamicValues are decoded against the schema's implied
//! type (a function's arguments against their parameters' types) and answers encoded the same
//! way; a value that cannot be decoded is answered with an error diagnostic (a
//! [`FunctionError`] on the argument, for a call), never a broken RPC or a panic.

use std::collections::HashMap;
use std::sync::Arc;

use plugin_proto::health::health_check_response::ServingStatus;
use plugin_proto::health::{self, HealthCheckRequest, HealthCheckResponse};
use plugin_proto::plugin;
use plugin_proto::tfplugin6::{self, DynamicValue};
use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use super::cty::{self, Type, Value};
use super::diagnostics::Diagnostics;
use super::function::FunctionError;
use super::identity::IdentitySchema;
use super::resource::{
    ApplyRequest, DataReadRequest, DataResource, Deferral, ImportRequest, ListEvent, ListRequest,
    ListResource, PlanRequest, Provider, ProviderFunction, ReadRequest, Resource,
};
use super::wire_diagnostics::path_to_proto;

/// gRPC messages may be far larger than tonic's 4 MiB default: Terraform allows 256 MiB, and a
/// hub with hundreds of routes has a large state.
pub(crate) const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Process-wide cancellation: StopProvider cancels `stop` (in-flight operations end early and
/// return partial state; the process keeps serving), Shutdown cancels both.
#[derive(Clone, Default)]
pub(crate) struct Lifecycle {
    pub stop: CancellationToken,
    pub shutdown: CancellationToken,
}

/// `tfplugin6.Provider` over a [`Provider`] implementation.
pub(crate) struct ProviderService<P: Provider> {
    provider: Arc<P>,
    lifecycle: Lifecycle,
}

impl<P: Provider> ProviderService<P> {
    pub(crate) fn new(provider: Arc<P>, lifecycle: Lifecycle) -> Self {
        Self {
            provider,
            lifecycle,
        }
    }

    fn resource(&self, type_name: &str) -> Result<Arc<dyn Resource>, Status> {
        self.provider.resource(type_name).ok_or_else(|| {
            Status::not_found(format!(
                "this provider has no resource type {type_name:?}; check the resource type \
                 name and the provider version"
            ))
        })
    }

    fn data_source(&self, type_name: &str) -> Result<Arc<dyn DataResource>, Status> {
        self.provider.data_source(type_name).ok_or_else(|| {
            Status::not_found(format!(
                "this provider has no data source type {type_name:?}; check the data source \
                 type name and the provider version"
            ))
        })
    }

    fn list_resource(&self, type_name: &str) -> Result<Arc<dyn ListResource>, Status> {
        self.provider.list_resource(type_name).ok_or_else(|| {
            let known: Vec<&str> = self
                .provider
                .list_resources()
                .iter()
                .map(|l| l.type_name())
                .collect();
            Status::not_found(format!(
                "this provider has no list resource type {type_name:?} (it lists {}); check \
                 the list block's type name and the provider version",
                if known.is_empty() {
                    "nothing".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
    }

    fn functions(&self) -> HashMap<String, tfplugin6::Function> {
        self.provider
            .functions()
            .iter()
            .map(|f| (f.name().to_string(), f.definition().to_proto()))
            .collect()
    }

    fn capabilities() -> tfplugin6::ServerCapabilities {
        tfplugin6::ServerCapabilities {
            get_provider_schema_optional: true,
            ..Default::default()
        }
    }
}

/// Reads a DynamicValue (Terraform always sends msgpack; JSON is accepted too); absent means
/// null.
pub(crate) fn decode(value: Option<&DynamicValue>, ty: &Type) -> Result<Value, cty::CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => cty::from_msgpack(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => cty::from_json(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Writes a DynamicValue as msgpack: JSON cannot carry unknown values.
pub(crate) fn encode(value: &Value, ty: &Type) -> Result<DynamicValue, cty::CodecError> {
    Ok(DynamicValue {
        msgpack: cty::to_msgpack(value, ty)?,
        json: Vec::new(),
    })
}

fn codec_error(what: &str, error: cty::CodecError) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error(
        format!("Invalid {what}"),
        format!(
            "The provider could not decode the {what} it received ({error}). This is a bug in \
             the provider or an incompatible Terraform version; please report it."
        ),
    );
    diagnostics
}

/// Encodes a response value; a failure here is a provider bug, reported as a diagnostic rather
/// than a broken RPC.
fn encode_or_report(
    value: &Value,
    ty: &Type,
    diagnostics: &mut Diagnostics,
) -> Option<DynamicValue> {
    match encode(value, ty) {
        Ok(encoded) => Some(encoded),
        Err(error) => {
            diagnostics.extend(codec_error("response value", error));
            None
        }
    }
}

/// The type of a resource's identity values, if it has an identity.
fn identity_type(resource: &dyn Resource) -> Option<Type> {
    resource.identity_schema().map(IdentitySchema::implied_type)
}

/// The DynamicValue inside an identity message.
fn identity_data(identity: Option<&tfplugin6::ResourceIdentityData>) -> Option<&DynamicValue> {
    identity.and_then(|i| i.identity_data.as_ref())
}

/// Encodes an identity for a response: absent when null or when the type has none (Terraform
/// older than 1.12 never reads the field).
fn encode_identity(
    value: &Value,
    ty: Option<&Type>,
    diagnostics: &mut Diagnostics,
) -> Option<tfplugin6::ResourceIdentityData> {
    let ty = ty?;
    if value.is_null() {
        return None;
    }
    encode_or_report(value, ty, diagnostics).map(|data| tfplugin6::ResourceIdentityData {
        identity_data: Some(data),
    })
}

macro_rules! decode_or_return {
    ($value:expr, $ty:expr, $what:literal, $response:ident) => {
        match decode($value, $ty) {
            Ok(value) => value,
            Err(error) => {
                // Some responses carry only diagnostics; the update keeps one macro for all.
                #[allow(clippy::needless_update)]
                let response = tfplugin6::$response::Response {
                    diagnostics: codec_error($what, error).to_proto(),
                    ..Default::default()
                };
                return Ok(Response::new(response));
            }
        }
    };
}

/// Decodes an identity a request carries against the resource's identity type (null when the
/// type has none or the request carries none), or answers the request with an error.
macro_rules! identity_or_return {
    ($identity:expr, $ty:expr, $response:ident) => {
        match $ty {
            Some(ty) => decode_or_return!(identity_data($identity), ty, "identity", $response),
            None => Value::Null,
        }
    };
}

#[tonic::async_trait]
impl<P: Provider> tfplugin6::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<tfplugin6::get_metadata::Request>,
    ) -> Result<Response<tfplugin6::get_metadata::Response>, Status> {
        Ok(Response::new(tfplugin6::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            resources: self
                .provider
                .resources()
                .iter()
                .map(|r| tfplugin6::get_metadata::ResourceMetadata {
                    type_name: r.type_name().to_string(),
                })
                .collect(),
            data_sources: self
                .provider
                .data_sources()
                .iter()
                .map(|d| tfplugin6::get_metadata::DataSourceMetadata {
                    type_name: d.type_name().to_string(),
                })
                .collect(),
            functions: self
                .provider
                .functions()
                .iter()
                .map(|f| tfplugin6::get_metadata::FunctionMetadata {
                    name: f.name().to_string(),
                })
                .collect(),
            list_resources: self
                .provider
                .list_resources()
                .iter()
                .map(|l| tfplugin6::get_metadata::ListResourceMetadata {
                    type_name: l.type_name().to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<tfplugin6::get_provider_schema::Request>,
    ) -> Result<Response<tfplugin6::get_provider_schema::Response>, Status> {
        let resource_schemas: HashMap<String, tfplugin6::Schema> = self
            .provider
            .resources()
            .iter()
            .map(|r| (r.type_name().to_string(), r.schema().to_proto()))
            .collect();
        let data_source_schemas: HashMap<String, tfplugin6::Schema> = self
            .provider
            .data_sources()
            .iter()
            .map(|d| (d.type_name().to_string(), d.schema().to_proto()))
            .collect();
        let list_resource_schemas: HashMap<String, tfplugin6::Schema> = self
            .provider
            .list_resources()
            .iter()
            .map(|l| (l.type_name().to_string(), l.schema().to_proto()))
            .collect();
        Ok(Response::new(tfplugin6::get_provider_schema::Response {
            provider: Some(self.provider.schema().to_proto()),
            resource_schemas,
            data_source_schemas,
            list_resource_schemas,
            functions: self.functions(),
            server_capabilities: Some(Self::capabilities()),
            ..Default::default()
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<tfplugin6::get_functions::Request>,
    ) -> Result<Response<tfplugin6::get_functions::Response>, Status> {
        Ok(Response::new(tfplugin6::get_functions::Response {
            functions: self.functions(),
            diagnostics: Vec::new(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<tfplugin6::get_resource_identity_schemas::Request>,
    ) -> Result<Response<tfplugin6::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            tfplugin6::get_resource_identity_schemas::Response {
                identity_schemas: self
                    .provider
                    .resources()
                    .iter()
                    .filter_map(|r| {
                        let schema = r.identity_schema()?;
                        Some((r.type_name().to_string(), schema.to_proto()))
                    })
                    .collect(),
                diagnostics: Vec::new(),
            },
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<tfplugin6::upgrade_resource_identity::Request>,
    ) -> Result<Response<tfplugin6::upgrade_resource_identity::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let raw = request.raw_identity.unwrap_or_default();
        let mut diagnostics = Diagnostics::new();
        let upgraded_identity = match resource.upgrade_identity(request.version, &raw.json) {
            Ok(value) => encode_identity(
                &value,
                identity_type(resource.as_ref()).as_ref(),
                &mut diagnostics,
            ),
            Err(errors) => {
                diagnostics.extend(errors);
                None
            }
        };
        Ok(Response::new(
            tfplugin6::upgrade_resource_identity::Response {
                upgraded_identity,
                diagnostics: diagnostics.to_proto(),
            },
        ))
    }

    async fn validate_provider_config(
        &self,
        request: Request<tfplugin6::validate_provider_config::Request>,
    ) -> Result<Response<tfplugin6::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        let ty = self.provider.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "provider configuration",
            validate_provider_config
        );
        Ok(Response::new(
            tfplugin6::validate_provider_config::Response {
                diagnostics: self.provider.validate_config(&config).to_proto(),
            },
        ))
    }

    async fn validate_resource_config(
        &self,
        request: Request<tfplugin6::validate_resource_config::Request>,
    ) -> Result<Response<tfplugin6::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "resource configuration",
            validate_resource_config
        );
        Ok(Response::new(
            tfplugin6::validate_resource_config::Response {
                diagnostics: resource.validate(&config).to_proto(),
            },
        ))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<tfplugin6::validate_data_resource_config::Request>,
    ) -> Result<Response<tfplugin6::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        let data_source = self.data_source(&request.type_name)?;
        let ty = data_source.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "data source configuration",
            validate_data_resource_config
        );
        Ok(Response::new(
            tfplugin6::validate_data_resource_config::Response {
                diagnostics: data_source.validate(&config).to_proto(),
            },
        ))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<tfplugin6::upgrade_resource_state::Request>,
    ) -> Result<Response<tfplugin6::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let raw = request.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            let mut diagnostics = Diagnostics::new();
            if !raw.flatmap.is_empty() {
                diagnostics.error(
                    "Unsupported state format",
                    "The stored state uses the flatmap format of Terraform 0.11, which this \
                     provider never wrote. Remove the resource from state and import it again.",
                );
            }
            return Ok(Response::new(tfplugin6::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diagnostics.to_proto(),
            }));
        }
        let mut diagnostics = Diagnostics::new();
        let upgraded_state = match resource.upgrade_state(request.version, &raw.json) {
            Ok(value) => encode_or_report(&value, &ty, &mut diagnostics),
            Err(errors) => {
                diagnostics.extend(errors);
                None
            }
        };
        Ok(Response::new(tfplugin6::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diagnostics.to_proto(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<tfplugin6::configure_provider::Request>,
    ) -> Result<Response<tfplugin6::configure_provider::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(
            terraform_version = request.terraform_version.as_str(),
            "configuring provider"
        );
        let ty = self.provider.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "provider configuration",
            configure_provider
        );
        let diagnostics = self
            .provider
            .configure(&config, self.lifecycle.stop.child_token())
            .await;
        Ok(Response::new(tfplugin6::configure_provider::Response {
            diagnostics: diagnostics.to_proto(),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<tfplugin6::read_resource::Request>,
    ) -> Result<Response<tfplugin6::read_resource::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let identity_ty = identity_type(resource.as_ref());
        let current_state =
            decode_or_return!(request.current_state.as_ref(), &ty, "state", read_resource);
        let current_identity = identity_or_return!(
            request.current_identity.as_ref(),
            identity_ty.as_ref(),
            read_resource
        );
        let response = resource
            .read(ReadRequest {
                current_state,
                private: request.private,
                current_identity,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        let new_identity = encode_identity(
            &response.new_identity,
            identity_ty.as_ref(),
            &mut diagnostics,
        );
        Ok(Response::new(tfplugin6::read_resource::Response {
            new_state,
            diagnostics: diagnostics.to_proto(),
            private: response.private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<tfplugin6::plan_resource_change::Request>,
    ) -> Result<Response<tfplugin6::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let prior_state = decode_or_return!(
            request.prior_state.as_ref(),
            &ty,
            "prior state",
            plan_resource_change
        );
        let proposed_new_state = decode_or_return!(
            request.proposed_new_state.as_ref(),
            &ty,
            "proposed new state",
            plan_resource_change
        );
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "configuration",
            plan_resource_change
        );
        let identity_ty = identity_type(resource.as_ref());
        let prior_identity = identity_or_return!(
            request.prior_identity.as_ref(),
            identity_ty.as_ref(),
            plan_resource_change
        );
        let response = resource
            .plan(PlanRequest {
                prior_state,
                proposed_new_state,
                config,
                prior_private: request.prior_private,
                prior_identity,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let planned_state = encode_or_report(&response.planned_state, &ty, &mut diagnostics);
        let planned_identity = encode_identity(
            &response.planned_identity,
            identity_ty.as_ref(),
            &mut diagnostics,
        );
        Ok(Response::new(tfplugin6::plan_resource_change::Response {
            planned_state,
            planned_identity,
            requires_replace: response
                .requires_replace
                .iter()
                .map(path_to_proto)
                .collect(),
            planned_private: response.planned_private,
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<tfplugin6::apply_resource_change::Request>,
    ) -> Result<Response<tfplugin6::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let prior_state = decode_or_return!(
            request.prior_state.as_ref(),
            &ty,
            "prior state",
            apply_resource_change
        );
        let planned_state = decode_or_return!(
            request.planned_state.as_ref(),
            &ty,
            "planned state",
            apply_resource_change
        );
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "configuration",
            apply_resource_change
        );
        let identity_ty = identity_type(resource.as_ref());
        let planned_identity = identity_or_return!(
            request.planned_identity.as_ref(),
            identity_ty.as_ref(),
            apply_resource_change
        );
        let response = resource
            .apply(ApplyRequest {
                prior_state,
                planned_state,
                config,
                planned_private: request.planned_private,
                planned_identity,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        let new_identity = encode_identity(
            &response.new_identity,
            identity_ty.as_ref(),
            &mut diagnostics,
        );
        Ok(Response::new(tfplugin6::apply_resource_change::Response {
            new_state,
            new_identity,
            private: response.private,
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<tfplugin6::import_resource_state::Request>,
    ) -> Result<Response<tfplugin6::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let resource = self.resource(&request.type_name)?;
        let ty = resource.schema().implied_type();
        let identity_ty = identity_type(resource.as_ref());
        let identity = identity_or_return!(
            request.identity.as_ref(),
            identity_ty.as_ref(),
            import_resource_state
        );
        let response = resource
            .import(ImportRequest {
                id: request.id,
                identity,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let identity = encode_identity(&response.identity, identity_ty.as_ref(), &mut diagnostics);
        let imported_resources = response
            .state
            .and_then(|state| encode_or_report(&state, &ty, &mut diagnostics))
            .map(|state| tfplugin6::import_resource_state::ImportedResource {
                type_name: request.type_name.clone(),
                state: Some(state),
                private: response.private,
                identity,
            })
            .into_iter()
            .collect();
        Ok(Response::new(tfplugin6::import_resource_state::Response {
            imported_resources,
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<tfplugin6::read_data_source::Request>,
    ) -> Result<Response<tfplugin6::read_data_source::Response>, Status> {
        let request = request.into_inner();
        let data_source = self.data_source(&request.type_name)?;
        let ty = data_source.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "data source configuration",
            read_data_source
        );
        let response = data_source
            .read(DataReadRequest {
                config,
                deferral_allowed: request
                    .client_capabilities
                    .is_some_and(|c| c.deferral_allowed),
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let state = encode_or_report(&response.state, &ty, &mut diagnostics);
        Ok(Response::new(tfplugin6::read_data_source::Response {
            state,
            diagnostics: diagnostics.to_proto(),
            deferred: response.deferred.map(deferred_to_proto),
        }))
    }

    async fn call_function(
        &self,
        request: Request<tfplugin6::call_function::Request>,
    ) -> Result<Response<tfplugin6::call_function::Response>, Status> {
        let request = request.into_inner();
        let answer = match self.provider.function(&request.name) {
            Some(function) => call(function.as_ref(), &request.arguments),
            None => Err(FunctionError::new(format!(
                "this provider has no function named {:?}; check the name and the provider \
                 version",
                request.name
            ))),
        };
        Ok(Response::new(match answer {
            Ok(result) => tfplugin6::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(error) => {
                tracing::debug!(function = request.name.as_str(), %error, "function call failed");
                tfplugin6::call_function::Response {
                    result: None,
                    error: Some(error.to_proto()),
                }
            }
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<tfplugin6::validate_list_resource_config::Request>,
    ) -> Result<Response<tfplugin6::validate_list_resource_config::Response>, Status> {
        let request = request.into_inner();
        let list = self.list_resource(&request.type_name)?;
        let ty = list.schema().implied_type();
        let config = decode_or_return!(
            request.config.as_ref(),
            &ty,
            "list block configuration",
            validate_list_resource_config
        );
        Ok(Response::new(
            tfplugin6::validate_list_resource_config::Response {
                diagnostics: list.validate(&config).to_proto(),
            },
        ))
    }

    async fn list_resource(
        &self,
        request: Request<tfplugin6::list_resource::Request>,
    ) -> Result<Response<BoxStream<tfplugin6::list_resource::Event>>, Status> {
        use tokio_stream::StreamExt;
        let request = request.into_inner();
        let list = self.list_resource(&request.type_name)?;
        let resource = self.resource(&request.type_name)?;
        let identity_ty = identity_type(resource.as_ref());
        let object_ty = resource.schema().implied_type();
        let config = match decode(request.config.as_ref(), &list.schema().implied_type()) {
            Ok(config) => config,
            Err(error) => {
                let event = tfplugin6::list_resource::Event {
                    diagnostic: codec_error("list block configuration", error).to_proto(),
                    ..Default::default()
                };
                return Ok(Response::new(Box::pin(tokio_stream::once(Ok(event)))));
            }
        };
        // One event in flight: the list produces the next result only once Terraform has read
        // the last, and ends when Terraform stops reading (its limit) or drops the stream.
        let (sink, results) = tokio::sync::mpsc::channel(1);
        let cancel = self.lifecycle.stop.child_token();
        let dropped = cancel.clone().drop_guard();
        tokio::spawn(async move {
            let request = ListRequest {
                config,
                include_resource: request.include_resource_object,
                limit: request.limit,
                cancel,
            };
            list.list(request, sink).await;
        });
        let stream = tokio_stream::wrappers::ReceiverStream::new(results).map(move |event| {
            // Dropped with the stream: the list's AWS calls stop with it.
            let _ = &dropped;
            Ok(list_event_to_proto(event, identity_ty.as_ref(), &object_ty))
        });
        Ok(Response::new(Box::pin(stream)))
    }

    async fn stop_provider(
        &self,
        _request: Request<tfplugin6::stop_provider::Request>,
    ) -> Result<Response<tfplugin6::stop_provider::Response>, Status> {
        tracing::info!("StopProvider received: cancelling in-flight operations");
        self.lifecycle.stop.cancel();
        Ok(Response::new(tfplugin6::stop_provider::Response {
            error: String::new(),
        }))
    }
}

/// A list result on the wire: the identity against the resource's identity type, the object
/// against its schema's; a value that cannot be encoded is an error diagnostic instead.
fn list_event_to_proto(
    event: ListEvent,
    identity_ty: Option<&Type>,
    object_ty: &Type,
) -> tfplugin6::list_resource::Event {
    let mut diagnostics = event.diagnostics;
    let identity = encode_identity(&event.identity, identity_ty, &mut diagnostics);
    let resource_object = event
        .resource_object
        .and_then(|object| encode_or_report(&object, object_ty, &mut diagnostics));
    tfplugin6::list_resource::Event {
        identity,
        display_name: event.display_name,
        resource_object,
        diagnostic: diagnostics.to_proto(),
    }
}

fn deferred_to_proto(deferral: Deferral) -> tfplugin6::Deferred {
    let reason = match deferral {
        Deferral::ConfigUnknown => tfplugin6::deferred::Reason::ResourceConfigUnknown,
        Deferral::ProviderConfigUnknown => tfplugin6::deferred::Reason::ProviderConfigUnknown,
    };
    tfplugin6::Deferred {
        reason: reason as i32,
    }
}

/// One CallFunction: the arguments decoded against their parameters' types (a bad one is an
/// error on that argument), the call, the result encoded against the return type.
fn call(
    function: &dyn ProviderFunction,
    arguments: &[DynamicValue],
) -> Result<DynamicValue, FunctionError> {
    let definition = function.definition();
    if let Some(problem) = definition.arity_error(function.name(), arguments.len()) {
        return Err(FunctionError::new(problem));
    }
    let mut values = Vec::with_capacity(arguments.len());
    for (index, argument) in arguments.iter().enumerate() {
        let Some(parameter) = definition.parameter_for(index) else {
            return Err(FunctionError::at(
                index,
                "there is no parameter for this argument",
            ));
        };
        let value = decode(Some(argument), &parameter.ty).map_err(|error| {
            FunctionError::at(
                index,
                format!(
                    "the value Terraform sent for {} cannot be read as {} ({error}); this is a \
                     bug in the provider or an incompatible Terraform version",
                    parameter.name, parameter.ty
                ),
            )
        })?;
        values.push(value);
    }
    let result = function.call(values)?;
    encode(&result, &definition.return_type).map_err(|error| {
        FunctionError::new(format!(
            "{} produced a result that cannot be sent to Terraform ({error}); this is a bug in \
             the provider, please report it",
            function.name()
        ))
    })
}

/// go-plugin's controller: Terraform calls Shutdown on every close, then waits 2 s before
/// killing the process.
pub(crate) struct ControllerService {
    lifecycle: Lifecycle,
}

impl ControllerService {
    pub(crate) fn new(lifecycle: Lifecycle) -> Self {
        Self { lifecycle }
    }
}

#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for ControllerService {
    async fn shutdown(
        &self,
        _request: Request<plugin::Empty>,
    ) -> Result<Response<plugin::Empty>, Status> {
        tracing::debug!("Shutdown received");
        self.lifecycle.stop.cancel();
        self.lifecycle.shutdown.cancel();
        Ok(Response::new(plugin::Empty {}))
    }
}

/// go-plugin's stdio forwarding. The provider never writes to stdout after the handshake, so the
/// stream stays open and silent until shutdown.
pub(crate) struct StdioService {
    lifecycle: Lifecycle,
}

impl StdioService {
    pub(crate) fn new(lifecycle: Lifecycle) -> Self {
        Self { lifecycle }
    }
}

#[tonic::async_trait]
impl plugin::grpc_stdio_server::GrpcStdio for StdioService {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<plugin::StdioData>>, Status> {
        let shutdown = self.lifecycle.shutdown.clone();
        let stream = async_stream_until(shutdown);
        Ok(Response::new(Box::pin(stream)))
    }
}

/// A stream that yields nothing and ends when `token` is cancelled.
fn async_stream_until(
    token: CancellationToken,
) -> impl tokio_stream::Stream<Item = Result<plugin::StdioData, Status>> + Send + 'static {
    use tokio_stream::StreamExt;
    tokio_stream::once(())
        .then(move |_| {
            let token = token.clone();
            async move { token.cancelled().await }
        })
        .filter_map(|_| None::<Result<plugin::StdioData, Status>>)
}

/// grpc.health.v1 with the service name go-plugin checks (`plugin`).
pub(crate) struct HealthService;

#[tonic::async_trait]
impl health::health_server::Health for HealthService {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if service.is_empty() || service == "plugin" {
            Ok(Response::new(HealthCheckResponse {
                status: ServingStatus::Serving as i32,
            }))
        } else {
            Err(Status::not_found(format!("unknown service {service:?}")))
        }
    }

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<BoxStream<HealthCheckResponse>>, Status> {
        let status = self.check(request).await?.into_inner();
        Ok(Response::new(Box::pin(tokio_stream::once(Ok(status)))))
    }
}

#[cfg(test)]
mod tests {
    //! The new RPCs at the wire, with a provider written against the boundary traits only.

    use super::*;
    use crate::protocol::cty::Path;
    use crate::protocol::function::{Definition, Parameter};
    use crate::protocol::resource::DataReadResponse;
    use crate::protocol::schema::{Attribute, Block, Schema};
    use plugin_proto::tfplugin6::provider_server::Provider as _;

    struct Lookup {
        schema: Schema,
    }

    #[async_trait::async_trait]
    impl DataResource for Lookup {
        fn type_name(&self) -> &'static str {
            "migration_lookup"
        }

        fn schema(&self) -> &Schema {
            &self.schema
        }

        fn validate(&self, config: &Value) -> Diagnostics {
            let mut diagnostics = Diagnostics::new();
            if config.attr("key").and_then(Value::as_str) == Some("") {
                diagnostics.error_at(Path::root().attr("key"), "Empty key", "Set a key.");
            }
            diagnostics
        }

        async fn read(&self, request: DataReadRequest) -> DataReadResponse {
            if request.deferral_allowed {
                return DataReadResponse {
                    state: Value::unknown(),
                    deferred: Some(Deferral::ProviderConfigUnknown),
                    diagnostics: Diagnostics::new(),
                };
            }
            let key = request.config.attr("key").cloned().unwrap_or(Value::Null);
            DataReadResponse {
                state: Value::object([("key", key), ("value", Value::string("found"))]),
                deferred: None,
                diagnostics: Diagnostics::new(),
            }
        }
    }

    /// `double(n)`; `double(-1)` answers a string where a number is declared.
    struct Double {
        definition: Definition,
    }

    impl ProviderFunction for Double {
        fn name(&self) -> &'static str {
            "double"
        }

        fn definition(&self) -> &Definition {
            &self.definition
        }

        fn call(&self, arguments: Vec<Value>) -> Result<Value, FunctionError> {
            let number = arguments[0]
                .as_number()
                .and_then(|n| n.as_i64())
                .ok_or_else(|| FunctionError::at(0, "n is not a whole number"))?;
            if number < 0 {
                return Ok(Value::string("negative"));
            }
            Ok(Value::number(number * 2))
        }
    }

    struct Fake {
        schema: Schema,
        data_sources: Vec<Arc<dyn DataResource>>,
        functions: Vec<Arc<dyn ProviderFunction>>,
    }

    #[async_trait::async_trait]
    impl Provider for Fake {
        fn schema(&self) -> &Schema {
            &self.schema
        }

        fn resources(&self) -> &[Arc<dyn Resource>] {
            &[]
        }

        fn data_sources(&self) -> &[Arc<dyn DataResource>] {
            &self.data_sources
        }

        fn functions(&self) -> &[Arc<dyn ProviderFunction>] {
            &self.functions
        }

        fn validate_config(&self, _: &Value) -> Diagnostics {
            Diagnostics::new()
        }

        async fn configure(&self, _: &Value, _: CancellationToken) -> Diagnostics {
            Diagnostics::new()
        }
    }

    fn service() -> ProviderService<Fake> {
        let lookup = Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::required("key", Type::String),
                    Attribute::computed("value", Type::String),
                ],
                ..Default::default()
            },
        };
        let double = Definition::new(Type::Number)
            .parameter(Parameter::new("n", Type::Number))
            .summary("Doubles");
        let fake = Fake {
            schema: Schema {
                version: 0,
                block: Block::default(),
            },
            data_sources: vec![Arc::new(Lookup { schema: lookup })],
            functions: vec![Arc::new(Double { definition: double })],
        };
        ProviderService::new(Arc::new(fake), Lifecycle::default())
    }

    fn lookup_type() -> Type {
        Type::object([("key", Type::String), ("value", Type::String)])
    }

    fn msgpack(value: &Value, ty: &Type) -> Option<DynamicValue> {
        Some(encode(value, ty).unwrap())
    }

    async fn call_double(arguments: Vec<DynamicValue>) -> tfplugin6::call_function::Response {
        service()
            .call_function(Request::new(tfplugin6::call_function::Request {
                name: "double".into(),
                arguments,
            }))
            .await
            .unwrap()
            .into_inner()
    }

    #[tokio::test]
    async fn discovery_lists_data_sources_and_functions() {
        let service = service();
        let metadata = service
            .get_metadata(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(metadata.data_sources[0].type_name, "migration_lookup");
        assert_eq!(metadata.functions[0].name, "double");
        let schema = service
            .get_provider_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(schema.data_source_schemas.contains_key("migration_lookup"));
        let function = &schema.functions["double"];
        assert_eq!(function.parameters[0].r#type, b"\"number\"");
        let functions = service
            .get_functions(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&functions.functions["double"], function);
    }

    #[tokio::test]
    async fn data_source_validate_and_read_convert_both_ways() {
        let service = service();
        let config = Value::object([("key", Value::string("")), ("value", Value::Null)]);
        let validated = service
            .validate_data_resource_config(Request::new(
                tfplugin6::validate_data_resource_config::Request {
                    type_name: "migration_lookup".into(),
                    config: msgpack(&config, &lookup_type()),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(validated.diagnostics[0].summary, "Empty key");
        assert!(validated.diagnostics[0].attribute.is_some());

        let config = Value::object([("key", Value::string("k")), ("value", Value::Null)]);
        let read = |deferral_allowed| tfplugin6::read_data_source::Request {
            type_name: "migration_lookup".into(),
            config: msgpack(&config, &lookup_type()),
            provider_meta: None,
            client_capabilities: Some(tfplugin6::ClientCapabilities {
                deferral_allowed,
                ..Default::default()
            }),
        };
        let answer = service
            .read_data_source(Request::new(read(false)))
            .await
            .unwrap()
            .into_inner();
        assert!(answer.diagnostics.is_empty() && answer.deferred.is_none());
        let state = decode(answer.state.as_ref(), &lookup_type()).unwrap();
        assert_eq!(state.attr("value"), Some(&Value::string("found")));

        let deferred = service
            .read_data_source(Request::new(read(true)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            deferred.deferred.unwrap().reason,
            tfplugin6::deferred::Reason::ProviderConfigUnknown as i32
        );
        assert!(
            decode(deferred.state.as_ref(), &lookup_type())
                .unwrap()
                .is_unknown()
        );
    }

    #[tokio::test]
    async fn bad_data_source_requests_are_answered_not_crashed() {
        let service = service();
        let garbage = tfplugin6::read_data_source::Request {
            type_name: "migration_lookup".into(),
            config: Some(DynamicValue {
                msgpack: vec![0x92, 0xc1, 0xff, 0x00],
                json: Vec::new(),
            }),
            ..Default::default()
        };
        let answer = service
            .read_data_source(Request::new(garbage))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            answer.diagnostics[0].summary,
            "Invalid data source configuration"
        );
        assert!(answer.state.is_none());
        let unknown_type = service
            .read_data_source(Request::new(tfplugin6::read_data_source::Request {
                type_name: "migration_nothing".into(),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(unknown_type.code(), tonic::Code::NotFound);
    }

    #[tokio::test]
    async fn a_call_decodes_its_arguments_against_the_parameters() {
        let answer = call_double(vec![msgpack(&Value::number(21), &Type::Number).unwrap()]).await;
        assert!(answer.error.is_none());
        let result = decode(answer.result.as_ref(), &Type::Number).unwrap();
        assert_eq!(result, Value::number(42));
        // JSON is a DynamicValue too.
        let json = DynamicValue {
            msgpack: Vec::new(),
            json: b"4".to_vec(),
        };
        let answer = call_double(vec![json]).await;
        assert_eq!(
            decode(answer.result.as_ref(), &Type::Number).unwrap(),
            Value::number(8)
        );
    }

    #[tokio::test]
    async fn every_bad_call_is_a_function_error_never_a_panic() {
        let error = |answer: tfplugin6::call_function::Response| {
            assert!(answer.result.is_none());
            FunctionError::from_proto(&answer.error.expect("an error"))
        };
        // Malformed msgpack, and a well-formed value of another type: errors on argument 0.
        for bytes in [
            vec![0xc1],
            vec![0xa3, b'a', b'b', b'c'],
            vec![0xdd, 0xff, 0xff, 0xff, 0xff],
        ] {
            let bad = DynamicValue {
                msgpack: bytes,
                json: Vec::new(),
            };
            let failed = error(call_double(vec![bad]).await);
            assert_eq!(failed.argument, Some(0), "{failed}");
            assert!(failed.text.contains("cannot be read as number"), "{failed}");
        }
        let failed = error(call_double(Vec::new()).await);
        assert_eq!(failed.argument, None);
        assert!(failed.text.contains("exactly 1 argument"), "{failed}");
        // The function's own error keeps its argument.
        let fraction = msgpack(&Value::Number("1.5".parse().unwrap()), &Type::Number).unwrap();
        assert_eq!(
            error(call_double(vec![fraction]).await),
            FunctionError::at(0, "n is not a whole number")
        );
        // A result that is not of the return type cannot be encoded: the provider's bug, said so.
        let negative = msgpack(&Value::number(-1), &Type::Number).unwrap();
        let failed = error(call_double(vec![negative]).await);
        assert!(failed.text.contains("bug in the provider"), "{failed}");
        let missing = service()
            .call_function(Request::new(tfplugin6::call_function::Request {
                name: "triple".into(),
                arguments: Vec::new(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(error(missing).text.contains("no function named \"triple\""));
    }
}
