//! The gRPC services a Terraform provider process offers: `tfplugin6.Provider` (turned into calls
//! on the [`Provider`] and [`Resource`] trait objects), go-plugin's controller and stdio, and
//! health. RPCs this provider does not support answer `Unimplemented`, which Terraform treats as
//! "feature absent".

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
use super::diagnostics::{Diagnostics, path_to_proto};
use super::resource::{ApplyRequest, ImportRequest, PlanRequest, Provider, ReadRequest, Resource};

/// gRPC messages may be far larger than tonic's 4 MiB default: Terraform allows 256 MiB, and a
/// hub with hundreds of routes has a large state.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Process-wide cancellation: StopProvider cancels `stop` (in-flight operations end early and
/// return partial state; the process keeps serving), Shutdown cancels both.
#[derive(Clone, Default)]
pub struct Lifecycle {
    pub stop: CancellationToken,
    pub shutdown: CancellationToken,
}

/// `tfplugin6.Provider` over a [`Provider`] implementation.
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    lifecycle: Lifecycle,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: Arc<P>, lifecycle: Lifecycle) -> Self {
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

    fn capabilities() -> tfplugin6::ServerCapabilities {
        tfplugin6::ServerCapabilities {
            get_provider_schema_optional: true,
            ..Default::default()
        }
    }
}

/// Reads a DynamicValue (Terraform always sends msgpack; JSON is accepted too); absent means
/// null.
pub fn decode(value: Option<&DynamicValue>, ty: &Type) -> Result<Value, cty::CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => cty::from_msgpack(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => cty::from_json(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Writes a DynamicValue as msgpack: JSON cannot carry unknown values.
pub fn encode(value: &Value, ty: &Type) -> Result<DynamicValue, cty::CodecError> {
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
        Ok(Response::new(tfplugin6::get_provider_schema::Response {
            provider: Some(self.provider.schema().to_proto()),
            resource_schemas,
            server_capabilities: Some(Self::capabilities()),
            ..Default::default()
        }))
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
        let current_state =
            decode_or_return!(request.current_state.as_ref(), &ty, "state", read_resource);
        let response = resource
            .read(ReadRequest {
                current_state,
                private: request.private,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        Ok(Response::new(tfplugin6::read_resource::Response {
            new_state,
            diagnostics: diagnostics.to_proto(),
            private: response.private,
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
        let response = resource
            .plan(PlanRequest {
                prior_state,
                proposed_new_state,
                config,
                prior_private: request.prior_private,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let planned_state = encode_or_report(&response.planned_state, &ty, &mut diagnostics);
        Ok(Response::new(tfplugin6::plan_resource_change::Response {
            planned_state,
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
        let response = resource
            .apply(ApplyRequest {
                prior_state,
                planned_state,
                config,
                planned_private: request.planned_private,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let new_state = encode_or_report(&response.new_state, &ty, &mut diagnostics);
        Ok(Response::new(tfplugin6::apply_resource_change::Response {
            new_state,
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
        let response = resource
            .import(ImportRequest {
                id: request.id,
                cancel: self.lifecycle.stop.child_token(),
            })
            .await;
        let mut diagnostics = response.diagnostics;
        let imported_resources = response
            .state
            .and_then(|state| encode_or_report(&state, &ty, &mut diagnostics))
            .map(|state| tfplugin6::import_resource_state::ImportedResource {
                type_name: request.type_name.clone(),
                state: Some(state),
                private: response.private,
                identity: None,
            })
            .into_iter()
            .collect();
        Ok(Response::new(tfplugin6::import_resource_state::Response {
            imported_resources,
            diagnostics: diagnostics.to_proto(),
            ..Default::default()
        }))
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

/// go-plugin's controller: Terraform calls Shutdown on every close, then waits 2 s before
/// killing the process.
pub struct ControllerService {
    lifecycle: Lifecycle,
}

impl ControllerService {
    pub fn new(lifecycle: Lifecycle) -> Self {
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
pub struct StdioService {
    lifecycle: Lifecycle,
}

impl StdioService {
    pub fn new(lifecycle: Lifecycle) -> Self {
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
pub struct HealthService;

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
