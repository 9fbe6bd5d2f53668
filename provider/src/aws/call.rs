//! The one way the provider calls AWS: every call waits for its EC2 rate-limit token (the
//! governor), is retried with backoff on the errors the reference lists as temporary (every
//! attempt paced again), and gives up as soon as the operation is stopped or out of time.
//! Listings are read one paced, retried call per page; filters are split at EC2's 200 values.
//!
//! The finders and mutators of each kind of AWS object (`ec2/`, `ram`, `direct_connect`,
//! `directory`) are `impl Aws<'_>` blocks built on [`Aws::call`] and [`Aws::listing`].

use std::future::Future;

use super::errors::{AwsError, ErrorClass};
use super::governor::Lane;
use super::pages::{Page, all_pages};
use super::retry::{Budget, InFlight, OpError, RetryOn, with_retries_in_flight};
use crate::config::clients::AwsClients;

/// The clients of the configured provider and the time budget of one resource operation.
#[derive(Clone, Copy)]
pub struct Aws<'a> {
    /// The configured provider's clients.
    pub clients: &'a AwsClients,
    /// The operation's deadline and cancellation.
    pub budget: &'a Budget,
}

impl<'a> Aws<'a> {
    /// Calls with `clients`, within `budget`.
    pub fn new(clients: &'a AwsClients, budget: &'a Budget) -> Self {
        Self { clients, budget }
    }

    /// One call: paced, retried, and bounded by the budget.
    pub async fn call<T, F, Fut>(
        &self,
        lane: Lane,
        retry_on: RetryOn,
        mut call: F,
    ) -> Result<T, OpError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let governor = self.clients.governor.clone();
        let budget = self.budget;
        // A change in flight is answered even after a stop, so that what it made is
        // recorded rather than lost; a read is abandoned at once.
        let in_flight = match lane {
            Lane::Describe => InFlight::Abandon,
            _ => InFlight::Finish,
        };
        // Boxed: SDK futures are large, and an operation nests many of them; keeping each
        // call on the heap keeps the poll chain within a worker thread's stack.
        let result = Box::pin(with_retries_in_flight(budget, retry_on, in_flight, || {
            let governor = governor.clone();
            let attempt = Box::pin(call());
            async move {
                // A pacing wait that ends early (stop, deadline) sends nothing.
                if let Err(why) = governor.pace(lane, budget).await {
                    return Err(AwsError::not_sent(&why));
                }
                attempt.await
            }
        }))
        .await;
        match result {
            Err(_) if budget.cancel.is_cancelled() => Err(OpError::Cancelled),
            Err(OpError::Aws(error)) if error.is_not_sent() => Err(OpError::Timeout(
                "waiting for an AWS rate-limit token".into(),
            )),
            other => other,
        }
    }

    /// A paginated describe: one paced, retried call per page, to the last page.
    pub async fn listing<T, F, Fut>(&self, page: F) -> Result<Vec<T>, OpError>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, AwsError>>,
    {
        let page = &page;
        all_pages(|token| {
            self.call(Lane::Describe, RetryOn::default(), move || {
                page(token.clone())
            })
        })
        .await
    }

    pub(crate) fn ec2(&self) -> &'a aws_sdk_ec2::Client {
        &self.clients.ec2
    }
}

/// How many values one EC2 filter may carry.
pub const FILTER_VALUES: usize = 200;

/// Runs `read` once per chunk of at most [`FILTER_VALUES`] ids, EC2's limit on the values of
/// one filter, and gathers what every chunk found. No ids, no call.
pub async fn per_filter_chunk<'a, C, I, F, Fut>(
    ids: impl IntoIterator<Item = &'a String>,
    mut read: F,
) -> Result<C, OpError>
where
    C: Default + Extend<I::Item>,
    I: IntoIterator,
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<I, OpError>>,
{
    let ids: Vec<String> = ids.into_iter().cloned().collect();
    let mut found = C::default();
    for chunk in ids.chunks(FILTER_VALUES) {
        found.extend(read(chunk.to_vec()).await?);
    }
    Ok(found)
}

/// A delete of something already gone succeeded.
pub fn ignore_not_found(result: Result<(), OpError>) -> Result<(), OpError> {
    match result {
        Err(OpError::Aws(e)) if e.class == ErrorClass::NotFound => Ok(()),
        other => other,
    }
}

/// An association or propagation that is already there succeeded.
pub fn ignore_already_exists(result: Result<(), OpError>) -> Result<(), OpError> {
    match result {
        Err(OpError::Aws(e)) if e.class == ErrorClass::AlreadyExists => Ok(()),
        other => other,
    }
}

/// A finder's answer with "does not exist" turned into `None`: `absent` says which errors mean
/// that for this API (most say `*.NotFound`; some have their own code).
pub fn found<T>(
    result: Result<T, OpError>,
    absent: impl Fn(&AwsError) -> bool,
) -> Result<Option<T>, OpError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(OpError::Aws(e)) if absent(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use tokio::time::Instant;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::aws::governor::{Governor, Rate, RateLimits};

    /// Clients that never reach the network (the calls below do not use them), with a governor
    /// of one token per second and no burst beyond one.
    fn clients(governor: Governor) -> AwsClients {
        let sdk = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("eu-west-1"))
            .build();
        AwsClients {
            ec2: aws_sdk_ec2::Client::new(&sdk),
            ram: aws_sdk_ram::Client::new(&sdk),
            directory: aws_sdk_directory::Client::new(&sdk),
            directory_data: aws_sdk_directoryservicedata::Client::new(&sdk),
            direct_connect: aws_sdk_directconnect::Client::new(&sdk),
            mgn: aws_sdk_mgn::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            region: "eu-west-1".into(),
            account_id: None,
            looked_up_account: Default::default(),
            default_tags: Default::default(),
            max_retries: 3,
            governor: Arc::new(governor),
        }
    }

    fn busy() -> AwsError {
        AwsError {
            action: "DescribeClientVpnEndpoints",
            code: "IncorrectState".into(),
            message: "m".into(),
            class: ErrorClass::Busy,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_attempt_is_paced_not_just_the_first() {
        let clients = clients(Governor::new(RateLimits::uniform(Rate {
            burst: 1.0,
            per_second: 1.0,
        })));
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 5);
        let aws = Aws::new(&clients, &budget);
        let attempts = AtomicU32::new(0);
        let sent_at = std::sync::Mutex::new(Vec::new());
        let started = Instant::now();
        let result = aws
            .call(Lane::Describe, RetryOn::default(), || async {
                sent_at.lock().unwrap().push(started.elapsed());
                if attempts.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(busy())
                } else {
                    Ok(7)
                }
            })
            .await;
        assert_eq!(result, Ok(7));
        let sent_at = sent_at.into_inner().unwrap();
        assert_eq!(sent_at.len(), 3);
        // Each retry waited for its backoff and for a token of its own: at one token per
        // second, no two attempts went out less than a second apart.
        for pair in sent_at.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_secs(1), "{sent_at:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_operation_reports_the_stop() {
        let clients = clients(Governor::default());
        let cancel = CancellationToken::new();
        let budget = Budget::new(Duration::from_secs(3600), cancel.clone(), 1000);
        let aws = Aws::new(&clients, &budget);
        let result: Result<(), _> = aws
            .call(Lane::Describe, RetryOn::default(), || {
                cancel.cancel();
                async { Err(busy()) }
            })
            .await;
        assert_eq!(result, Err(OpError::Cancelled));
    }

    #[tokio::test]
    async fn filters_are_split_at_200_values_and_no_ids_cost_no_call() {
        let ids: Vec<String> = (0..450).map(|i| format!("subnet-{i}")).collect();
        let chunks = std::sync::Mutex::new(Vec::new());
        let found: Vec<String> = per_filter_chunk(&ids, |chunk| {
            chunks.lock().unwrap().push(chunk.len());
            async move { Ok::<_, OpError>(chunk) }
        })
        .await
        .unwrap();
        assert_eq!(found, ids);
        assert_eq!(*chunks.lock().unwrap(), vec![200, 200, 50]);
        let calls = AtomicU32::new(0);
        let none: Vec<String> = per_filter_chunk(&Vec::<String>::new(), |chunk| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, OpError>(chunk) }
        })
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert!(none.is_empty());
    }
}
