//! Thin adapters over the AWS SDK: SDK calls in, the provider's own types and errors out, plus
//! the machinery every AWS call shares (one paced, retried call; pages; waiters; pacing).
//!
//! - [`call`]: [`Aws`](call::Aws), the one way to call AWS (governor pacing, retries, budget),
//!   listings page by page, filters split at EC2's 200 values.
//! - [`ec2`], [`ram`], [`direct_connect`], [`directory`]: finders and mutators, one module per
//!   kind of AWS object, returning plain types defined beside them (no SDK type leaves
//!   `aws/`). A finder answers `None` or leaves an object out when it does not exist; the
//!   caller decides what absence means. A call is added with the first resource that makes it:
//!   `docs/iam-policy.json` lists exactly the actions this code can call.
//! - [`errors`], [`retry`], [`pages`], [`waiter`], [`governor`], [`unknown_host`]: the shared
//!   machinery.

pub mod call;
pub(crate) mod direct_connect;
pub(crate) mod directory;
pub mod ec2;
pub mod errors;
pub(crate) mod governor;
pub(crate) mod mgn;
pub(crate) mod pages;
pub(crate) mod ram;
pub mod retry;
pub(crate) mod unknown_host;
pub mod waiter;

use std::collections::BTreeMap;

/// Tags of an AWS object, by key.
pub type Tags = BTreeMap<String, String>;
