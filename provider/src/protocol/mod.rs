//! Everything Terraform-facing and nothing AWS-facing: the go-plugin handshake, mutual TLS, the
//! gRPC services, cty values, schemas, function definitions, diagnostics and logs.

pub mod crash;
pub mod cty;
pub mod diagnostics;
pub(crate) mod duration;
pub mod function;
#[cfg(test)]
mod fuzz;
pub mod handshake;
pub mod identity;
pub mod logging;
pub(crate) mod object;
pub mod resource;
pub mod schema;
pub mod serve;
pub(crate) mod server;
pub mod timing;
pub(crate) mod tls;
pub mod wire_diagnostics;
