//! Client-side pacing at AWS's own limits, so a large apply spends its time waiting for tokens
//! rather than collecting `RequestLimitExceeded` and backing off blindly.
//!
//! EC2 throttles per account and Region with token buckets (describe 100 burst / 20 per s,
//! mutating 50 / 5, the four Client VPN rule and route actions 5 / 2, tags 100 / 10), and Client
//! VPN allows at most 10 mutations in flight per endpoint. The governor reserves a token before
//! each call (reservations queue fairly in arrival order) and hands out per-endpoint slots.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::retry::{Budget, OpError};

/// Which EC2 rate limit a call counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    Describe,
    Mutate,
    ClientVpnMutation,
    Tags,
}

/// Burst size and refill rate of one bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub burst: f64,
    pub per_second: f64,
}

/// AWS's documented default EC2 limits.
pub(crate) fn ec2_rate(lane: Lane) -> Rate {
    match lane {
        Lane::Describe => Rate {
            burst: 100.0,
            per_second: 20.0,
        },
        Lane::Mutate => Rate {
            burst: 50.0,
            per_second: 5.0,
        },
        Lane::ClientVpnMutation => Rate {
            burst: 5.0,
            per_second: 2.0,
        },
        Lane::Tags => Rate {
            burst: 100.0,
            per_second: 10.0,
        },
    }
}

/// The rates the governor paces at, one per lane. AWS raises an account's EC2 limits on
/// request, and an account shared with other tools may want to leave them part of its budget,
/// so the provider block can change them (`ec2_api_rate_limits`); the default is AWS's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimits {
    pub describe: Rate,
    pub mutate: Rate,
    pub client_vpn_mutation: Rate,
    pub tags: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            describe: ec2_rate(Lane::Describe),
            mutate: ec2_rate(Lane::Mutate),
            client_vpn_mutation: ec2_rate(Lane::ClientVpnMutation),
            tags: ec2_rate(Lane::Tags),
        }
    }
}

impl RateLimits {
    pub fn rate(&self, lane: Lane) -> Rate {
        match lane {
            Lane::Describe => self.describe,
            Lane::Mutate => self.mutate,
            Lane::ClientVpnMutation => self.client_vpn_mutation,
            Lane::Tags => self.tags,
        }
    }

    /// Every lane at `rate` (tests).
    pub fn uniform(rate: Rate) -> Self {
        Self {
            describe: rate,
            mutate: rate,
            client_vpn_mutation: rate,
            tags: rate,
        }
    }
}

/// Client VPN's fixed limit of concurrent mutations per endpoint.
pub(crate) const CLIENT_VPN_MUTATIONS_IN_FLIGHT: usize = 10;

#[derive(Debug)]
struct Bucket {
    rate: Rate,
    /// May go negative: each reservation takes a token now and waits for its refill.
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(rate: Rate) -> Self {
        Self {
            rate,
            tokens: rate.burst,
            updated: Instant::now(),
        }
    }

    /// Takes one token and returns how long the caller must wait before using it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate.per_second).min(self.rate.burst);
        self.updated = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate.per_second)
        }
    }
}

/// One per configured provider (i.e. per account and Region in this process).
#[derive(Debug)]
pub struct Governor {
    buckets: Mutex<HashMap<Lane, Bucket>>,
    rates: RateLimits,
    endpoint_slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Default for Governor {
    fn default() -> Self {
        Self::new(RateLimits::default())
    }
}

impl Governor {
    pub fn new(rates: RateLimits) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            rates,
            endpoint_slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a call in `lane` fits the rate limit.
    pub async fn pace(&self, lane: Lane, budget: &Budget) -> Result<(), OpError> {
        let wait = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
            buckets
                .entry(lane)
                .or_insert_with(|| Bucket::new(self.rates.rate(lane)))
                .reserve(Instant::now())
        };
        if wait.is_zero() {
            Ok(())
        } else {
            budget
                .sleep(wait, "waiting for the EC2 API rate limit")
                .await
        }
    }

    /// The in-flight slots of one Client VPN endpoint; hold a permit from the mutating call until
    /// the rule or route leaves its transitional state.
    pub fn endpoint_slots(&self, endpoint_id: &str) -> Arc<Semaphore> {
        self.endpoint_slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(endpoint_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(CLIENT_VPN_MUTATIONS_IN_FLIGHT)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_util::sync::CancellationToken;

    #[tokio::test(start_paused = true)]
    async fn burst_then_refill_rate() {
        let governor = Governor::default();
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 3);
        let started = Instant::now();
        for _ in 0..5 {
            governor
                .pace(Lane::ClientVpnMutation, &budget)
                .await
                .unwrap();
        }
        assert_eq!(started.elapsed(), Duration::ZERO, "the burst is free");
        for _ in 0..10 {
            governor
                .pace(Lane::ClientVpnMutation, &budget)
                .await
                .unwrap();
        }
        // 10 calls beyond the burst at 2 per second: exactly 5 s, the theoretical minimum.
        let elapsed = started.elapsed().as_secs_f64();
        assert!((elapsed - 5.0).abs() < 0.01, "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_queue_fairly() {
        let governor = Arc::new(Governor::default());
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 3);
        let started = Instant::now();
        let tasks: Vec<_> = (0..60)
            .map(|_| {
                let governor = governor.clone();
                let budget = budget.clone();
                tokio::spawn(async move { governor.pace(Lane::Mutate, &budget).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        // 60 mutating calls: 50 burst + 10 at 5 per second = 2 s.
        let elapsed = started.elapsed().as_secs_f64();
        assert!((elapsed - 2.0).abs() < 0.01, "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn raised_limits_pace_at_the_configured_rate() {
        let governor = Governor::new(RateLimits {
            mutate: Rate {
                burst: 100.0,
                per_second: 50.0,
            },
            ..RateLimits::default()
        });
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 3);
        let started = Instant::now();
        for _ in 0..200 {
            governor.pace(Lane::Mutate, &budget).await.unwrap();
        }
        // 100 burst + 100 at 50 per second = 2 s (AWS's default 50 / 5 would need 30 s).
        let elapsed = started.elapsed().as_secs_f64();
        assert!((elapsed - 2.0).abs() < 0.01, "{elapsed}");
        // Other lanes keep AWS's defaults: the 6th Client VPN call waits half a second.
        let started = Instant::now();
        for _ in 0..6 {
            governor
                .pace(Lane::ClientVpnMutation, &budget)
                .await
                .unwrap();
        }
        let elapsed = started.elapsed().as_secs_f64();
        assert!((elapsed - 0.5).abs() < 0.01, "{elapsed}");
    }

    #[test]
    fn endpoints_get_ten_slots_each() {
        let governor = Governor::default();
        let a = governor.endpoint_slots("cvpn-endpoint-a");
        assert_eq!(a.available_permits(), 10);
        let _held = a.clone().try_acquire_many_owned(10).unwrap();
        assert_eq!(
            governor
                .endpoint_slots("cvpn-endpoint-a")
                .available_permits(),
            0
        );
        assert_eq!(
            governor
                .endpoint_slots("cvpn-endpoint-b")
                .available_permits(),
            10
        );
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_honours_cancellation() {
        let governor = Governor::new(RateLimits::uniform(Rate {
            burst: 1.0,
            per_second: 0.001,
        }));
        let cancel = CancellationToken::new();
        let budget = Budget::new(Duration::from_secs(3600), cancel.clone(), 3);
        governor.pace(Lane::Mutate, &budget).await.unwrap();
        cancel.cancel();
        assert_eq!(
            governor.pace(Lane::Mutate, &budget).await,
            Err(OpError::Cancelled)
        );
    }
}
