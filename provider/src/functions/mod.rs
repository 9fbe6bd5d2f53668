//! The provider-defined functions this provider offers: `provider::migration::<name>(...)` in
//! Terraform ≥ 1.8 and OpenTofu ≥ 1.7. Each is a [`Function`](crate::framework::function::Function)
//! with its definition and one pure call; the framework's adapter does the rest. The network
//! math is in [`netplan`](crate::netplan); [`cidr_arguments`] reads CIDR blocks and addresses
//! from arguments with errors that name the element and the value meant.

use std::sync::Arc;

use crate::framework::function::FunctionAdapter;
use crate::protocol::resource::ProviderFunction;

pub(crate) mod cidr_arguments;
pub(crate) mod cidr_contains;
pub(crate) mod cidr_overlaps;
pub(crate) mod cidr_subtract;
pub(crate) mod cidr_summarize;
pub(crate) mod client_vpn_effective_group;

/// Every function, constructed once per provider process, in name order (the order of the
/// documentation's list).
pub(crate) fn all() -> Vec<Arc<dyn ProviderFunction>> {
    vec![
        FunctionAdapter::boxed(cidr_contains::CidrContains),
        FunctionAdapter::boxed(cidr_overlaps::CidrOverlaps),
        FunctionAdapter::boxed(cidr_subtract::CidrSubtract),
        FunctionAdapter::boxed(cidr_summarize::CidrSummarize),
        FunctionAdapter::boxed(client_vpn_effective_group::ClientVpnEffectiveGroup),
    ]
}
