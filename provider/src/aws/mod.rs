//! Thin adapters over the AWS SDK: SDK calls in, the provider's own types and errors out, plus
//! the machinery every AWS call shares (retries, waiters, rate pacing).

pub mod errors;
pub mod governor;
pub mod pages;
pub mod retry;
pub mod unknown_host;
pub mod waiter;
