//! What every resource, data source and function of the provider shares, between the protocol
//! layer (which only converts) and their own logic (which is all an author writes), as
//! terraform-plugin-framework's `fwserver` sits between `proto6server` and the resource
//! packages.
//!
//! - [`resource`]: the [`ManagedResource`](resource::ManagedResource) hooks and the lifecycle
//!   that runs them for every RPC.
//! - [`data_source`]: the [`DataSource`](data_source::DataSource) hooks (a typed configuration,
//!   offline checks, one read) and their lifecycle.
//! - [`list`]: the [`Listed`](list::Listed) hooks (a filter and one search) that make a managed
//!   resource's objects listable by `terraform query`, and their lifecycle.
//! - [`function`]: the [`Function`](function::Function) definition and call, typed arguments,
//!   and the adapter that keeps Terraform's rules for every call.
//! - [`typed`]: cty values as Rust structs, attribute names defined once.
//! - [`context`]: the configured provider and an operation's budget.
//! - [`recent`]: reads one RPC made that the next RPC about the same object reuses.
//! - [`owner`]: ownership tokens and claims, for objects several instances can reach.
//! - [`private`], [`timeouts`], [`tags`], [`failures`], [`upgrade`], [`consistency`]: the parts
//!   of the lifecycle every resource shares.

pub(crate) mod consistency;
pub(crate) mod context;
pub(crate) mod data_source;
pub(crate) mod failures;
pub(crate) mod function;
pub(crate) mod identity;
pub(crate) mod list;
pub(crate) mod owner;
pub(crate) mod private;
pub(crate) mod recent;
pub(crate) mod resource;
pub(crate) mod tags;
pub(crate) mod timeouts;
pub(crate) mod typed;
pub(crate) mod upgrade;
