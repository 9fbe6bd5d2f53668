//! Retries with exponential backoff and full jitter, for the errors the SDK cannot know are
//! temporary: `IncorrectState` while a dependency settles, `ConcurrentMutationLimitExceeded`,
//! RAM propagation, `*.NotFound` right after a create. Every wait honours the operation's
//! deadline and StopProvider.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::errors::{AwsError, ErrorClass};

/// Why an operation ended without success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpError {
    /// AWS refused the call, or it never got an answer.
    Aws(AwsError),
    /// StopProvider (Ctrl-C) was received.
    Cancelled,
    /// The resource's `timeouts` ran out.
    Timeout(String),
    /// A precondition the provider checks itself (e.g. an object owned by another resource).
    Refused(String),
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpError::Aws(error) => error.fmt(f),
            OpError::Cancelled => f.write_str("stopped: Terraform asked the provider to stop"),
            OpError::Timeout(what) => write!(
                f,
                "timed out {what}; raise the resource's `timeouts` if AWS is just slow, then apply again"
            ),
            OpError::Refused(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for OpError {}

impl From<AwsError> for OpError {
    fn from(error: AwsError) -> Self {
        OpError::Aws(error)
    }
}

/// The time budget and cancellation of one resource operation.
#[derive(Clone, Debug)]
pub struct Budget {
    /// When the operation's `timeouts` run out.
    pub deadline: Instant,
    /// Cancelled by StopProvider.
    pub cancel: CancellationToken,
    /// Attempts per call for retryable domain errors (the provider's `max_retries` + 1).
    pub max_attempts: u32,
}

impl Budget {
    /// A budget of `timeout` from now, with `max_retries` retries per call. A timeout too long
    /// for a deadline (centuries) is as good as none: the deadline is then a century away.
    pub fn new(timeout: Duration, cancel: CancellationToken, max_retries: u32) -> Self {
        const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
        let now = Instant::now();
        Self {
            deadline: now.checked_add(timeout).unwrap_or(now + CENTURY),
            cancel,
            max_attempts: max_retries.saturating_add(1),
        }
    }

    /// Sleeps, unless the operation is stopped or out of time first.
    pub async fn sleep(&self, duration: Duration, doing: &str) -> Result<(), OpError> {
        if self.cancel.is_cancelled() {
            return Err(OpError::Cancelled);
        }
        let wake = Instant::now() + duration;
        if wake > self.deadline {
            tokio::select! {
                _ = tokio::time::sleep_until(self.deadline) => Err(OpError::Timeout(doing.to_string())),
                _ = self.cancel.cancelled() => Err(OpError::Cancelled),
            }
        } else {
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => Ok(()),
                _ = self.cancel.cancelled() => Err(OpError::Cancelled),
            }
        }
    }

    /// Runs one call that may change AWS: once sent, its answer is awaited even after a stop
    /// (up to [`IN_FLIGHT_GRACE`] more), so that what it made is recorded rather than lost; a
    /// deadline still ends it.
    pub async fn guard_in_flight<T>(
        &self,
        doing: &str,
        call: impl Future<Output = Result<T, OpError>>,
    ) -> Result<T, OpError> {
        let stopped = async {
            self.cancel.cancelled().await;
            tokio::time::sleep(IN_FLIGHT_GRACE).await;
        };
        tokio::select! {
            result = call => result,
            _ = tokio::time::sleep_until(self.deadline) => Err(OpError::Timeout(doing.to_string())),
            _ = stopped => Err(OpError::Cancelled),
        }
    }

    /// Runs one call, but gives up as soon as the operation is stopped or out of time.
    pub async fn guard<T>(
        &self,
        doing: &str,
        call: impl Future<Output = Result<T, OpError>>,
    ) -> Result<T, OpError> {
        tokio::select! {
            result = call => result,
            _ = tokio::time::sleep_until(self.deadline) => Err(OpError::Timeout(doing.to_string())),
            _ = self.cancel.cancelled() => Err(OpError::Cancelled),
        }
    }
}

/// How long a call that changes AWS may still run after a stop: long enough for AWS to
/// answer (so that what the call made is recorded), short enough that Ctrl-C returns in
/// seconds.
pub const IN_FLIGHT_GRACE: Duration = Duration::from_secs(10);

/// Which errors a particular call may retry, beyond throttling, 5xx and busy objects.
#[derive(Clone, Copy, Debug, Default)]
pub struct RetryOn {
    /// `*.NotFound` (eventual consistency right after a create or a RAM share).
    pub not_found: bool,
}

/// What a stop does to a call in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InFlight {
    /// A read: abandoned at once.
    Abandon,
    /// A change: its answer is awaited (see [`Budget::guard_in_flight`]); no new attempt
    /// starts after the stop.
    Finish,
}

/// Backoff before attempt `attempt` (1-based): full jitter over an exponential ceiling from
/// 200 ms to 20 s, so concurrent callers spread out instead of retrying in lockstep.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = (200u64 << attempt.min(7)).min(20_000);
    Duration::from_millis(fastrand::u64(ceiling_ms / 4..=ceiling_ms))
}

/// Calls `call` until it succeeds, fails with a non-retryable error, or the budget ends.
pub async fn with_retries<T, F, Fut>(
    budget: &Budget,
    retry_on: RetryOn,
    call: F,
) -> Result<T, OpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    with_retries_in_flight(budget, retry_on, InFlight::Abandon, call).await
}

/// [`with_retries`], with what a stop does to an attempt in flight.
pub async fn with_retries_in_flight<T, F, Fut>(
    budget: &Budget,
    retry_on: RetryOn,
    in_flight: InFlight,
    mut call: F,
) -> Result<T, OpError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut attempt = 1;
    loop {
        if budget.cancel.is_cancelled() {
            return Err(OpError::Cancelled);
        }
        let sent = async { call().await.map_err(OpError::Aws) };
        let result = match in_flight {
            InFlight::Abandon => budget.guard("waiting for AWS", sent).await,
            InFlight::Finish => budget.guard_in_flight("waiting for AWS", sent).await,
        };
        match result {
            Ok(value) => return Ok(value),
            Err(OpError::Aws(error))
                if attempt < budget.max_attempts
                    && (error.is_retryable()
                        || (retry_on.not_found && error.class == ErrorClass::NotFound)) =>
            {
                tracing::debug!(
                    action = error.action,
                    code = error.code.as_str(),
                    attempt,
                    "retrying"
                );
                budget
                    .sleep(backoff(attempt), &format!("retrying {}", error.action))
                    .await?;
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn a_timeout_too_long_for_a_deadline_is_a_distant_deadline() {
        let budget = Budget::new(Duration::MAX, CancellationToken::new(), 0);
        assert!(budget.deadline > Instant::now() + Duration::from_secs(50 * 365 * 24 * 3600));
    }

    fn error(code: &str, class: ErrorClass) -> AwsError {
        AwsError {
            action: "CreateRoute",
            code: code.into(),
            message: "m".into(),
            class,
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_ceiling() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            let ceiling = (200u64 << attempt.min(7)).min(20_000);
            assert!(d.as_millis() as u64 <= ceiling && d.as_millis() as u64 >= ceiling / 4);
        }
        assert!(backoff(30) <= Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn retries_busy_errors_then_succeeds() {
        let budget = Budget::new(Duration::from_secs(600), CancellationToken::new(), 25);
        let calls = AtomicU32::new(0);
        let result = with_retries(&budget, RetryOn::default(), || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                Err(error("IncorrectState", ErrorClass::Busy))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(result, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn fatal_errors_and_not_found_stop_unless_asked() {
        let budget = Budget::new(Duration::from_secs(600), CancellationToken::new(), 25);
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retries(&budget, RetryOn::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(error(
                "InvalidTransitGatewayID.NotFound",
                ErrorClass::NotFound,
            ))
        })
        .await;
        assert!(matches!(result, Err(OpError::Aws(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let calls = AtomicU32::new(0);
        let result = with_retries(&budget, RetryOn { not_found: true }, || async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(error(
                    "InvalidTransitGatewayID.NotFound",
                    ErrorClass::NotFound,
                ))
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(result, Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_bounded_by_max_retries() {
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 2);
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retries(&budget, RetryOn::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(error("RequestLimitExceeded", ErrorClass::Throttling))
        })
        .await;
        assert!(matches!(result, Err(OpError::Aws(e)) if e.code == "RequestLimitExceeded"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_and_deadline_end_the_wait() {
        let cancel = CancellationToken::new();
        let budget = Budget::new(Duration::from_secs(3600), cancel.clone(), 1000);
        cancel.cancel();
        let result: Result<(), _> = with_retries(&budget, RetryOn::default(), || async {
            Err(error("IncorrectState", ErrorClass::Busy))
        })
        .await;
        assert_eq!(result, Err(OpError::Cancelled));

        let budget = Budget::new(Duration::from_secs(5), CancellationToken::new(), 1000);
        let result: Result<(), _> = with_retries(&budget, RetryOn::default(), || async {
            Err(error("IncorrectState", ErrorClass::Busy))
        })
        .await;
        assert!(matches!(result, Err(OpError::Timeout(_))), "{result:?}");
    }
}
