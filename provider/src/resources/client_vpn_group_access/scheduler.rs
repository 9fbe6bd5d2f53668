//! The per-endpoint scheduler every rule and route mutation goes through.
//!
//! Client VPN refuses an eleventh concurrent mutation on an endpoint with
//! `ConcurrentMutationLimitExceeded`, and a mutation stays "in flight" until its rule or route
//! leaves `authorizing`/`creating`/`revoking`/`deleting` — long after the API call returned. So a
//! mutation holds one of the endpoint's 10 slots (shared by every resource of this provider
//! process, from [`Governor::endpoint_slots`]) from its call until a poll sees the object
//! settled; objects already in transition when the apply starts (someone else's, or a
//! subnet being associated) hold a slot too. Calls are paced at the Client VPN mutation rate
//! (5 burst, 2 per second), retried with backoff on temporary errors, and made idempotent with
//! client tokens. One poller reads all rules (or routes, or associations) of the endpoint per
//! interval for every waiting operation, instead of one describe call per object.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::model::{Phase, RouteKey, RuleKey};
use super::observed::{Association, Route, Rule};
use crate::aws::call::Aws;
use crate::aws::ec2::client_vpn;
use crate::aws::errors::{AwsError, ErrorClass};
use crate::aws::governor::{Governor, Lane};
use crate::aws::retry::{Budget, OpError, backoff};
use crate::aws::waiter::poll_delay;
use crate::config::clients::AwsClients;

/// The endpoint's API as the scheduler needs it; the AWS implementation is [`Ec2Endpoint`],
/// tests use an in-memory endpoint.
#[async_trait]
pub(crate) trait EndpointApi: Send + Sync + 'static {
    /// One attempt of a mutation (no retries: the scheduler retries).
    async fn mutate(&self, mutation: &Mutation, client_token: &str) -> Result<(), AwsError>;
    async fn rules(&self, budget: &Budget) -> Result<Vec<Rule>, OpError>;
    async fn routes(&self, budget: &Budget) -> Result<Vec<Route>, OpError>;
    async fn associations(&self, budget: &Budget) -> Result<Vec<Association>, OpError>;
}

/// Description given to the routes this resource creates, so people looking at the endpoint
/// know who owns them.
pub(crate) const ROUTE_DESCRIPTION: &str = "migration_client_vpn_group_access";

/// The scheduler's view of one endpoint, over the EC2 API: the shared Client VPN finders for
/// the polls (paced and retried), and single-attempt mutations (the scheduler paces and retries
/// them).
pub(crate) struct Ec2Endpoint {
    pub aws: Arc<AwsClients>,
    pub endpoint_id: String,
}

#[async_trait]
impl EndpointApi for Ec2Endpoint {
    async fn mutate(&self, mutation: &Mutation, client_token: &str) -> Result<(), AwsError> {
        let (aws, endpoint) = (&self.aws, self.endpoint_id.as_str());
        match mutation {
            Mutation::Authorize(rule, description) => {
                client_vpn::authorize(aws, endpoint, rule, description.as_deref(), client_token)
                    .await
            }
            Mutation::Revoke(rule) => client_vpn::revoke(aws, endpoint, rule).await,
            Mutation::CreateRoute(route) => {
                client_vpn::create_route(aws, endpoint, route, ROUTE_DESCRIPTION, client_token)
                    .await
            }
            Mutation::DeleteRoute(route) => client_vpn::delete_route(aws, endpoint, route).await,
        }
    }

    async fn rules(&self, budget: &Budget) -> Result<Vec<Rule>, OpError> {
        Aws::new(&self.aws, budget)
            .client_vpn_authorization_rules(&self.endpoint_id)
            .await
    }

    async fn routes(&self, budget: &Budget) -> Result<Vec<Route>, OpError> {
        Aws::new(&self.aws, budget)
            .client_vpn_routes(&self.endpoint_id)
            .await
    }

    async fn associations(&self, budget: &Budget) -> Result<Vec<Association>, OpError> {
        Aws::new(&self.aws, budget)
            .client_vpn_target_networks(&self.endpoint_id)
            .await
    }
}

/// A mutating call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Mutation {
    Authorize(RuleKey, Option<String>),
    Revoke(RuleKey),
    CreateRoute(RouteKey),
    DeleteRoute(RouteKey),
}

impl Mutation {
    pub(crate) fn action(&self) -> &'static str {
        match self {
            Mutation::Authorize(..) => "AuthorizeClientVpnIngress",
            Mutation::Revoke(_) => "RevokeClientVpnIngress",
            Mutation::CreateRoute(_) => "CreateClientVpnRoute",
            Mutation::DeleteRoute(_) => "DeleteClientVpnRoute",
        }
    }

    fn removes(&self) -> bool {
        matches!(self, Mutation::Revoke(_) | Mutation::DeleteRoute(_))
    }
}

/// How a mutation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Accepted,
    /// AWS already has the object (a duplicate): it is adopted if it matches.
    AlreadyThere,
    /// The object was already gone.
    AlreadyGone,
}

/// What a watch waits for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Subject {
    Rule(RuleKey),
    Route(RouteKey),
    /// The association of this subnet.
    Association(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// Active (associated); for rules, with this description.
    Active(Option<String>),
    Gone,
    /// Out of its transitional state, whatever it became (for objects of others).
    Settled,
}

/// How long an object may stay invisible after the call that made it succeeded (describe
/// calls are eventually consistent) before the wait fails.
const ABSENCE_GRACE: Duration = Duration::from_secs(30);

/// Interval before the next poll, from the number of polls in a row that settled nothing and
/// whether operations are queued for a slot. Queued operations mean the slots are the
/// bottleneck, so settled objects are noticed quickly — but not more often than mutations can
/// be made (2 per second): objects cannot settle faster than they are started, and every poll
/// spends the account's describe budget. Otherwise the API rate is the bottleneck, and a slower
/// poll costs nothing.
pub(crate) fn poll_interval(quiet_polls: u32, contended: bool) -> Duration {
    let delay = poll_delay(quiet_polls);
    if contended {
        delay.clamp(Duration::from_millis(500), Duration::from_secs(2))
    } else {
        delay.max(Duration::from_secs(1))
    }
}

/// What a poll saw for one subject.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Done,
    Pending,
    Absent,
    Failed(String),
}

fn failure(what: &str, message: Option<&str>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!("AWS reports {what} as failed: {m}"),
        _ => format!("AWS reports {what} as failed"),
    }
}

fn judge_rule(rule: Option<&Rule>, target: &Target) -> Verdict {
    let Some(rule) = rule else {
        return match target {
            Target::Active(_) => Verdict::Absent,
            Target::Gone | Target::Settled => Verdict::Done,
        };
    };
    match (target, rule.phase()) {
        (Target::Settled, phase) if !phase.in_flight() => Verdict::Done,
        (_, Phase::Failed) => Verdict::Failed(failure("the rule", rule.message.as_deref())),
        (Target::Active(description), Phase::Active) if rule.description == *description => {
            Verdict::Done
        }
        (Target::Active(description), Phase::Active) => Verdict::Failed(format!(
            "a rule for the same group and network already exists with the description {:?} \
             instead of {:?}",
            rule.description.as_deref().unwrap_or(""),
            description.as_deref().unwrap_or("")
        )),
        _ => Verdict::Pending,
    }
}

fn judge_route(route: Option<&Route>, target: &Target) -> Verdict {
    let Some(route) = route else {
        return match target {
            Target::Active(_) => Verdict::Absent,
            Target::Gone | Target::Settled => Verdict::Done,
        };
    };
    match (target, route.phase()) {
        (Target::Settled, phase) if !phase.in_flight() => Verdict::Done,
        (_, Phase::Failed) => Verdict::Failed(failure("the route", route.message.as_deref())),
        (Target::Active(_), Phase::Active) => Verdict::Done,
        _ => Verdict::Pending,
    }
}

fn judge_association(association: Option<&Association>, target: &Target) -> Verdict {
    let Some(association) = association else {
        return match target {
            Target::Active(_) => {
                Verdict::Failed("the subnet is no longer associated with the endpoint".into())
            }
            Target::Gone | Target::Settled => Verdict::Done,
        };
    };
    match (target, Phase::of(&association.status)) {
        (Target::Settled, phase) if !phase.in_flight() => Verdict::Done,
        (Target::Active(_), Phase::Active) => Verdict::Done,
        (Target::Active(_), Phase::Leaving | Phase::Failed) => Verdict::Failed(format!(
            "the subnet's association is {}",
            association.status
        )),
        _ => Verdict::Pending,
    }
}

struct Watch {
    subject: Subject,
    target: Target,
    absent_since: Option<Instant>,
    reply: oneshot::Sender<Result<(), String>>,
}

/// One describe per kind per poll, for every watch.
#[derive(Default)]
struct Snapshot {
    rules: Option<Result<BTreeMap<RuleKey, Rule>, String>>,
    routes: Option<Result<BTreeMap<RouteKey, Route>, String>>,
    associations: Option<Result<BTreeMap<String, Association>, String>>,
}

impl Snapshot {
    fn judge(&self, subject: &Subject, target: &Target) -> Verdict {
        fn lookup<K: Ord, V>(
            seen: &Option<Result<BTreeMap<K, V>, String>>,
            key: &K,
            judge: impl Fn(Option<&V>) -> Verdict,
        ) -> Verdict {
            match seen {
                Some(Ok(objects)) => judge(objects.get(key)),
                Some(Err(error)) => Verdict::Failed(error.clone()),
                None => Verdict::Pending,
            }
        }
        match subject {
            Subject::Rule(key) => lookup(&self.rules, key, |r| judge_rule(r, target)),
            Subject::Route(key) => lookup(&self.routes, key, |r| judge_route(r, target)),
            Subject::Association(subnet) => {
                lookup(&self.associations, subnet, |a| judge_association(a, target))
            }
        }
    }
}

struct Shared {
    api: Arc<dyn EndpointApi>,
    budget: Budget,
    watches: Mutex<Vec<Watch>>,
    arrived: Notify,
    /// Operations waiting for a slot.
    queued: AtomicUsize,
    /// Describe calls made by the poller (for the benchmark and tests).
    polls: AtomicUsize,
}

/// One apply's scheduler for one endpoint. Dropping it stops its poller and its holds (a
/// `JoinSet` aborts its tasks when dropped).
pub(crate) struct Scheduler {
    shared: Arc<Shared>,
    governor: Arc<Governor>,
    slots: Arc<Semaphore>,
    endpoint_id: String,
    /// Makes client tokens unique to this apply: EC2 remembers a token for at least a day, and
    /// a rule revoked and authorized again with its old token would silently not be created.
    nonce: u64,
    tasks: Mutex<JoinSet<()>>,
}

impl Scheduler {
    pub(crate) fn start(
        api: Arc<dyn EndpointApi>,
        governor: Arc<Governor>,
        endpoint_id: &str,
        budget: Budget,
    ) -> Scheduler {
        let shared = Arc::new(Shared {
            api,
            budget,
            watches: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            queued: AtomicUsize::new(0),
            polls: AtomicUsize::new(0),
        });
        let mut tasks = JoinSet::new();
        tasks.spawn(poll(shared.clone()));
        Scheduler {
            shared,
            slots: governor.endpoint_slots(endpoint_id),
            governor,
            endpoint_id: endpoint_id.to_string(),
            nonce: fastrand::u64(..),
            tasks: Mutex::new(tasks),
        }
    }

    pub(crate) fn budget(&self) -> &Budget {
        &self.shared.budget
    }

    /// Describe calls the poller made so far.
    pub(crate) fn polls(&self) -> usize {
        self.shared.polls.load(Ordering::Relaxed)
    }

    /// Fails once the apply is stopped or out of time: checked before anything new starts,
    /// because a wait that is already over would not notice.
    fn still_running(&self, doing: &str) -> Result<(), OpError> {
        let budget = &self.shared.budget;
        if budget.cancel.is_cancelled() {
            Err(OpError::Cancelled)
        } else if Instant::now() >= budget.deadline {
            Err(OpError::Timeout(doing.to_string()))
        } else {
            Ok(())
        }
    }

    /// Waits for one of the endpoint's mutation slots.
    pub(crate) async fn slot(&self) -> Result<OwnedSemaphorePermit, OpError> {
        self.shared.queued.fetch_add(1, Ordering::SeqCst);
        let acquired = self
            .shared
            .budget
            .guard("waiting for a free Client VPN mutation slot", async {
                self.slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| OpError::Refused("the endpoint's slots were closed".into()))
            })
            .await;
        self.shared.queued.fetch_sub(1, Ordering::SeqCst);
        let permit = acquired?;
        self.still_running("waiting for a free Client VPN mutation slot")?;
        Ok(permit)
    }

    /// Keeps a slot while someone else's object on the endpoint is in transition: AWS counts
    /// it against the same limit.
    pub(crate) fn hold_for_others(&self, subject: Subject) {
        let early = self.slots.clone().try_acquire_owned().ok();
        let slots = self.slots.clone();
        let shared = self.shared.clone();
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.spawn(async move {
            let _permit = match early {
                Some(permit) => permit,
                None => match slots.acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => return,
                },
            };
            let _ = watch(&shared, subject, Target::Settled).await;
        });
    }

    /// A client token for `mutation`: the same for every attempt of this apply, different in
    /// the next apply.
    pub(crate) fn client_token(&self, mutation: &Mutation) -> String {
        let mut hasher = std::hash::DefaultHasher::new();
        self.endpoint_id.hash(&mut hasher);
        mutation.hash(&mut hasher);
        format!("migration-{:016x}-{:016x}", self.nonce, hasher.finish())
    }

    /// Makes the call: paced, retried on temporary errors (with the same client token),
    /// stopped by the budget. A duplicate addition or a removal of something already gone is
    /// not an error: the caller then checks the object like any other.
    pub(crate) async fn mutate(&self, mutation: &Mutation) -> Result<Answer, OpError> {
        let budget = &self.shared.budget;
        let token = self.client_token(mutation);
        let mut attempt = 1;
        loop {
            let doing = format!("calling {}", mutation.action());
            self.still_running(&doing)?;
            self.governor.pace(Lane::ClientVpnMutation, budget).await?;
            self.still_running(&doing)?;
            let result = budget
                .guard(&doing, async {
                    self.shared
                        .api
                        .mutate(mutation, &token)
                        .await
                        .map_err(OpError::Aws)
                })
                .await;
            match result {
                Ok(()) => return Ok(Answer::Accepted),
                Err(OpError::Aws(e))
                    if e.class == ErrorClass::AlreadyExists && !mutation.removes() =>
                {
                    return Ok(Answer::AlreadyThere);
                }
                Err(OpError::Aws(e)) if e.is_not_found() && mutation.removes() => {
                    return Ok(Answer::AlreadyGone);
                }
                Err(OpError::Aws(e)) if e.is_retryable() && attempt < budget.max_attempts => {
                    tracing::debug!(
                        action = e.action,
                        code = e.code.as_str(),
                        attempt,
                        "retrying a Client VPN mutation"
                    );
                    budget
                        .sleep(backoff(attempt), &format!("retrying {}", e.action))
                        .await?;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Waits until a poll sees `subject` reach `target`.
    pub(crate) async fn watch(&self, subject: Subject, target: Target) -> Result<(), OpError> {
        watch(&self.shared, subject, target).await
    }
}

fn describe(subject: &Subject, target: &Target) -> String {
    let what = match subject {
        Subject::Rule(key) => format!("the rule for {} on {}", key.sid, key.cidr),
        Subject::Route(key) => {
            format!("the route to {} through {}", key.destination, key.subnet_id)
        }
        Subject::Association(subnet) => format!("the association of {subnet}"),
    };
    let state = match (subject, target) {
        (_, Target::Gone) => "to be gone",
        (_, Target::Settled) => "to settle",
        (Subject::Association(_), Target::Active(_)) => "to be associated",
        (_, Target::Active(_)) => "to be active",
    };
    format!("{what} {state}")
}

async fn watch(shared: &Arc<Shared>, subject: Subject, target: Target) -> Result<(), OpError> {
    let doing = format!("waiting for {}", describe(&subject, &target));
    let (reply, answer) = oneshot::channel();
    shared
        .watches
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Watch {
            subject,
            target,
            absent_since: None,
            reply,
        });
    shared.arrived.notify_one();
    shared
        .budget
        .guard(&doing, async {
            match answer.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(why)) => Err(OpError::Refused(format!("{doing}: {why}"))),
                Err(_) => Err(OpError::Refused(format!("{doing}: the poller stopped"))),
            }
        })
        .await
}

async fn fetch<K: Ord, V>(
    wanted: bool,
    polls: &AtomicUsize,
    call: impl std::future::Future<Output = Result<Vec<V>, OpError>>,
    key: impl Fn(&V) -> Option<K>,
) -> Option<Result<BTreeMap<K, V>, String>> {
    if !wanted {
        return None;
    }
    polls.fetch_add(1, Ordering::Relaxed);
    Some(
        call.await
            .map(|items| {
                let mut map = BTreeMap::new();
                for item in items {
                    if let Some(k) = key(&item) {
                        map.entry(k).or_insert(item);
                    }
                }
                map
            })
            .map_err(|e| e.to_string()),
    )
}

/// The poller: sleeps while nothing is watched, otherwise reads each kind of object some
/// watch needs once per interval and answers every watch it can.
async fn poll(shared: Arc<Shared>) {
    let mut quiet_polls = 0;
    loop {
        loop {
            let empty = shared
                .watches
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty();
            if !empty {
                break;
            }
            quiet_polls = 0;
            shared.arrived.notified().await;
        }
        let contended = shared.queued.load(Ordering::SeqCst) > 0;
        tokio::time::sleep(poll_interval(quiet_polls, contended)).await;
        let (rules, routes, associations) = {
            let watches = shared.watches.lock().unwrap_or_else(|p| p.into_inner());
            let any = |f: fn(&Subject) -> bool| watches.iter().any(|w| f(&w.subject));
            (
                any(|s| matches!(s, Subject::Rule(_))),
                any(|s| matches!(s, Subject::Route(_))),
                any(|s| matches!(s, Subject::Association(_))),
            )
        };
        let budget = &shared.budget;
        let (rules, routes, associations) = tokio::join!(
            fetch(rules, &shared.polls, shared.api.rules(budget), Rule::key),
            fetch(routes, &shared.polls, shared.api.routes(budget), Route::key),
            fetch(
                associations,
                &shared.polls,
                shared.api.associations(budget),
                |a: &Association| Some(a.subnet_id.clone())
            ),
        );
        let snapshot = Snapshot {
            rules,
            routes,
            associations,
        };
        let now = Instant::now();
        let mut settled = 0;
        let mut watches = shared.watches.lock().unwrap_or_else(|p| p.into_inner());
        let mut still = Vec::with_capacity(watches.len());
        for mut watch in watches.drain(..) {
            let outcome = match snapshot.judge(&watch.subject, &watch.target) {
                Verdict::Done => Some(Ok(())),
                Verdict::Failed(why) => Some(Err(why)),
                Verdict::Pending => {
                    watch.absent_since = None;
                    None
                }
                Verdict::Absent => {
                    let since = *watch.absent_since.get_or_insert(now);
                    (now.duration_since(since) >= ABSENCE_GRACE).then(|| {
                        Err(format!(
                            "AWS accepted the call but has not shown the object for {} s",
                            ABSENCE_GRACE.as_secs()
                        ))
                    })
                }
            };
            match outcome {
                Some(result) => {
                    settled += 1;
                    let _ = watch.reply.send(result);
                }
                // A watcher that gave up (stopped or timed out) is forgotten.
                None if watch.reply.is_closed() => {}
                None => still.push(watch),
            }
        }
        *watches = still;
        quiet_polls = if settled > 0 { 0 } else { quiet_polls + 1 };
    }
}

#[cfg(test)]
mod tests {
    //! The scheduler against an in-memory endpoint that enforces AWS's limits.
    use super::*;
    use crate::aws::governor::CLIENT_VPN_MUTATIONS_IN_FLIGHT;
    use tokio_util::sync::CancellationToken;

    const LIMIT: usize = CLIENT_VPN_MUTATIONS_IN_FLIGHT;

    /// Rules settle `settle` after their call; more than `LIMIT` in flight is refused, like AWS.
    struct FakeEndpoint {
        settle: Duration,
        state: Mutex<FakeState>,
    }

    #[derive(Default)]
    struct FakeState {
        rules: BTreeMap<RuleKey, (Option<String>, &'static str, Instant)>,
        calls: Vec<Instant>,
        refused: usize,
        peak_in_flight: usize,
        tokens: BTreeMap<String, Mutation>,
    }

    impl FakeEndpoint {
        fn new(settle: Duration) -> Arc<Self> {
            Arc::new(Self {
                settle,
                state: Mutex::new(FakeState::default()),
            })
        }

        fn tick(state: &mut FakeState, now: Instant) {
            state
                .rules
                .retain(|_, (_, status, at)| !(*status == "revoking" && *at <= now));
            for (_, status, at) in state.rules.values_mut() {
                if *status == "authorizing" && *at <= now {
                    *status = "active";
                }
            }
        }
    }

    #[async_trait]
    impl EndpointApi for FakeEndpoint {
        async fn mutate(&self, mutation: &Mutation, token: &str) -> Result<(), AwsError> {
            let now = Instant::now();
            let mut state = self.state.lock().unwrap();
            Self::tick(&mut state, now);
            state.calls.push(now);
            let in_flight = state
                .rules
                .values()
                .filter(|(_, s, _)| *s != "active")
                .count();
            if in_flight >= LIMIT {
                state.refused += 1;
                return Err(AwsError {
                    action: mutation.action(),
                    code: "ConcurrentMutationLimitExceeded".into(),
                    message: "too many".into(),
                    class: ErrorClass::Busy,
                });
            }
            if let Some(seen) = state.tokens.get(token) {
                assert_eq!(seen, mutation, "a client token reused for another request");
                return Ok(());
            }
            state.tokens.insert(token.to_string(), mutation.clone());
            match mutation {
                Mutation::Authorize(key, description) => {
                    state.rules.insert(
                        key.clone(),
                        (description.clone(), "authorizing", now + self.settle),
                    );
                }
                Mutation::Revoke(key) => {
                    let rule = state.rules.get_mut(key).expect("revoking a known rule");
                    rule.1 = "revoking";
                    rule.2 = now + self.settle;
                }
                _ => unreachable!("rules only"),
            }
            let in_flight = in_flight + 1;
            state.peak_in_flight = state.peak_in_flight.max(in_flight);
            Ok(())
        }

        async fn rules(&self, _: &Budget) -> Result<Vec<Rule>, OpError> {
            let mut state = self.state.lock().unwrap();
            Self::tick(&mut state, Instant::now());
            Ok(state
                .rules
                .iter()
                .map(|(key, (description, status, _))| Rule {
                    group_id: Some(key.sid.clone()),
                    access_all: false,
                    destination_cidr: key.cidr.to_string(),
                    description: description.clone(),
                    status: status.to_string(),
                    message: None,
                })
                .collect())
        }

        async fn routes(&self, _: &Budget) -> Result<Vec<Route>, OpError> {
            Ok(Vec::new())
        }

        async fn associations(&self, _: &Budget) -> Result<Vec<Association>, OpError> {
            Ok(Vec::new())
        }
    }

    fn key(i: usize) -> RuleKey {
        RuleKey {
            sid: "S-1-5-21-1-2-3-1104".into(),
            cidr: format!("10.{}.{}.0/24", i / 256, i % 256).parse().unwrap(),
        }
    }

    async fn authorize_all(scheduler: Arc<Scheduler>, count: usize) -> Vec<Result<(), OpError>> {
        let mut tasks = JoinSet::new();
        for i in 0..count {
            let scheduler = scheduler.clone();
            tasks.spawn(async move {
                let _slot = scheduler.slot().await?;
                let description = Some(format!("g{i}"));
                scheduler
                    .mutate(&Mutation::Authorize(key(i), description.clone()))
                    .await?;
                scheduler
                    .watch(Subject::Rule(key(i)), Target::Active(description))
                    .await
            });
        }
        tasks.join_all().await
    }

    #[tokio::test(start_paused = true)]
    async fn slow_rules_never_exceed_ten_in_flight() {
        let endpoint = FakeEndpoint::new(Duration::from_secs(8));
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 25);
        let scheduler = Arc::new(Scheduler::start(
            endpoint.clone(),
            Arc::new(Governor::default()),
            "cvpn-endpoint-0123456789abcdef0",
            budget,
        ));
        let started = Instant::now();
        let results = authorize_all(scheduler.clone(), 60).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let state = endpoint.state.lock().unwrap();
        assert_eq!(state.refused, 0, "no ConcurrentMutationLimitExceeded");
        assert_eq!(
            state.peak_in_flight, LIMIT,
            "the slots, not the rate, were the limit"
        );
        assert_eq!(state.calls.len(), 60);
        // Slots bind: each rule holds one for 8 s plus the poll that sees it, so 60 rules need
        // at least 6 rounds of 8 s; and far fewer polls than one per rule and interval.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_secs(48), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(75), "{elapsed:?}");
        assert!(scheduler.polls() < 200, "{} polls", scheduler.polls());
    }

    #[tokio::test(start_paused = true)]
    async fn fast_rules_go_at_the_api_rate() {
        let endpoint = FakeEndpoint::new(Duration::from_millis(500));
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 25);
        let scheduler = Arc::new(Scheduler::start(
            endpoint.clone(),
            Arc::new(Governor::default()),
            "cvpn-endpoint-0123456789abcdef0",
            budget,
        ));
        let started = Instant::now();
        let results = authorize_all(scheduler.clone(), 45).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let state = endpoint.state.lock().unwrap();
        assert_eq!(state.refused, 0);
        // Never more than 5 + 2/s calls in any window from the start.
        for (n, at) in state.calls.iter().enumerate() {
            let allowed = 5.0 + 2.0 * at.duration_since(started).as_secs_f64();
            assert!((n + 1) as f64 <= allowed + 1e-6, "call {n} at {at:?}");
        }
        // (45 - 5) / 2 = 20 s is the least the rate allows; the last rule settles soon after.
        let elapsed = started.elapsed().as_secs_f64();
        assert!((20.0..23.0).contains(&elapsed), "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_waits_at_once() {
        let endpoint = FakeEndpoint::new(Duration::from_secs(600));
        let cancel = CancellationToken::new();
        let budget = Budget::new(Duration::from_secs(3600), cancel.clone(), 25);
        let scheduler = Arc::new(Scheduler::start(
            endpoint.clone(),
            Arc::new(Governor::default()),
            "cvpn-endpoint-0123456789abcdef0",
            budget,
        ));
        let running = tokio::spawn(authorize_all(scheduler.clone(), 12));
        tokio::time::sleep(Duration::from_secs(3)).await;
        let stopped_at = Instant::now();
        cancel.cancel();
        let results = running.await.unwrap();
        assert!(stopped_at.elapsed() < Duration::from_millis(10));
        assert!(
            results.iter().all(|r| *r == Err(OpError::Cancelled)),
            "{results:?}"
        );
        // 5 burst + 2 per second for 3 s: the calls made before the stop.
        assert_eq!(endpoint.state.lock().unwrap().calls.len(), 10);
    }

    #[tokio::test(start_paused = true)]
    async fn others_in_flight_take_slots_until_they_settle() {
        let endpoint = FakeEndpoint::new(Duration::from_secs(5));
        {
            // Eight rules of another group are being authorized when the apply starts.
            let mut state = endpoint.state.lock().unwrap();
            for i in 100..108 {
                state.rules.insert(
                    key(i),
                    (None, "authorizing", Instant::now() + Duration::from_secs(5)),
                );
            }
        }
        let budget = Budget::new(Duration::from_secs(3600), CancellationToken::new(), 25);
        let scheduler = Arc::new(Scheduler::start(
            endpoint.clone(),
            Arc::new(Governor::default()),
            "cvpn-endpoint-0123456789abcdef0",
            budget,
        ));
        for i in 100..108 {
            scheduler.hold_for_others(Subject::Rule(key(i)));
        }
        let results = authorize_all(scheduler.clone(), 10).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let state = endpoint.state.lock().unwrap();
        assert_eq!(state.refused, 0);
        assert!(state.peak_in_flight <= LIMIT);
    }

    #[test]
    fn tokens_are_stable_within_an_apply_and_differ_between_applies() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let make = || {
                Scheduler::start(
                    FakeEndpoint::new(Duration::ZERO),
                    Arc::new(Governor::default()),
                    "cvpn-endpoint-0123456789abcdef0",
                    Budget::new(Duration::from_secs(1), CancellationToken::new(), 1),
                )
            };
            let (first, second) = (make(), make());
            let authorize = Mutation::Authorize(key(1), Some("a".into()));
            let token = first.client_token(&authorize);
            assert_eq!(token, first.client_token(&authorize));
            assert!(token.len() <= 64, "EC2 accepts at most 64 characters");
            assert_ne!(token, first.client_token(&Mutation::Revoke(key(1))));
            assert_ne!(
                token,
                first.client_token(&Mutation::Authorize(key(1), Some("b".into())))
            );
            assert_ne!(token, second.client_token(&authorize));
        });
    }

    #[test]
    fn polls_are_quick_only_while_operations_queue() {
        assert_eq!(poll_interval(0, true), Duration::from_millis(500));
        assert_eq!(poll_interval(0, false), Duration::from_secs(1));
        assert_eq!(poll_interval(30, true), Duration::from_secs(2));
        assert_eq!(poll_interval(30, false), Duration::from_secs(10));
    }

    #[test]
    fn verdicts_follow_the_status_codes() {
        let rule = |status: &str, description: Option<&str>| Rule {
            group_id: Some("S-1-5-21-1-2-3-4".into()),
            access_all: false,
            destination_cidr: "10.0.0.0/16".into(),
            description: description.map(str::to_string),
            status: status.into(),
            message: Some("quota".into()),
        };
        let active = Target::Active(Some("eng".into()));
        assert_eq!(
            judge_rule(Some(&rule("active", Some("eng"))), &active),
            Verdict::Done
        );
        assert_eq!(
            judge_rule(Some(&rule("authorizing", Some("eng"))), &active),
            Verdict::Pending
        );
        assert!(matches!(
            judge_rule(Some(&rule("active", Some("other"))), &active),
            Verdict::Failed(m) if m.contains("\"other\"")
        ));
        assert!(matches!(
            judge_rule(Some(&rule("failed", Some("eng"))), &active),
            Verdict::Failed(m) if m.contains("quota")
        ));
        assert_eq!(judge_rule(None, &active), Verdict::Absent);
        assert_eq!(judge_rule(None, &Target::Gone), Verdict::Done);
        assert_eq!(
            judge_rule(Some(&rule("revoking", None)), &Target::Gone),
            Verdict::Pending
        );
        assert_eq!(
            judge_rule(Some(&rule("active", None)), &Target::Settled),
            Verdict::Done
        );
        let association = |status: &str| Association {
            subnet_id: "subnet-a".into(),
            status: status.into(),
        };
        let associated = Target::Active(None);
        assert_eq!(
            judge_association(Some(&association("associating")), &associated),
            Verdict::Pending
        );
        assert_eq!(
            judge_association(Some(&association("associated")), &associated),
            Verdict::Done
        );
        assert!(matches!(
            judge_association(Some(&association("disassociating")), &associated),
            Verdict::Failed(_)
        ));
    }
}
