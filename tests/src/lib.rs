//! The test harness: it plays Terraform core against the real provider binary (no terraform or
//! tofu binary can be installed on the project's machines), and runs the local AWS emulator.
//!
//! - [`process`]: go-plugin launch, handshake, mutual TLS, Shutdown.
//! - [`config`]: HCL configuration decoded against the provider's schemas.
//! - [`core`]: Terraform core's value rules (ProposedNew, plan validity, apply compatibility).
//! - [`terraform`]: the commands (validate, plan, apply, destroy, import) as RPC sequences,
//!   data sources read during plan, and provider-defined function calls with core's rules.
//! - [`query`]: `terraform query`'s ListResource sequence for one `list` block, with core's
//!   checks on the stream.
//! - [`emulator`]: the local AWS (moto + extension) the end-to-end tests run against.

pub mod bench;
pub mod cli;
pub mod config;
pub mod core;
pub mod docs;
pub mod emulator;
pub mod inspect;
pub mod process;
pub mod query;
pub mod release_0_1_0;
pub mod render;
pub mod seed;
pub mod terraform;

pub use process::{LaunchOptions, ProviderProcess};
pub use terraform::{Action, Terraform};
