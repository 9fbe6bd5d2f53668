//! Reads one RPC made that the next RPC about the same object, moments later in the same
//! provider process, uses instead of reading AWS again.
//!
//! Terraform asks twice in a row about each resource: a plan refreshes it (ReadResource) and
//! plans it (PlanResourceChange), and an apply re-plans it (PlanResourceChange) and applies it
//! (ApplyResourceChange), each pair in one provider process and one node of Terraform's walk.
//! A resource that opts in ([`ManagedResource::REUSES_RECENT_READS`]) gets the refresh's
//! observation in its plan's `facts`, and its plan's facts in its create's `observe_missing`.
//!
//! **The rule.** A read is stale once something may have changed AWS since it was made. So a
//! read is reused only
//! - in the process that made it (kept in memory, never written anywhere), so only within one
//!   Terraform operation: Terraform starts new provider processes for each `plan` and for the
//!   apply phase of each `apply`;
//! - by the RPC that follows for the very same request: the plan whose prior state is the state
//!   the refresh answered, or the apply whose configuration and prior state are the plan's;
//! - once (taken, not copied): a second plan or apply of it reads AWS again;
//! - within [`REUSE_WINDOW`] of the read: Terraform sends the second RPC of a pair right after
//!   the first, so an older read means something unusual came between;
//! - when no apply of any resource of this process has started since the read (the
//!   [`ApplyEpoch`]): the process's own changes are the ones it is most likely to have made
//!   to the same VPCs and route tables. Other writers (the hub's team, the console) are what
//!   the window bounds; the apply still fails safely on what it finds when it acts.
//!
//! What is never reused: a create's look for an interrupted apply's objects (`leftovers`),
//! which always reads, and every read the executor makes while it changes AWS.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::protocol::cty::Value;

/// How long a read may stand in for the next RPC's: Terraform sends it right after (the hub's
/// own refresh cache uses the same 30 s).
pub(crate) const REUSE_WINDOW: Duration = Duration::from_secs(30);

/// Counts the applies this process has started, so that a read made before one of them is not
/// reused after it.
#[derive(Debug, Default)]
pub(crate) struct ApplyEpoch(AtomicU64);

impl ApplyEpoch {
    /// The applies started so far.
    pub(crate) fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// An apply starts: reads made before it are stale for everyone else.
    pub(crate) fn advance(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

struct Entry<T> {
    key: Vec<Value>,
    at: Instant,
    epoch: u64,
    reads: T,
}

/// What one kind of RPC read, by the request values the next RPC will carry.
pub(crate) struct RecentReads<T>(Mutex<Vec<Entry<T>>>);

impl<T> Default for RecentReads<T> {
    fn default() -> Self {
        RecentReads(Mutex::new(Vec::new()))
    }
}

impl<T> RecentReads<T> {
    /// Keeps `reads`, made at `epoch`, for the RPC whose request carries `key`.
    pub(crate) fn keep(&self, key: Vec<Value>, epoch: u64, reads: T) {
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|e| e.at.elapsed() < REUSE_WINDOW && e.key != key);
        entries.push(Entry {
            key,
            at: Instant::now(),
            epoch,
            reads,
        });
    }

    /// The reads kept for `key`, if they are still good at `epoch` (see the module's rule);
    /// taken, so used once.
    pub(crate) fn take(&self, key: &[Value], epoch: u64) -> Option<T> {
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|e| e.at.elapsed() < REUSE_WINDOW);
        let index = entries.iter().position(|e| e.key == key)?;
        let entry = entries.swap_remove(index);
        (entry.epoch == epoch).then_some(entry.reads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Vec<Value> {
        vec![Value::string(id)]
    }

    #[test]
    fn reads_serve_the_same_request_once() {
        let recent = RecentReads::default();
        recent.keep(key("a"), 0, 1);
        recent.keep(key("b"), 0, 2);
        assert_eq!(recent.take(&key("c"), 0), None);
        assert_eq!(recent.take(&key("a"), 0), Some(1));
        assert_eq!(recent.take(&key("a"), 0), None, "taken once");
        assert_eq!(recent.take(&key("b"), 0), Some(2));
    }

    #[test]
    fn a_later_read_of_the_same_request_replaces_the_earlier() {
        let recent = RecentReads::default();
        recent.keep(key("a"), 0, 1);
        recent.keep(key("a"), 0, 2);
        assert_eq!(recent.take(&key("a"), 0), Some(2));
        assert_eq!(recent.take(&key("a"), 0), None);
    }

    #[test]
    fn reads_made_before_an_apply_started_are_not_reused() {
        let epoch = ApplyEpoch::default();
        let recent = RecentReads::default();
        recent.keep(key("a"), epoch.now(), 1);
        epoch.advance();
        assert_eq!(recent.take(&key("a"), epoch.now()), None);
    }

    #[test]
    fn reads_older_than_the_window_are_not_reused() {
        let recent = RecentReads::default();
        recent.keep(key("a"), 0, 1);
        recent.0.lock().unwrap()[0].at = Instant::now()
            .checked_sub(REUSE_WINDOW)
            .expect("the machine has been up longer than the window");
        assert_eq!(recent.take(&key("a"), 0), None);
    }
}
