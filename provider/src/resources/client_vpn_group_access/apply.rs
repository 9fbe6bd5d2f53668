//! Runs the operations of a change through the endpoint's scheduler, recording every rule and
//! route as soon as AWS has it, so that an apply that fails, times out or is stopped returns
//! exactly what exists (including objects whose call was sent but not yet confirmed).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use super::model::{Phase, RouteKey, RuleKey};
use super::observed::Observation;
use super::ownership;
use super::plan::Op;
use super::record::Record;
use super::scheduler::{Answer, Ec2Endpoint, Mutation, Scheduler, Subject, Target};
use super::state::{Progress, STATUS_ACTIVE};
use crate::aws::Tags;
use crate::aws::call::Aws;
use crate::aws::errors::ErrorClass;
use crate::aws::governor::CLIENT_VPN_MUTATIONS_IN_FLIGHT;
use crate::aws::retry::{Budget, OpError};
use crate::config::clients::AwsClients;
use crate::engine::{self, OperationPlan, Report};
use crate::framework::context::Ctx;

/// Operations started at once: twice the endpoint's slots, so that operations queue for a
/// slot (which tells the poller that slots are the bottleneck) rather than in the engine.
const CONCURRENCY: usize = 2 * CLIENT_VPN_MUTATIONS_IN_FLIGHT;

/// Whether an error proves the call created nothing (AWS answered with a refusal); after a
/// transport error, a timeout or a stop, the object may exist and is kept in the state.
fn created_nothing(error: &OpError) -> bool {
    matches!(error, OpError::Aws(e) if e.class != ErrorClass::Transient)
}

/// What the ownership operations need: the endpoint's tags are written with the provider's
/// clients directly (tag calls have their own lane and take no mutation slot).
struct OwnerTags {
    clients: Arc<AwsClients>,
    budget: Budget,
    endpoint_id: String,
    /// This instance's token; claims are only planned when there is one.
    token: Option<String>,
}

impl OwnerTags {
    async fn claim(&self, sids: &BTreeSet<String>) -> Result<(), OpError> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        let value = ownership::claim_value(token, time::OffsetDateTime::now_utc());
        let tags: Tags = sids
            .iter()
            .map(|sid| (ownership::owner_tag(sid), value.clone()))
            .collect();
        let aws = Aws {
            clients: &self.clients,
            budget: &self.budget,
        };
        aws.create_tags(&self.endpoint_id, &tags).await
    }

    async fn release(&self, tags: &Tags) -> Result<(), OpError> {
        let aws = Aws {
            clients: &self.clients,
            budget: &self.budget,
        };
        aws.delete_tags_with_values(&self.endpoint_id, tags).await
    }
}

struct Recorder(Mutex<Progress>);

impl Recorder {
    fn update(&self, change: impl FnOnce(&mut Progress)) {
        change(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn rule(&self, key: &RuleKey, description: Option<String>, status: &str) {
        self.update(|p| {
            p.rules
                .insert(key.clone(), (description, status.to_string()));
        });
    }

    fn rule_status(&self, key: &RuleKey, status: &str) {
        self.update(|p| {
            if let Some(entry) = p.rules.get_mut(key) {
                entry.1 = status.to_string();
            }
        });
    }

    fn forget_rule(&self, key: &RuleKey) {
        self.update(|p| {
            p.rules.remove(key);
        });
    }

    fn route(&self, key: &RouteKey, status: &str) {
        self.update(|p| {
            p.routes.insert(key.clone(), status.to_string());
        });
    }

    fn forget_route(&self, key: &RouteKey) {
        self.update(|p| {
            p.routes.remove(key);
        });
    }
}

async fn perform(
    op: Op,
    scheduler: Arc<Scheduler>,
    recorder: Arc<Recorder>,
    associating: Arc<BTreeSet<String>>,
    owner_tags: Arc<OwnerTags>,
) -> Result<(), OpError> {
    match op {
        Op::Claim(sids) => owner_tags.claim(&sids).await?,
        Op::Release(tags) => owner_tags.release(&tags).await?,
        Op::Revoke(key) => {
            let _slot = scheduler.slot().await?;
            if scheduler.mutate(&Mutation::Revoke(key.clone())).await? == Answer::AlreadyGone {
                recorder.forget_rule(&key);
                return Ok(());
            }
            recorder.rule_status(&key, "revoking");
            scheduler
                .watch(Subject::Rule(key.clone()), Target::Gone)
                .await?;
            recorder.forget_rule(&key);
        }
        Op::AwaitRuleGone(key) => {
            let _slot = scheduler.slot().await?;
            scheduler
                .watch(Subject::Rule(key.clone()), Target::Gone)
                .await?;
            recorder.forget_rule(&key);
        }
        Op::Authorize(key, description) => {
            let _slot = scheduler.slot().await?;
            recorder.rule(&key, description.clone(), "authorizing");
            let mutation = Mutation::Authorize(key.clone(), description.clone());
            if let Err(error) = scheduler.mutate(&mutation).await {
                if created_nothing(&error) {
                    recorder.forget_rule(&key);
                }
                return Err(error);
            }
            scheduler
                .watch(Subject::Rule(key.clone()), Target::Active(description))
                .await?;
            recorder.rule_status(&key, STATUS_ACTIVE);
        }
        Op::AwaitRuleActive(key, description) => {
            let _slot = scheduler.slot().await?;
            scheduler
                .watch(Subject::Rule(key.clone()), Target::Active(description))
                .await?;
            recorder.rule_status(&key, STATUS_ACTIVE);
        }
        Op::DeleteRoute(key) => {
            let _slot = scheduler.slot().await?;
            if scheduler
                .mutate(&Mutation::DeleteRoute(key.clone()))
                .await?
                == Answer::AlreadyGone
            {
                recorder.forget_route(&key);
                return Ok(());
            }
            recorder.route(&key, "deleting");
            scheduler
                .watch(Subject::Route(key.clone()), Target::Gone)
                .await?;
            recorder.forget_route(&key);
        }
        Op::AwaitRouteGone(key) => {
            let _slot = scheduler.slot().await?;
            scheduler
                .watch(Subject::Route(key.clone()), Target::Gone)
                .await?;
            recorder.forget_route(&key);
        }
        Op::CreateRoute(key) => {
            // A route needs an active association; one still being made is waited for (it
            // holds a slot of its own meanwhile).
            if associating.contains(&key.subnet_id) {
                scheduler
                    .watch(
                        Subject::Association(key.subnet_id.clone()),
                        Target::Active(None),
                    )
                    .await?;
            }
            let _slot = scheduler.slot().await?;
            recorder.route(&key, "creating");
            if let Err(error) = scheduler.mutate(&Mutation::CreateRoute(key.clone())).await {
                if created_nothing(&error) {
                    recorder.forget_route(&key);
                }
                return Err(error);
            }
            scheduler
                .watch(Subject::Route(key.clone()), Target::Active(None))
                .await?;
            recorder.route(&key, STATUS_ACTIVE);
        }
        Op::AwaitRouteActive(key) => {
            let _slot = scheduler.slot().await?;
            scheduler
                .watch(Subject::Route(key.clone()), Target::Active(None))
                .await?;
            recorder.route(&key, STATUS_ACTIVE);
        }
    }
    Ok(())
}

/// Runs `plan` on the endpoint of `record` through a scheduler of its own (the endpoint's
/// mutation slots and pacing), and returns the record as AWS left it.
pub(crate) async fn run(
    ctx: &Ctx,
    record: Record,
    plan: OperationPlan<Op>,
) -> crate::framework::resource::Outcome<Record, Op> {
    let started = tokio::time::Instant::now();
    let endpoint_id = record.observation.endpoint.id.clone();
    let mutations = record.changes.mutation_count();
    let scheduler = Arc::new(Scheduler::start(
        Arc::new(Ec2Endpoint {
            aws: ctx.clients.clone(),
            endpoint_id: endpoint_id.clone(),
        }),
        ctx.clients.governor.clone(),
        &endpoint_id,
        ctx.budget.clone(),
    ));
    let Record {
        observation,
        progress,
        changes,
        handover,
        held,
        groups,
    } = record;
    let owner_tags = Arc::new(OwnerTags {
        clients: ctx.clients.clone(),
        budget: ctx.budget.clone(),
        endpoint_id: endpoint_id.clone(),
        token: observation.owner.clone(),
    });
    let outcome = execute(scheduler.clone(), &observation, plan, progress, owner_tags).await;
    tracing::info!(
        endpoint = endpoint_id.as_str(),
        mutations,
        completed = outcome.report.completed,
        failed = outcome.report.failures.len(),
        polls = scheduler.polls(),
        seconds = started.elapsed().as_secs_f64(),
        "Client VPN changes applied"
    );
    crate::framework::resource::Outcome {
        record: Record {
            observation,
            progress: outcome.progress,
            changes,
            handover,
            held,
            groups,
        },
        failures: outcome.report.failures,
        not_started: outcome.report.not_started,
    }
}

/// What running the changes came to.
pub(crate) struct Outcome {
    pub progress: Progress,
    pub report: Report<Op>,
}

/// Runs `plan` against the endpoint `observation` describes, starting from `progress` (the
/// owned objects observed).
async fn execute(
    scheduler: Arc<Scheduler>,
    observation: &Observation,
    plan: OperationPlan<Op>,
    progress: Progress,
    owner_tags: Arc<OwnerTags>,
) -> Outcome {
    // Objects in transition that no operation waits for still count against the limit.
    let mut covered: BTreeSet<Subject> = BTreeSet::new();
    for op in plan.operations() {
        match op {
            Op::Revoke(k)
            | Op::AwaitRuleGone(k)
            | Op::Authorize(k, _)
            | Op::AwaitRuleActive(k, _) => {
                covered.insert(Subject::Rule(k.clone()));
            }
            Op::DeleteRoute(k)
            | Op::AwaitRouteGone(k)
            | Op::CreateRoute(k)
            | Op::AwaitRouteActive(k) => {
                covered.insert(Subject::Route(k.clone()));
            }
            Op::Claim(_) | Op::Release(_) => {}
        }
    }
    let in_flight = observation
        .rules
        .iter()
        .filter(|r| r.phase().in_flight())
        .filter_map(|r| r.key().map(Subject::Rule))
        .chain(
            observation
                .routes
                .iter()
                .filter(|r| r.phase().in_flight())
                .filter_map(|r| r.key().map(Subject::Route)),
        )
        .chain(
            observation
                .associations
                .iter()
                .filter(|a| Phase::of(&a.status).in_flight())
                .map(|a| Subject::Association(a.subnet_id.clone())),
        );
    for subject in in_flight {
        if !covered.contains(&subject) {
            scheduler.hold_for_others(subject);
        }
    }
    let associating: Arc<BTreeSet<String>> = Arc::new(
        observation
            .associations
            .iter()
            .filter(|a| Phase::of(&a.status) == Phase::Arriving)
            .map(|a| a.subnet_id.clone())
            .collect(),
    );
    let recorder = Arc::new(Recorder(Mutex::new(progress)));
    let cancel = scheduler.budget().cancel.clone();
    let report = engine::run(plan, CONCURRENCY, &cancel, |op| {
        perform(
            op,
            scheduler.clone(),
            recorder.clone(),
            associating.clone(),
            owner_tags.clone(),
        )
    })
    .await;
    let progress = recorder.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Outcome { progress, report }
}
