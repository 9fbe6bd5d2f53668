//! The resource types this provider offers.

use std::sync::Arc;

use crate::protocol::resource::Resource;
use crate::provider::ProviderState;

pub mod shared;

/// Every resource type, constructed once per provider process.
pub fn all(_state: &Arc<ProviderState>) -> Vec<Arc<dyn Resource>> {
    Vec::new()
}
