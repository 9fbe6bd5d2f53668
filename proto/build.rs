//! Compiles the `.proto` files in `proto/` into Rust with `protox`, a
//! pure-Rust protobuf compiler, so building this crate never needs a system
//! `protoc` (the project's machines have none).

use std::error::Error;
use std::path::Path;

/// The directory holding our `.proto` files; also the import root.
const PROTO_DIR: &str = "proto";

/// Every file we compile. Well-known imports such as
/// `google/protobuf/empty.proto` come built into `protox`.
const PROTO_FILES: &[&str] = &[
    "tfplugin6.proto",
    "grpc_controller.proto",
    "grpc_stdio.proto",
    "grpc_broker.proto",
    "health.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={PROTO_DIR}");

    let files: Vec<_> = PROTO_FILES
        .iter()
        .map(|file| Path::new(PROTO_DIR).join(file))
        .collect();
    let descriptors = protox::compile(&files, [PROTO_DIR])
        .map_err(|err| format!("cannot compile the .proto files in {PROTO_DIR}/: {err:?}"))?;

    // Servers are what the provider runs; clients are what the test harness
    // uses to play Terraform's part. Default stubs make every RPC we do not
    // implement answer `Unimplemented`, as Terraform expects.
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .generate_default_stubs(true)
        .compile_fds(descriptors)
        .map_err(|err| format!("cannot generate Rust code from the .proto files: {err}"))?;

    Ok(())
}
