//! Waiting for AWS objects to reach a state, with one describe call per poll for a whole batch
//! of objects, progress in the logs for long waits, and the operation's deadline and
//! StopProvider honoured between polls.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::errors::AwsError;
use super::retry::{Budget, OpError, RetryOn, with_retries};

/// What one poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// The awaited state, with what the poll found.
    Done(T),
    /// Not there yet; the text says where things stand (e.g. "2 of 5 attachments pending").
    Pending(String),
    /// A terminal state that is not the one awaited (e.g. `failed`, `rejected`).
    Failed(String),
}

impl<T> Poll<T> {
    /// The same poll with what was found turned into what the caller waits for.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Poll<U> {
        match self {
            Poll::Done(found) => Poll::Done(f(found)),
            Poll::Pending(why) => Poll::Pending(why),
            Poll::Failed(why) => Poll::Failed(why),
        }
    }
}

/// A poll made of the provider's own calls (a finder's status function), as [`wait_until`]
/// takes it: AWS errors stay errors (the wait retries the temporary ones), a refusal fails the
/// wait, and a stop or deadline met inside the call is left to the wait's own sleep, which
/// reports it as such.
pub fn poll<T>(result: Result<Poll<T>, OpError>) -> Result<Poll<T>, AwsError> {
    match result {
        Ok(poll) => Ok(poll),
        Err(OpError::Aws(error)) => Err(error),
        Err(OpError::Refused(why)) => Ok(Poll::Failed(why)),
        Err(OpError::Cancelled) | Err(OpError::Timeout(_)) => Ok(Poll::Pending("stopping".into())),
    }
}

/// Delay before poll `n` (0-based): quick at first, because many transitions are fast (and the
/// emulator's are), then up to 10 s, which keeps long waits (minutes for a Transit Gateway or a
/// Client VPN association) cheap in API calls.
pub fn poll_delay(n: u32) -> Duration {
    let ms = (250.0 * 1.5f64.powi(n.min(12) as i32)).min(10_000.0);
    Duration::from_millis(ms as u64)
}

/// How often a wait reports progress at INFO level.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// Polls `check` until it reports `Done` or `Failed`, or the budget ends. Retryable errors from
/// the poll itself are retried; `what` names the wait in logs and timeout messages.
pub async fn wait_until<T, F, Fut>(budget: &Budget, what: &str, mut check: F) -> Result<T, OpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, AwsError>>,
{
    let started = Instant::now();
    let mut last_report = started;
    let mut polls = 0;
    loop {
        let status = with_retries(budget, RetryOn { not_found: false }, &mut check).await?;
        match status {
            Poll::Done(value) => {
                tracing::debug!(
                    what,
                    waited_s = started.elapsed().as_secs(),
                    "wait finished"
                );
                return Ok(value);
            }
            Poll::Failed(state) => {
                return Err(OpError::Refused(format!("{what}: reached {state} instead")));
            }
            Poll::Pending(state) => {
                if last_report.elapsed() >= PROGRESS_EVERY {
                    tracing::info!(
                        what,
                        state = state.as_str(),
                        waited_s = started.elapsed().as_secs(),
                        "still waiting"
                    );
                    last_report = Instant::now();
                }
                budget
                    .sleep(
                        poll_delay(polls),
                        &format!(
                            "waiting for {what} (last seen: {state}, after {}s)",
                            started.elapsed().as_secs()
                        ),
                    )
                    .await?;
                polls += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio_util::sync::CancellationToken;

    #[test]
    fn poll_delays_start_fast_and_cap_at_ten_seconds() {
        assert_eq!(poll_delay(0), Duration::from_millis(250));
        assert!(poll_delay(3) > poll_delay(2));
        assert_eq!(poll_delay(40), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_through_pending_states() {
        let budget = Budget::new(Duration::from_secs(600), CancellationToken::new(), 3);
        let polls = AtomicU32::new(0);
        let result = wait_until(&budget, "tgw-1 available", || async {
            match polls.fetch_add(1, Ordering::SeqCst) {
                0 => Ok(Poll::Pending("pending".to_string())),
                1 => Ok(Poll::Pending("pendingAcceptance".to_string())),
                _ => Ok(Poll::Done("available")),
            }
        })
        .await;
        assert_eq!(result, Ok("available"));
        assert_eq!(polls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_states_and_timeouts_are_reported() {
        let budget = Budget::new(Duration::from_secs(600), CancellationToken::new(), 3);
        let result: Result<(), _> = wait_until(&budget, "attachment", || async {
            Ok(Poll::Failed("rejected".to_string()))
        })
        .await;
        assert!(matches!(result, Err(OpError::Refused(m)) if m.contains("rejected")));

        let budget = Budget::new(Duration::from_secs(20), CancellationToken::new(), 3);
        let result: Result<(), _> = wait_until(&budget, "tgw-1 available", || async {
            Ok(Poll::Pending("pending".to_string()))
        })
        .await;
        match result {
            Err(OpError::Timeout(message)) => {
                assert!(
                    message.contains("tgw-1 available") && message.contains("pending"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
