//! The resource types this provider offers, and the list resources (`terraform query`) of
//! those whose objects can be listed.

use std::sync::Arc;

use crate::framework::list::ListLifecycle;
use crate::framework::resource::ResourceLifecycle;
use crate::protocol::resource::{ListResource, Resource};
use crate::provider::ProviderState;

pub(crate) mod client_vpn_group_access;
pub(crate) mod hub_network;
pub(crate) mod hub_spoke;
pub(crate) mod replication_staging_area;

/// The managed resource types and the list resource types of the provider.
pub(crate) struct Types {
    pub resources: Vec<Arc<dyn Resource>>,
    pub lists: Vec<Arc<dyn ListResource>>,
}

/// Every resource type and every list resource type, constructed once per provider process. A
/// list shares its resource's lifecycle, so a listed object is what that resource imports.
pub(crate) fn all(state: &Arc<ProviderState>) -> Types {
    let hub = Arc::new(ResourceLifecycle::new(
        hub_network::HubNetwork::default(),
        state.clone(),
    ));
    let access = Arc::new(ResourceLifecycle::new(
        client_vpn_group_access::ClientVpnGroupAccess,
        state.clone(),
    ));
    let spoke = Arc::new(ResourceLifecycle::new(hub_spoke::HubSpoke, state.clone()));
    let staging = Arc::new(ResourceLifecycle::new(
        replication_staging_area::ReplicationStagingArea,
        state.clone(),
    ));
    let lists: Vec<Arc<dyn ListResource>> = vec![
        Arc::new(ListLifecycle::new(hub.clone(), state.clone())),
        Arc::new(ListLifecycle::new(access.clone(), state.clone())),
        Arc::new(ListLifecycle::new(spoke.clone(), state.clone())),
    ];
    Types {
        resources: vec![hub, access, spoke, staging],
        lists,
    }
}
