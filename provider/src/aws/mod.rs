//! Thin adapters over the AWS SDK: SDK calls in, the provider's own types and errors out.

pub mod errors;
