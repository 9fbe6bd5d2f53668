//! The data source types this provider offers. Each is a
//! [`DataSource`](crate::framework::data_source::DataSource) served by
//! [`DataSourceLifecycle`](crate::framework::data_source::DataSourceLifecycle), constructed as
//! `Arc::new(DataSourceLifecycle::new(MyDataSource, state.clone()))`.

use std::sync::Arc;

use crate::protocol::resource::DataResource;
use crate::provider::ProviderState;

/// Every data source type, constructed once per provider process.
pub fn all(_state: &Arc<ProviderState>) -> Vec<Arc<dyn DataResource>> {
    Vec::new()
}
