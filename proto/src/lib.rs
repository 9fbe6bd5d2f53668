//! Rust types, gRPC servers and gRPC clients for every protocol a Terraform
//! or OpenTofu provider process speaks.
//!
//! Terraform talks to a provider through go-plugin over gRPC, so the
//! message layouts, field numbers and service names here are a wire contract
//! we do not control. The `.proto` files in `proto/` restate that contract in
//! our own words and are compiled at build time with `protox`, a pure-Rust
//! protobuf compiler, because the machines that build this project have no
//! `protoc`.
//!
//! Every service is generated with default method bodies that answer
//! `Unimplemented`, which is what Terraform expects for calls a provider does
//! not support; an implementation overrides only the calls it handles.
//! Streaming calls return [`tonic::codegen::BoxStream`].

/// Re-exported so users can build `google.protobuf.Timestamp` values (such as
/// an ephemeral resource's `renew_at`) without depending on it themselves.
pub use prost_types;

/// Terraform plugin protocol 6 (`tfplugin6`): the `Provider` service and its
/// messages.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services (`plugin`): `GRPCController` (shutdown),
/// `GRPCStdio` (output forwarding) and `GRPCBroker` (extra connections).
pub mod plugin {
    tonic::include_proto!("plugin");
}

/// The standard gRPC health service (`grpc.health.v1`), which go-plugin hosts
/// poll to see whether the plugin is still serving.
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}

#[cfg(test)]
mod tests {
    //! The generated types are only useful if they put each value under the
    //! field number Terraform expects; these tests pin a few numbers by
    //! encoding to and decoding from hand-written protobuf bytes.

    use super::{health, plugin, tfplugin6};
    use prost::Message;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    use tonic::server::NamedService;

    /// Key byte of a protobuf field: field number shifted left by three,
    /// combined with the wire type (0 = varint, 2 = length-delimited).
    const fn key(field_number: u8, wire_type: u8) -> u8 {
        (field_number << 3) | wire_type
    }

    #[test]
    fn server_capabilities_put_schema_optional_under_field_2() {
        let capabilities = tfplugin6::ServerCapabilities {
            get_provider_schema_optional: true,
            ..Default::default()
        };
        assert_eq!(capabilities.encode_to_vec(), [key(2, 0), 0x01]);

        let decoded = tfplugin6::ServerCapabilities::decode([key(3, 0), 0x01].as_slice())
            .expect("a single varint field is valid protobuf");
        assert!(decoded.move_resource_state);
        assert!(!decoded.get_provider_schema_optional);
    }

    #[test]
    fn dynamic_value_puts_msgpack_under_field_1_and_json_under_field_2() {
        // 0xc0 is msgpack nil.
        let msgpack = tfplugin6::DynamicValue {
            msgpack: vec![0xc0],
            json: Vec::new(),
        };
        assert_eq!(msgpack.encode_to_vec(), [key(1, 2), 0x01, 0xc0]);

        let json = tfplugin6::DynamicValue {
            msgpack: Vec::new(),
            json: b"null".to_vec(),
        };
        assert_eq!(
            json.encode_to_vec(),
            [key(2, 2), 0x04, b'n', b'u', b'l', b'l']
        );
    }

    #[test]
    fn validate_provider_config_response_keeps_diagnostics_under_field_2() {
        // An empty Diagnostic encodes as a zero-length embedded message.
        let response = tfplugin6::validate_provider_config::Response {
            diagnostics: vec![tfplugin6::Diagnostic::default()],
        };
        assert_eq!(response.encode_to_vec(), [key(2, 2), 0x00]);
    }

    #[test]
    fn plan_request_reads_planned_private_from_field_9() {
        let wire = [key(9, 2), 0x02, b'p', b'p', key(5, 2), 0x01, b'x'];
        let request = tfplugin6::plan_resource_change::Request::decode(wire.as_slice())
            .expect("two bytes fields are valid protobuf");
        assert_eq!(request.planned_private, b"pp");
        assert_eq!(request.prior_private, b"x");
    }

    #[test]
    fn enum_values_match_the_contract() {
        assert_eq!(tfplugin6::diagnostic::Severity::Error as i32, 1);
        assert_eq!(tfplugin6::diagnostic::Severity::Warning as i32, 2);
        assert_eq!(
            tfplugin6::schema::nested_block::NestingMode::Group as i32,
            5
        );
        assert_eq!(tfplugin6::deferred::Reason::AbsentPrereq as i32, 3);
        assert_eq!(
            health::health_check_response::ServingStatus::Serving as i32,
            1
        );
        assert_eq!(
            health::health_check_response::ServingStatus::ServiceUnknown as i32,
            3
        );
        assert_eq!(plugin::stdio_data::Channel::Stderr as i32, 2);
    }

    #[test]
    fn services_are_registered_under_the_names_terraform_dials() {
        type Provider = tfplugin6::provider_server::ProviderServer<NothingImplemented>;
        type Health = health::health_server::HealthServer<NothingImplemented>;
        type Controller = plugin::grpc_controller_server::GrpcControllerServer<NothingImplemented>;
        type Stdio = plugin::grpc_stdio_server::GrpcStdioServer<NothingImplemented>;
        type Broker = plugin::grpc_broker_server::GrpcBrokerServer<NothingImplemented>;

        assert_eq!(<Provider as NamedService>::NAME, "tfplugin6.Provider");
        assert_eq!(<Health as NamedService>::NAME, "grpc.health.v1.Health");
        assert_eq!(<Controller as NamedService>::NAME, "plugin.GRPCController");
        assert_eq!(<Stdio as NamedService>::NAME, "plugin.GRPCStdio");
        assert_eq!(<Broker as NamedService>::NAME, "plugin.GRPCBroker");
    }

    /// A service that overrides nothing, to observe the default bodies.
    struct NothingImplemented;

    impl tfplugin6::provider_server::Provider for NothingImplemented {}
    impl health::health_server::Health for NothingImplemented {}
    impl plugin::grpc_controller_server::GrpcController for NothingImplemented {}
    impl plugin::grpc_stdio_server::GrpcStdio for NothingImplemented {}
    impl plugin::grpc_broker_server::GrpcBroker for NothingImplemented {}

    /// Polls a future that must finish without waiting on anything.
    fn resolve_at_once<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("a default method body should not wait"),
        }
    }

    #[test]
    fn calls_a_provider_does_not_override_answer_unimplemented() {
        use tfplugin6::provider_server::Provider;

        let identity = resolve_at_once(NothingImplemented.get_resource_identity_schemas(
            tonic::Request::new(tfplugin6::get_resource_identity_schemas::Request {}),
        ));
        assert_eq!(
            identity.expect_err("not overridden").code(),
            tonic::Code::Unimplemented
        );

        let listing = resolve_at_once(NothingImplemented.list_resource(tonic::Request::new(
            tfplugin6::list_resource::Request::default(),
        )));
        assert_eq!(
            listing.err().map(|status| status.code()),
            Some(tonic::Code::Unimplemented)
        );
    }
}
