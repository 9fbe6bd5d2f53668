//! The resource types this provider offers.

use std::sync::Arc;

use crate::framework::resource::ResourceLifecycle;
use crate::protocol::resource::Resource;
use crate::provider::ProviderState;

pub(crate) mod client_vpn_group_access;
pub(crate) mod hub_network;
pub(crate) mod hub_spoke;

/// Every resource type, constructed once per provider process.
pub(crate) fn all(state: &Arc<ProviderState>) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(ResourceLifecycle::new(
            hub_network::HubNetwork::default(),
            state.clone(),
        )),
        Arc::new(ResourceLifecycle::new(
            client_vpn_group_access::ClientVpnGroupAccess,
            state.clone(),
        )),
        Arc::new(ResourceLifecycle::new(hub_spoke::HubSpoke, state.clone())),
    ]
}
