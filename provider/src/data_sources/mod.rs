//! The data source types this provider offers. Each is a `framework::data_source::DataSource`
//! served by `framework::data_source::DataSourceLifecycle`, constructed as
//! `Arc::new(DataSourceLifecycle::new(MyDataSource, state.clone()))`. There is none yet, so
//! `framework::data_source` is compiled only for its own tests until the first one (remove its
//! `#[cfg(test)]` in `framework/mod.rs` then).

use std::sync::Arc;

use crate::protocol::resource::DataResource;
use crate::provider::ProviderState;

/// Every data source type, constructed once per provider process.
pub(crate) fn all(_state: &Arc<ProviderState>) -> Vec<Arc<dyn DataResource>> {
    Vec::new()
}
