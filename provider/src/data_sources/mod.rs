//! The data source types this provider offers. Each is a `framework::data_source::DataSource`
//! served by `framework::data_source::DataSourceLifecycle`, constructed as
//! `Arc::new(DataSourceLifecycle::new(MyDataSource, state.clone()))`.

use std::sync::Arc;

use crate::framework::data_source::DataSourceLifecycle;
use crate::protocol::resource::DataResource;
use crate::provider::ProviderState;

pub(crate) mod directory_groups;
pub(crate) mod hub_network;
pub(crate) mod reachability;

/// Every data source type, constructed once per provider process.
pub(crate) fn all(state: &Arc<ProviderState>) -> Vec<Arc<dyn DataResource>> {
    vec![
        Arc::new(DataSourceLifecycle::new(
            directory_groups::DirectoryGroups,
            state.clone(),
        )),
        Arc::new(DataSourceLifecycle::new(
            hub_network::HubNetwork,
            state.clone(),
        )),
        Arc::new(DataSourceLifecycle::new(
            reachability::Reachability,
            state.clone(),
        )),
    ]
}
