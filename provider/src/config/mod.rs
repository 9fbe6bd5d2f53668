//! The provider block: its schema, typed settings, and the AWS clients built from them.

pub mod clients;
pub mod schema;
pub mod settings;
