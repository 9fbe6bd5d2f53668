//! The provider-defined functions this provider offers: `provider::migration::<name>(...)` in
//! Terraform ≥ 1.8 and OpenTofu ≥ 1.7. Each is a [`Function`](crate::framework::function::Function)
//! with its definition and one pure call; the framework's adapter does the rest.

use std::sync::Arc;

use crate::framework::function::FunctionAdapter;
use crate::protocol::resource::ProviderFunction;

pub(crate) mod cidr_overlaps;

/// Every function, constructed once per provider process.
pub(crate) fn all() -> Vec<Arc<dyn ProviderFunction>> {
    vec![FunctionAdapter::boxed(cidr_overlaps::CidrOverlaps)]
}
