//! Managed resources: what an author writes ([`ManagedResource`]: one hook per stage of the
//! flow, the same in every resource) and the lifecycle that runs the hooks for every RPC
//! ([`ResourceLifecycle`], written once for all resources).
//!
//! The flow of each RPC, in hook order:
//!
//! * **read** (refresh): [`scope`](ManagedResource::scope) of the prior state →
//!   [`observe`](ManagedResource::observe) → [`record`](ManagedResource::record) →
//!   [`render`](ManagedResource::render). An object that is gone reads as null, so that
//!   Terraform plans to create it again.
//! * **plan**: [`validate`](ManagedResource::validate) and
//!   [`validate_transition`](ManagedResource::validate_transition) offline →
//!   [`facts`](ManagedResource::facts) (plan-time reads, short: a failure goes through
//!   [`plan_read_failed`](ManagedResource::plan_read_failed)) →
//!   [`check`](ManagedResource::check) → [`planned`](ManagedResource::planned).
//! * **apply** (create, update): [`scope`](ManagedResource::scope) →
//!   [`observe`](ManagedResource::observe) → [`facts`](ManagedResource::facts) and
//!   [`check`](ManagedResource::check) again, every value known →
//!   [`desired`](ManagedResource::desired) → [`record`](ManagedResource::record) (the
//!   progress record) → [`operations`](ManagedResource::operations) →
//!   [`execute`](ManagedResource::execute) → [`render`](ManagedResource::render).
//! * **apply** (destroy): [`scope`](ManagedResource::scope) →
//!   [`observe`](ManagedResource::observe) → [`record`](ManagedResource::record) →
//!   [`operations`](ManagedResource::operations) with nothing desired →
//!   [`execute`](ManagedResource::execute).
//! * **import**: [`import`](ManagedResource::import).
//!
//! The lifecycle owns what every resource does alike: the configured provider (or offline
//! planning, or the one error when an apply has none), the `timeouts` of each operation,
//! StopProvider, the prior state kept when an apply cannot start, null after a destroy, the
//! partial state of a failed apply (never a forgotten object), failures reported once each and
//! capped, the warnings a plan already showed, private data, the upgrade of stored state, and
//! the check that a successful apply delivered what it planned.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::consistency::{contradictions, fill_unknowns};
use super::context::{Configured, Ctx, ProviderState};
use super::failures::{report, report_failures};
use super::identity::{Identity, Place, describe};
use super::private::Private;
use super::recent::RecentReads;
use super::timeouts::{self, Operation};
use super::typed::FromValue;
use crate::aws::retry::{Budget, OpError};
use crate::engine::OperationPlan;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::{Diagnostics, Severity};
use crate::protocol::identity::IdentitySchema;
use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::protocol::schema::Schema;

/// Which step of Terraform's workflow a hook serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// `PlanResourceChange`: values may be unknown; reads are checks and may fail.
    Plan,
    /// `ApplyResourceChange`: every value known, nothing changed yet.
    Apply,
}

/// What an observation found.
pub(crate) enum Observed<T> {
    Found(T),
    /// The object the state points at no longer exists.
    Gone,
}

/// What an apply's executor came to: the progress record as it ended, and what went wrong.
pub(crate) struct Outcome<Record, Op> {
    pub record: Record,
    /// Each failed operation with its error; empty on success.
    pub failures: Vec<(Op, OpError)>,
    /// Operations never started because an earlier one failed or the apply was stopped.
    pub not_started: usize,
}

impl<Record, Op> Outcome<Record, Op> {
    pub(crate) fn succeeded(&self) -> bool {
        self.failures.is_empty() && self.not_started == 0
    }
}

/// What an import found: the state, its private data, and warnings.
pub(crate) struct Imported<P> {
    pub state: Value,
    pub private: P,
    pub diagnostics: Diagnostics,
}

/// Why a state is being rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Render {
    /// A refresh: `echo` is the prior state.
    Read,
    /// A create or update: `echo` is the planned state.
    Apply,
    /// What is left after a failed destroy: `echo` is the prior state.
    Destroy,
}

/// What [`ManagedResource::render`] renders with, besides the record.
pub(crate) struct RenderInput<'a, R: ManagedResource> {
    pub why: Render,
    /// The state before (`None` on create).
    pub prior: Option<&'a R::State>,
    /// Where the attributes AWS cannot tell come from (configured values, timeouts): the
    /// planned state on apply, the prior state otherwise.
    pub echo: &'a Value,
    /// The desired state of an apply.
    pub desired: Option<&'a R::Desired>,
    pub private: &'a R::Private,
}

/// The requests of a plan, typed, as [`ManagedResource::planned`] receives them.
pub(crate) struct PlanInput<'a, R: ManagedResource> {
    pub config: &'a R::Config,
    pub config_value: &'a Value,
    /// Terraform's proposed new state (the configuration merged with the prior state).
    pub proposed: &'a Value,
    pub prior: Option<&'a R::State>,
    pub prior_value: &'a Value,
    pub private: &'a R::Private,
    /// What plan-time reads found; `None` when the plan could not read AWS (unknown provider
    /// configuration, no credentials): values that depend on AWS are then unknown.
    pub facts: Option<&'a R::Facts>,
}

/// One managed resource type: its schema and its own logic, one hook per stage of the flow.
/// Everything else is [`ResourceLifecycle`]'s.
#[async_trait]
pub(crate) trait ManagedResource: Send + Sync + Sized + 'static {
    /// Terraform's name for the type (`migration_…`).
    const TYPE_NAME: &'static str;
    /// How long a refresh or an import may take.
    const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);
    /// How long plan-time reads may take, and how often each is retried (`None`: the
    /// provider's `max_retries`).
    const PLAN_TIMEOUT: Duration = Duration::from_secs(60);
    const PLAN_RETRIES: Option<u32> = Some(2);
    /// Its identity (Terraform ≥ 1.12): which attribute names the object; the framework adds
    /// the account and Region, returns it from every RPC and imports by it.
    const IDENTITY: Option<Identity> = None;
    /// Whether the plan right after a refresh takes the refresh's observation instead of
    /// reading AWS again (`observed` of [`facts`](ManagedResource::facts) at plan), and a
    /// create or update right after its plan takes the plan's facts (`planned` of
    /// [`observe_missing`](ManagedResource::observe_missing)), under the rule of
    /// [`recent`](super::recent).
    const REUSES_RECENT_READS: bool = false;

    /// The configuration, typed; values unknown at plan time are kept as such.
    type Config: FromValue + Send + Sync;
    /// The stored state, typed.
    type State: FromValue + Send + Sync;
    /// The resource's section of its private data.
    type Private: Serialize + DeserializeOwned + Default + Clone + Send + Sync;
    /// What to read from AWS.
    type Scope: Send + Sync;
    /// What AWS holds of this resource (cloned when a refresh keeps it for the plan).
    type Observed: Clone + Send + Sync;
    /// What checks need beyond the configuration (plan-time reads, names resolved).
    type Facts: Send + Sync;
    /// The configuration with every value known and every default applied.
    type Desired: Send + Sync;
    /// What exists at any moment of an apply: it starts as the observation, and the executor
    /// records every change AWS confirms, so a failed apply's state is what it made.
    type Record: Send + Sync;
    /// One operation of an apply.
    type Op: Clone + Debug + Send + Sync + 'static;

    fn schema(&self) -> Schema;

    /// Steps from older layouts of the stored state: step `i` turns the JSON of schema version
    /// `i` into version `i + 1`'s. The schema's version is their number.
    fn upgrades(&self) -> &'static [fn(serde_json::Value) -> serde_json::Value] {
        &[]
    }

    /// Checks that need nothing but the configuration (which may hold unknown values).
    fn validate(&self, config: &Self::Config, config_value: &Value) -> Diagnostics;

    /// Checks of the change from the prior state to the configuration.
    fn validate_transition(
        &self,
        _prior: Option<&Self::State>,
        _config: &Self::Config,
        _config_value: &Value,
    ) -> Diagnostics {
        Diagnostics::new()
    }

    /// Attributes whose change replaces the resource.
    fn requires_replace(&self, _prior: Option<&Self::State>, _config: &Self::Config) -> Vec<Path> {
        Vec::new()
    }

    /// What to observe for the prior state (`None` on create) and the configuration (`None`
    /// on read and destroy). `None`: the state names nothing to read (gone, on read).
    fn scope(
        &self,
        prior: Option<&Self::State>,
        private: &Self::Private,
        config: Option<&Self::Config>,
    ) -> Option<Self::Scope>;

    /// Reads AWS. On a create, and on an update whose object is gone, this is also where the
    /// resource reads the world around what it will create, or refuses (an error `Gone`).
    async fn observe(
        &self,
        ctx: &Ctx,
        scope: &Self::Scope,
        stage: Option<Stage>,
    ) -> Result<Observed<Self::Observed>, OpError>;

    /// Why an update or create cannot proceed when `observe` found the object gone; `None`
    /// means it proceeds from [`observe_missing`](ManagedResource::observe_missing).
    fn gone_at_apply(&self, _scope: &Self::Scope) -> Option<Diagnostics> {
        None
    }

    /// Crash safety: what an earlier create of this configuration made that Terraform never
    /// saved (its provider process was killed, or the connection lost, before it could answer),
    /// found by the unconfirmed marker the create put on it
    /// ([`UNCONFIRMED_TAG`](crate::framework::tags::UNCONFIRMED_TAG)). A create adopts
    /// [`Leftovers::adopt`] and carries on from what exists instead of making a second set.
    /// Default: nothing to find (a resource whose objects AWS itself refuses to duplicate, and
    /// which adopts them, needs no marker).
    async fn leftovers(
        &self,
        _ctx: &Ctx,
        _config: &Self::Config,
    ) -> Result<Leftovers<Self::Scope>, OpError> {
        Ok(Leftovers::default())
    }

    /// The scope of what [`leftovers`](ManagedResource::leftovers) adopted, given the private
    /// data the create's plan handed its apply (an ownership token, for instance), which the
    /// search for leftovers does not see. Default: as found.
    fn adopted_scope(&self, scope: Self::Scope, _private: &Self::Private) -> Self::Scope {
        scope
    }

    /// Clears the unconfirmed marker of what a read found for a prior state: Terraform holds
    /// the objects now, so no later create may adopt them.
    async fn confirm(&self, _ctx: &Ctx, _observed: &Self::Observed) -> Result<(), OpError> {
        Ok(())
    }

    /// What a create starts from when there is nothing to observe yet (no scope, or gone).
    /// `planned`: what the plan of this same change read moments ago in this process, when
    /// the resource [reuses recent reads](ManagedResource::REUSES_RECENT_READS) and the
    /// rule of [`recent`](super::recent) allows it.
    async fn observe_missing(
        &self,
        ctx: &Ctx,
        scope: Option<&Self::Scope>,
        config: &Self::Config,
        planned: Option<&Self::Facts>,
    ) -> Result<Self::Observed, OpError>;

    /// The facts checks need: at plan from the configuration and prior state (`observed` is
    /// the observation of the refresh that just read the prior state, when the resource
    /// [reuses recent reads](ManagedResource::REUSES_RECENT_READS) and the rule of
    /// [`recent`](super::recent) allows it; `None` otherwise), at apply with the observation.
    async fn facts(
        &self,
        ctx: &Ctx,
        stage: Stage,
        config: &Self::Config,
        prior: Option<&Self::State>,
        observed: Option<&Self::Observed>,
    ) -> Result<Self::Facts, OpError>;

    /// What a plan says when its reads failed (by default a warning: the apply checks again).
    fn plan_read_failed(&self, error: &OpError) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        diagnostics.warning(
            "Live checks skipped",
            format!(
                "This {}'s references in AWS could not be read ({error}), so the checks against \
                 them are not in this plan. Apply runs them again before changing anything.",
                Self::TYPE_NAME
            ),
        );
        diagnostics
    }

    /// Checks against AWS. `facts` is `None` when a plan could not read AWS (unknown provider
    /// configuration, no credentials): what needs no AWS still runs.
    fn check(
        &self,
        config: &Self::Config,
        config_value: &Value,
        prior: Option<&Self::State>,
        facts: Option<&Self::Facts>,
        stage: Stage,
    ) -> Diagnostics;

    /// Checks that need the private data besides the facts: at plan the data the plan hands
    /// its apply ([`planned_private`](ManagedResource::planned_private)), at apply the data it
    /// received. What the state's attributes cannot hold, such as an instance's ownership
    /// token, lives there. Errors stop the plan or the apply like [`check`](ManagedResource::check)'s.
    fn check_with_private(
        &self,
        _config: &Self::Config,
        _private: &Self::Private,
        _prior: Option<&Self::State>,
        _facts: Option<&Self::Facts>,
    ) -> Diagnostics {
        Diagnostics::new()
    }

    /// The planned new state of a create or update.
    fn planned(&self, ctx: Option<&Ctx>, input: PlanInput<'_, Self>) -> Value;

    /// Private data a plan hands to its apply (default: the prior private data).
    fn planned_private(&self, input: &PlanInput<'_, Self>) -> Self::Private {
        input.private.clone()
    }

    /// Whether the plan of this apply could show the checks' warnings (then the apply does
    /// not repeat them).
    fn plan_checked(&self, _private: &Self::Private) -> bool {
        true
    }

    /// The configuration with every value known (the path of one still unknown otherwise).
    /// `planned` is the planned state: what the plan decided for values the configuration
    /// leaves to the provider.
    fn desired(
        &self,
        ctx: &Ctx,
        config: &Self::Config,
        planned: &Value,
        facts: &Self::Facts,
        observed: &Self::Observed,
    ) -> Result<Self::Desired, Path>;

    /// The progress record an apply (or a read) starts from.
    fn record(
        &self,
        observed: Self::Observed,
        prior: Option<&Self::State>,
        desired: Option<&Self::Desired>,
    ) -> Self::Record;

    /// The ordered operations that turn the record into `desired` (`None`: destroy).
    fn operations(
        &self,
        desired: Option<&Self::Desired>,
        record: &Self::Record,
    ) -> OperationPlan<Self::Op>;

    /// Runs the operations, recording each change AWS confirms in the record.
    async fn execute(
        &self,
        ctx: &Ctx,
        record: Self::Record,
        plan: OperationPlan<Self::Op>,
    ) -> Outcome<Self::Record, Self::Op>;

    /// A sentence naming what an operation tried, for its failure's summary.
    fn describe(&self, op: &Self::Op, record: &Self::Record) -> String;

    /// Errors an apply found beside its operations' failures.
    fn apply_errors(
        &self,
        _record: &Self::Record,
        _desired: Option<&Self::Desired>,
    ) -> Diagnostics {
        Diagnostics::new()
    }

    /// Warnings about what an apply or a destroy did beside its plan (what it left to someone
    /// else, for example), given whether or not it succeeded.
    fn apply_notes(&self, _record: &Self::Record) -> Diagnostics {
        Diagnostics::new()
    }

    /// The state of what the record holds, and the private data to keep with it.
    fn render(
        &self,
        ctx: &Ctx,
        record: &Self::Record,
        input: RenderInput<'_, Self>,
    ) -> (Value, Self::Private);

    /// Whether a failed create made nothing at all (then nothing is saved, or tainted).
    fn made_nothing(&self, record: &Self::Record) -> bool;

    /// `terraform import` of `id` (trimmed).
    async fn import(&self, ctx: &Ctx, id: &str) -> Result<Imported<Self::Private>, Diagnostics>;
}

/// What earlier, interrupted creates left in AWS (see [`ManagedResource::leftovers`]).
pub(crate) struct Leftovers<S> {
    /// What this create adopts: the scope to observe it, and its name for messages.
    pub(crate) adopt: Option<(S, String)>,
    /// Unconfirmed objects that look like this resource's but that it does not adopt (another
    /// configuration made them), named for a warning.
    pub(crate) not_adopted: Vec<String>,
}

impl<S> Default for Leftovers<S> {
    fn default() -> Self {
        Leftovers {
            adopt: None,
            not_adopted: Vec::new(),
        }
    }
}

impl<S> Leftovers<S> {
    /// The warnings a plan or apply shows about them.
    fn warnings(&self, type_name: &str) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some((_, name)) = &self.adopt {
            diagnostics.warning(
                "Adopting what an interrupted apply made",
                format!(
                    "{name} was created by an earlier apply of this {type_name} whose provider \
                     process stopped before Terraform could save it. This apply adopts it and \
                     carries on from what exists instead of creating a second one."
                ),
            );
        }
        if !self.not_adopted.is_empty() {
            diagnostics.warning(
                "Left by an interrupted apply, not adopted",
                format!(
                    "Created by an interrupted apply of a {type_name} whose configuration \
                     differs from this one, so not adopted: {}. If one is this resource's, \
                     import it (`terraform import`); otherwise delete it once nothing uses it.",
                    self.not_adopted.join(", ")
                ),
            );
        }
        diagnostics
    }
}

/// Runs a [`ManagedResource`]'s hooks for every RPC Terraform sends about it.
pub(crate) struct ResourceLifecycle<R: ManagedResource> {
    resource: R,
    schema: Schema,
    identity: Option<IdentitySchema>,
    provider: Arc<ProviderState>,
    /// Observations of refreshes, by the state they answered, for the plans that follow.
    refreshed: RecentReads<R::Observed>,
    /// Facts of plans, by their configuration and prior state, for the applies that follow.
    planned: RecentReads<R::Facts>,
}

impl<R: ManagedResource> ResourceLifecycle<R> {
    pub(crate) fn new(resource: R, provider: Arc<ProviderState>) -> Self {
        let schema = resource.schema();
        debug_assert_eq!(
            schema.version,
            resource.upgrades().len() as i64,
            "{}: one upgrade step per schema version",
            R::TYPE_NAME
        );
        Self {
            resource,
            schema,
            identity: R::IDENTITY.map(|identity| identity.schema(R::TYPE_NAME)),
            provider,
            refreshed: RecentReads::default(),
            planned: RecentReads::default(),
        }
    }

    /// Where the configured provider works, when this resource has an identity and the account
    /// can be told (`None` otherwise: the identity is then left as it was).
    async fn place(&self, ctx: &Ctx) -> Option<Place> {
        R::IDENTITY?;
        match Place::of(ctx).await {
            Ok(place) => Some(place),
            Err(error) => {
                tracing::warn!(
                    resource = R::TYPE_NAME,
                    error = %error,
                    "cannot tell the provider's account; the identity is not updated"
                );
                None
            }
        }
    }

    /// The identity of `state` in `place` (null without either).
    fn identity_of(state: &Value, place: Option<&Place>) -> Value {
        match (R::IDENTITY, place) {
            (Some(identity), Some(place)) => identity.of(state, place),
            _ => Value::Null,
        }
    }

    /// Errors when an identity Terraform holds is of another account or Region than the
    /// configured provider's.
    fn misplaced(identity: &Value, place: Option<&Place>) -> Diagnostics {
        match (R::IDENTITY, place) {
            (Some(declared), Some(place)) if !identity.is_null() => {
                declared.misplaced(identity, place, R::TYPE_NAME, false)
            }
            _ => Diagnostics::new(),
        }
    }

    /// An identity must not change while the object stays the same (Terraform's rule, which
    /// terraform-plugin-framework enforces the same way): the provider's bug, said so.
    fn identity_changed(before: &Value, after: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if !before.is_null() && before.is_wholly_known() && !after.is_null() && before != after {
            diagnostics.error(
                "Unexpected identity change",
                format!(
                    "The identity of this {} changed from {} to {} although the object was not \
                     replaced. This is a bug in the provider; please report it.",
                    R::TYPE_NAME,
                    describe(before),
                    describe(after)
                ),
            );
        }
        diagnostics
    }

    fn parse<T: FromValue>(value: &Value, what: &str, diagnostics: &mut Diagnostics) -> Option<T> {
        match T::from_value(value) {
            Ok(typed) => Some(typed),
            Err(mismatch) => {
                diagnostics.error(
                    format!("Invalid {what}"),
                    format!(
                        "The {what} of this {} cannot be read: {mismatch}. This is a bug in the \
                         provider or an incompatible Terraform version; please report it.",
                        R::TYPE_NAME
                    ),
                );
                None
            }
        }
    }

    /// The typed prior state: `Some(None)` when there is none.
    fn prior(value: &Value, diagnostics: &mut Diagnostics) -> Option<Option<R::State>> {
        if value.is_null() {
            return Some(None);
        }
        Self::parse(value, "state", diagnostics).map(Some)
    }

    /// The configured provider with a budget of `timeout`: `None` when planning offline (the
    /// provider configuration is unknown), or with an error when ConfigureProvider never ran.
    fn ctx(
        &self,
        timeout: Duration,
        retries: Option<u32>,
        cancel: &tokio_util::sync::CancellationToken,
        diagnostics: &mut Diagnostics,
    ) -> Option<Ctx> {
        match self.provider.configured() {
            Configured::Ready(clients) => {
                let attempts = retries.unwrap_or(clients.max_retries);
                let budget = Budget::new(timeout, cancel.clone(), attempts);
                Some(Ctx::new(clients, budget))
            }
            Configured::Deferred => None,
            Configured::NotYet => {
                diagnostics.error(
                    "Provider not configured",
                    "The provider was asked to manage a resource before ConfigureProvider; this \
                     is a bug in the caller (Terraform always configures first).",
                );
                None
            }
        }
    }

    /// The context of an apply, which needs a configured provider.
    fn apply_ctx(
        &self,
        timeout: Duration,
        cancel: &tokio_util::sync::CancellationToken,
        diagnostics: &mut Diagnostics,
    ) -> Option<Ctx> {
        let ctx = self.ctx(timeout, None, cancel, diagnostics);
        if ctx.is_none() && !diagnostics.has_errors() {
            diagnostics.error(
                "Provider configuration unknown at apply",
                "The provider block still has unknown values; Terraform resolves them before \
                 apply, so this is a bug in the caller. Apply again once they are known.",
            );
        }
        ctx
    }

    async fn create_or_update(
        &self,
        request: &ApplyRequest,
        ctx: Ctx,
        config: R::Config,
        prior: Option<R::State>,
        private: Private<R::Private>,
        mut diagnostics: Diagnostics,
    ) -> ApplyResponse {
        let keep_prior = |diagnostics| ApplyResponse {
            new_state: request.prior_state.clone(),
            private: request.planned_private.clone(),
            new_identity: Self::kept_identity(request),
            diagnostics,
        };
        let resource = &self.resource;
        // What this change's plan read, taken before this apply makes every earlier read stale.
        let planned_reads = match R::REUSES_RECENT_READS {
            true => self.planned.take(
                &[request.config.clone(), request.prior_state.clone()],
                self.provider.applies.now(),
            ),
            false => None,
        };
        if planned_reads.is_some() {
            tracing::debug!(
                resource = R::TYPE_NAME,
                "the apply starts from what its plan just read"
            );
        }
        self.provider.applies.advance();

        // What exists now: on a create, first what an interrupted create of this configuration
        // left (adopted, never duplicated).
        let mut adopted = None;
        if prior.is_none() {
            match resource.leftovers(&ctx, &config).await {
                Ok(leftovers) => {
                    diagnostics.extend(leftovers.warnings(R::TYPE_NAME));
                    adopted = leftovers.adopt.map(|(scope, name)| {
                        tracing::info!(
                            resource = R::TYPE_NAME,
                            adopting = name.as_str(),
                            "adopting what an interrupted apply made"
                        );
                        resource.adopted_scope(scope, &private.resource)
                    });
                }
                Err(error) => {
                    report(
                        &mut diagnostics,
                        &format!(
                            "Cannot look for what an interrupted apply of this {} made",
                            R::TYPE_NAME
                        ),
                        &error,
                    );
                    return keep_prior(diagnostics);
                }
            }
        }
        let scope =
            adopted.or_else(|| resource.scope(prior.as_ref(), &private.resource, Some(&config)));
        let observed = match &scope {
            Some(scope) => match resource.observe(&ctx, scope, Some(Stage::Apply)).await {
                Ok(Observed::Found(observed)) => Some(observed),
                Ok(Observed::Gone) => match resource.gone_at_apply(scope) {
                    Some(refused) => {
                        diagnostics.extend(refused);
                        return keep_prior(diagnostics);
                    }
                    None => None,
                },
                Err(error) => {
                    report(
                        &mut diagnostics,
                        &format!("Cannot read this {} before changing it", R::TYPE_NAME),
                        &error,
                    );
                    return keep_prior(diagnostics);
                }
            },
            None => None,
        };
        let observed = match observed {
            Some(observed) => observed,
            None => match resource
                .observe_missing(&ctx, scope.as_ref(), &config, planned_reads.as_ref())
                .await
            {
                Ok(observed) => observed,
                Err(error) => {
                    report(
                        &mut diagnostics,
                        &format!("Cannot read what this {} needs", R::TYPE_NAME),
                        &error,
                    );
                    return keep_prior(diagnostics);
                }
            },
        };

        // The checks again, every value known, before any change.
        let facts = match resource
            .facts(&ctx, Stage::Apply, &config, prior.as_ref(), Some(&observed))
            .await
        {
            Ok(facts) => facts,
            Err(error) => {
                report(
                    &mut diagnostics,
                    &format!("Cannot check this {}'s references", R::TYPE_NAME),
                    &error,
                );
                return keep_prior(diagnostics);
            }
        };
        let seen_at_plan = resource.plan_checked(&private.resource);
        let checks = resource.check(
            &config,
            &request.config,
            prior.as_ref(),
            Some(&facts),
            Stage::Apply,
        );
        let private_checks =
            resource.check_with_private(&config, &private.resource, prior.as_ref(), Some(&facts));
        for diagnostic in checks.0.into_iter().chain(private_checks.0) {
            if diagnostic.severity == Severity::Error || !seen_at_plan {
                diagnostics.0.push(diagnostic);
            }
        }
        if diagnostics.has_errors() {
            return keep_prior(diagnostics);
        }
        let desired =
            match resource.desired(&ctx, &config, &request.planned_state, &facts, &observed) {
                Ok(desired) => desired,
                Err(path) => {
                    diagnostics.error_at(
                        path,
                        "Value unknown at apply",
                        "Terraform sent a configuration with an unknown value to apply; this is a \
                     bug in the caller.",
                    );
                    return keep_prior(diagnostics);
                }
            };

        // The changes, recorded as AWS confirms them.
        let record = resource.record(observed, prior.as_ref(), Some(&desired));
        let plan = resource.operations(Some(&desired), &record);
        tracing::info!(
            resource = R::TYPE_NAME,
            operations = plan.len(),
            phases = plan.phases.len(),
            "applying"
        );
        let outcome = resource.execute(&ctx, record, plan).await;
        report_failures(&mut diagnostics, &outcome.failures, |op| {
            resource.describe(op, &outcome.record)
        });
        diagnostics.extend(resource.apply_errors(&outcome.record, Some(&desired)));
        diagnostics.extend(resource.apply_notes(&outcome.record));
        let (rendered, new_private) = resource.render(
            &ctx,
            &outcome.record,
            RenderInput {
                why: Render::Apply,
                prior: prior.as_ref(),
                echo: &request.planned_state,
                desired: Some(&desired),
                private: &private.resource,
            },
        );
        let private = Private {
            resource: new_private,
        }
        .encode();
        if diagnostics.has_errors() || !outcome.succeeded() {
            if prior.is_none() && resource.made_nothing(&outcome.record) {
                // A create that made nothing leaves nothing to save (or to taint).
                return ApplyResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    new_identity: Value::Null,
                    diagnostics,
                };
            }
            let new_identity = self
                .applied_identity(&ctx, request, &rendered, &mut diagnostics)
                .await;
            return ApplyResponse {
                new_state: rendered,
                private,
                new_identity,
                diagnostics,
            };
        }
        // Success: what was planned, with AWS's values where the plan did not know them. A
        // known planned value AWS contradicts is the provider's failure, never Terraform's
        // "inconsistent result": the state saved is then what AWS holds.
        let contradicted = contradictions(&request.planned_state, &rendered);
        if !contradicted.is_empty() {
            let paths: Vec<String> = contradicted.iter().map(ToString::to_string).collect();
            diagnostics.error(
                "Apply did not deliver what it planned",
                format!(
                    "After a successful apply, AWS holds something other than the plan at {}. \
                     The state saved is what AWS holds; plan again to see the difference. This \
                     is a bug in the provider; please report it.",
                    paths.join(", ")
                ),
            );
            let new_identity = self
                .applied_identity(&ctx, request, &rendered, &mut diagnostics)
                .await;
            return ApplyResponse {
                new_state: rendered,
                private,
                new_identity,
                diagnostics,
            };
        }
        let new_state = fill_unknowns(&request.planned_state, &rendered);
        let new_identity = self
            .applied_identity(&ctx, request, &new_state, &mut diagnostics)
            .await;
        ApplyResponse {
            new_state,
            private,
            new_identity,
            diagnostics,
        }
    }

    /// The identity of what an update or create left: wholly known (null when it cannot be
    /// told), and an update's unchanged from its plan's.
    async fn applied_identity(
        &self,
        ctx: &Ctx,
        request: &ApplyRequest,
        new_state: &Value,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let Some(place) = self.place(ctx).await else {
            return Self::kept_identity(request);
        };
        let identity = Self::identity_of(new_state, Some(&place));
        if !identity.is_wholly_known() {
            return Value::Null;
        }
        if !request.prior_state.is_null() {
            diagnostics.extend(Self::identity_changed(&request.planned_identity, &identity));
        }
        identity
    }

    /// The identity of an apply that leaves the prior state: the planned one, which for an
    /// update or destroy is the prior object's (nothing on a create).
    fn kept_identity(request: &ApplyRequest) -> Value {
        if request.prior_state.is_null() || !request.planned_identity.is_wholly_known() {
            return Value::Null;
        }
        request.planned_identity.clone()
    }

    async fn destroy(
        &self,
        request: &ApplyRequest,
        ctx: Ctx,
        prior: R::State,
        private: Private<R::Private>,
        mut diagnostics: Diagnostics,
    ) -> ApplyResponse {
        let keep_prior = |diagnostics| ApplyResponse {
            new_state: request.prior_state.clone(),
            private: request.planned_private.clone(),
            new_identity: Self::kept_identity(request),
            diagnostics,
        };
        let gone = |diagnostics| ApplyResponse {
            new_state: Value::Null,
            private: Vec::new(),
            new_identity: Value::Null,
            diagnostics,
        };
        let resource = &self.resource;
        let Some(scope) = resource.scope(Some(&prior), &private.resource, None) else {
            return gone(diagnostics);
        };
        let observed = match resource.observe(&ctx, &scope, None).await {
            Ok(Observed::Found(observed)) => observed,
            Ok(Observed::Gone) => return gone(diagnostics),
            Err(error) => {
                report(
                    &mut diagnostics,
                    &format!("Cannot read this {} before destroying it", R::TYPE_NAME),
                    &error,
                );
                return keep_prior(diagnostics);
            }
        };
        let record = resource.record(observed, Some(&prior), None);
        let plan = resource.operations(None, &record);
        tracing::info!(
            resource = R::TYPE_NAME,
            operations = plan.len(),
            phases = plan.phases.len(),
            "destroying"
        );
        let outcome = resource.execute(&ctx, record, plan).await;
        diagnostics.extend(resource.apply_notes(&outcome.record));
        if outcome.succeeded() {
            return gone(diagnostics);
        }
        report_failures(&mut diagnostics, &outcome.failures, |op| {
            resource.describe(op, &outcome.record)
        });
        diagnostics.extend(resource.apply_errors(&outcome.record, None));
        let (remaining, private) = resource.render(
            &ctx,
            &outcome.record,
            RenderInput {
                why: Render::Destroy,
                prior: Some(&prior),
                echo: &request.prior_state,
                desired: None,
                private: &private.resource,
            },
        );
        ApplyResponse {
            new_state: remaining,
            private: Private { resource: private }.encode(),
            new_identity: Self::kept_identity(request),
            diagnostics,
        }
    }
}

impl<R: ManagedResource> ResourceLifecycle<R> {
    /// A refresh: the read Terraform asks for (`confirm`: removing the unconfirmed marker of
    /// what it finds, as Terraform now holds it), or the read of a list result, which changes
    /// nothing.
    async fn refresh(&self, request: ReadRequest, confirm: bool) -> ReadResponse {
        let mut diagnostics = Diagnostics::new();
        let unchanged = |diagnostics| ReadResponse {
            new_state: request.current_state.clone(),
            private: request.private.clone(),
            new_identity: request.current_identity.clone(),
            diagnostics,
        };
        let gone = |diagnostics| ReadResponse {
            new_state: Value::Null,
            private: Vec::new(),
            new_identity: Value::Null,
            diagnostics,
        };
        let Some(Some(prior)) = Self::prior(&request.current_state, &mut diagnostics) else {
            return unchanged(diagnostics);
        };
        let Some(ctx) = self.ctx(R::READ_TIMEOUT, None, &request.cancel, &mut diagnostics) else {
            return unchanged(diagnostics);
        };
        let private = Private::<R::Private>::decode(&request.private);
        let resource = &self.resource;
        let Some(scope) = resource.scope(Some(&prior), &private.resource, None) else {
            return gone(diagnostics);
        };
        let epoch = self.provider.applies.now();
        match resource.observe(&ctx, &scope, None).await {
            Ok(Observed::Gone) => {
                // Not found because the provider now works elsewhere is not gone: a create in
                // the new place would leave the object behind, unmanaged.
                if !request.current_identity.is_null() {
                    let place = self.place(&ctx).await;
                    diagnostics.extend(Self::misplaced(&request.current_identity, place.as_ref()));
                    if diagnostics.has_errors() {
                        return unchanged(diagnostics);
                    }
                }
                tracing::info!(
                    resource = R::TYPE_NAME,
                    "the object this state points at is gone"
                );
                gone(diagnostics)
            }
            Ok(Observed::Found(observed)) => {
                let confirmed = match confirm {
                    true => resource.confirm(&ctx, &observed).await,
                    false => Ok(()),
                };
                if let Err(error) = confirmed {
                    diagnostics.warning(
                        "Not confirmed",
                        format!(
                            "This {} is saved, but the marker that lets a create adopt it after \
                             an interrupted apply could not be removed ({error}). The next \
                             refresh tries again.",
                            R::TYPE_NAME
                        ),
                    );
                }
                // A list's read is not followed by a plan of what it read.
                let kept = (R::REUSES_RECENT_READS && confirm).then(|| observed.clone());
                let record = resource.record(observed, Some(&prior), None);
                let (state, private) = resource.render(
                    &ctx,
                    &record,
                    RenderInput {
                        why: Render::Read,
                        prior: Some(&prior),
                        echo: &request.current_state,
                        desired: None,
                        private: &private.resource,
                    },
                );
                let new_identity = match self.place(&ctx).await {
                    Some(place) => {
                        let identity = Self::identity_of(&state, Some(&place));
                        let mut wrong = Self::misplaced(&request.current_identity, Some(&place));
                        if !wrong.has_errors() {
                            wrong = Self::identity_changed(&request.current_identity, &identity);
                        }
                        if wrong.has_errors() {
                            diagnostics.extend(wrong);
                            return unchanged(diagnostics);
                        }
                        identity
                    }
                    None => request.current_identity.clone(),
                };
                if let Some(observed) = kept {
                    // The plan that follows carries this state as its prior state.
                    self.refreshed.keep(vec![state.clone()], epoch, observed);
                }
                ReadResponse {
                    new_state: state,
                    private: Private { resource: private }.encode(),
                    new_identity,
                    diagnostics,
                }
            }
            Err(OpError::Aws(error)) if error.is_missing_credentials() => {
                diagnostics.warning(
                    "Not refreshed",
                    format!(
                        "{error}.\n\nThe state of this {} is used as it was last saved.",
                        R::TYPE_NAME
                    ),
                );
                unchanged(diagnostics)
            }
            Err(error) => {
                report(
                    &mut diagnostics,
                    &format!("Cannot read this {}", R::TYPE_NAME),
                    &error,
                );
                unchanged(diagnostics)
            }
        }
    }

    /// The hooks this lifecycle runs.
    pub(crate) fn hooks(&self) -> &R {
        &self.resource
    }

    /// What `terraform plan` makes of an `import` block naming `id`: the import, then the read
    /// right after it (which leaves the unconfirmed marker alone: nothing is managed yet).
    /// `state` is `None` when the object does not exist or on errors.
    pub(crate) async fn import_and_read(
        &self,
        id: &str,
        cancel: tokio_util::sync::CancellationToken,
    ) -> ImportedAndRead {
        let imported = self
            .import(ImportRequest {
                id: id.to_string(),
                identity: Value::Null,
                cancel: cancel.clone(),
            })
            .await;
        let mut diagnostics = imported.diagnostics;
        let Some(state) = imported.state.filter(|_| !diagnostics.has_errors()) else {
            return ImportedAndRead {
                state: None,
                identity: Value::Null,
                diagnostics,
            };
        };
        let read = self
            .refresh(
                ReadRequest {
                    current_state: state,
                    private: imported.private,
                    current_identity: imported.identity,
                    cancel,
                },
                false,
            )
            .await;
        diagnostics.extend(read.diagnostics);
        ImportedAndRead {
            state: (!read.new_state.is_null() && !diagnostics.has_errors())
                .then_some(read.new_state),
            identity: read.new_identity,
            diagnostics,
        }
    }
}

/// What [`ResourceLifecycle::import_and_read`] found.
pub(crate) struct ImportedAndRead {
    pub state: Option<Value>,
    pub identity: Value,
    pub diagnostics: Diagnostics,
}

#[async_trait]
impl<R: ManagedResource> Resource for ResourceLifecycle<R> {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        self.identity.as_ref()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(typed) = Self::parse::<R::Config>(config, "configuration", &mut diagnostics) {
            diagnostics.extend(self.resource.validate(&typed, config));
        }
        diagnostics
    }

    fn upgrade_state(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        super::upgrade::upgrade_state(
            R::TYPE_NAME,
            &self.schema,
            version,
            json,
            self.resource.upgrades(),
        )
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        self.refresh(request, true).await
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        let mut diagnostics = Diagnostics::new();
        let respond =
            |planned_state, requires_replace, planned_private, planned_identity, diagnostics| {
                PlanResponse {
                    planned_state,
                    requires_replace,
                    planned_private,
                    planned_identity,
                    diagnostics,
                }
            };
        if request.proposed_new_state.is_null() {
            return respond(
                Value::Null,
                Vec::new(),
                request.prior_private.clone(),
                request.prior_identity.clone(),
                diagnostics,
            );
        }
        let refuse = |diagnostics| {
            respond(
                request.proposed_new_state.clone(),
                Vec::new(),
                request.prior_private.clone(),
                request.prior_identity.clone(),
                diagnostics,
            )
        };
        let Some(config) =
            Self::parse::<R::Config>(&request.config, "configuration", &mut diagnostics)
        else {
            return refuse(diagnostics);
        };
        let Some(prior) = Self::prior(&request.prior_state, &mut diagnostics) else {
            return refuse(diagnostics);
        };
        let resource = &self.resource;
        diagnostics.extend(resource.validate(&config, &request.config));
        diagnostics.extend(resource.validate_transition(prior.as_ref(), &config, &request.config));
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        let private = Private::<R::Private>::decode(&request.prior_private);
        let ctx = self.ctx(
            R::PLAN_TIMEOUT,
            R::PLAN_RETRIES,
            &request.cancel,
            &mut diagnostics,
        );
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        let epoch = self.provider.applies.now();
        let refreshed = match (R::REUSES_RECENT_READS, &prior) {
            (true, Some(_)) => self
                .refreshed
                .take(std::slice::from_ref(&request.prior_state), epoch),
            _ => None,
        };
        if refreshed.is_some() {
            tracing::debug!(
                resource = R::TYPE_NAME,
                "the plan starts from what its refresh just read"
            );
        }
        let facts = match &ctx {
            None => None,
            Some(ctx) => match resource
                .facts(
                    ctx,
                    Stage::Plan,
                    &config,
                    prior.as_ref(),
                    refreshed.as_ref(),
                )
                .await
            {
                Ok(facts) => Some(facts),
                Err(error) => {
                    diagnostics.extend(resource.plan_read_failed(&error));
                    None
                }
            },
        };
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        // Where the provider works, when AWS could be read (an offline plan keeps the prior
        // identity).
        let place = match (&ctx, &facts) {
            (Some(ctx), Some(_)) => self.place(ctx).await,
            _ => None,
        };
        diagnostics.extend(Self::misplaced(&request.prior_identity, place.as_ref()));
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        if let (None, Some(ctx), Some(_)) = (&prior, &ctx, &facts) {
            match resource.leftovers(ctx, &config).await {
                Ok(leftovers) => diagnostics.extend(leftovers.warnings(R::TYPE_NAME)),
                // The apply looks again, and refuses to create if it cannot.
                Err(error) => tracing::warn!(
                    resource = R::TYPE_NAME,
                    error = %error,
                    "could not look for leftovers of an interrupted apply"
                ),
            }
        }
        diagnostics.extend(resource.check(
            &config,
            &request.config,
            prior.as_ref(),
            facts.as_ref(),
            Stage::Plan,
        ));
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        let input = PlanInput {
            config: &config,
            config_value: &request.config,
            proposed: &request.proposed_new_state,
            prior: prior.as_ref(),
            prior_value: &request.prior_state,
            private: &private.resource,
            facts: facts.as_ref(),
        };
        let planned_private = Private {
            resource: resource.planned_private(&input),
        };
        diagnostics.extend(resource.check_with_private(
            &config,
            &planned_private.resource,
            prior.as_ref(),
            facts.as_ref(),
        ));
        if diagnostics.has_errors() {
            return refuse(diagnostics);
        }
        let planned = resource.planned(ctx.as_ref(), input);
        let requires_replace = resource.requires_replace(prior.as_ref(), &config);
        // An update's identity is the prior object's. A partly unknown identity (a create
        // whose object id is not known yet) is left out: Terraform accepts one, but its plan
        // rendering fails on it ("Failed to marshal plan to json: value is not known").
        let mut planned_identity = Self::identity_of(&planned, place.as_ref());
        if prior.is_some() && requires_replace.is_empty() && !planned_identity.is_wholly_known() {
            planned_identity = match &request.prior_identity {
                Value::Null => Self::identity_of(&request.prior_state, place.as_ref()),
                known => known.clone(),
            };
        }
        if !planned_identity.is_wholly_known() {
            planned_identity = Value::Null;
        }
        if let (true, Some(facts)) = (R::REUSES_RECENT_READS, facts) {
            // The apply that follows carries the same configuration and prior state.
            self.planned.keep(
                vec![request.config.clone(), request.prior_state.clone()],
                epoch,
                facts,
            );
        }
        respond(
            planned,
            requires_replace,
            planned_private.encode(),
            planned_identity,
            diagnostics,
        )
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        let mut diagnostics = Diagnostics::new();
        let destroying = request.planned_state.is_null();
        let keep_prior = |diagnostics| ApplyResponse {
            new_state: request.prior_state.clone(),
            private: request.planned_private.clone(),
            new_identity: Self::kept_identity(&request),
            diagnostics,
        };
        let Some(prior) = Self::prior(&request.prior_state, &mut diagnostics) else {
            return keep_prior(diagnostics);
        };
        let operation = match (destroying, prior.is_none()) {
            (true, _) => Operation::Delete,
            (false, true) => Operation::Create,
            (false, false) => Operation::Update,
        };
        // A destroy's limit is the one saved in state; otherwise the one configured.
        let limits = timeouts::read(
            if destroying {
                &request.prior_state
            } else {
                &request.config
            },
            &mut diagnostics,
        );
        let private = Private::<R::Private>::decode(&request.planned_private);
        if destroying {
            let Some(prior) = prior else {
                return ApplyResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    new_identity: Value::Null,
                    diagnostics,
                };
            };
            let Some(ctx) = self.apply_ctx(limits.of(operation), &request.cancel, &mut diagnostics)
            else {
                return keep_prior(diagnostics);
            };
            // Every read made before this destroy is stale.
            self.provider.applies.advance();
            return self
                .destroy(&request, ctx, prior, private, diagnostics)
                .await;
        }
        let Some(config) =
            Self::parse::<R::Config>(&request.config, "configuration", &mut diagnostics)
        else {
            return keep_prior(diagnostics);
        };
        let Some(ctx) = self.apply_ctx(limits.of(operation), &request.cancel, &mut diagnostics)
        else {
            return keep_prior(diagnostics);
        };
        self.create_or_update(&request, ctx, config, prior, private, diagnostics)
            .await
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        let mut diagnostics = Diagnostics::new();
        let none = |diagnostics| ImportResponse {
            state: None,
            private: Vec::new(),
            identity: Value::Null,
            diagnostics,
        };
        let Some(ctx) = self.ctx(R::READ_TIMEOUT, None, &request.cancel, &mut diagnostics) else {
            if !diagnostics.has_errors() {
                diagnostics.error(
                    "Provider configuration unknown",
                    "An import reads AWS, which needs a provider configuration whose values are \
                     all known.",
                );
            }
            return none(diagnostics);
        };
        let place = self.place(&ctx).await;
        let id = match (R::IDENTITY, request.identity.is_null()) {
            (_, true) => request.id.trim().to_string(),
            (Some(declared), false) => {
                let Some(place) = &place else {
                    diagnostics.error(
                        "Cannot check the import identity",
                        format!(
                            "Importing a {} by identity needs the account of the provider's \
                             credentials, which STS GetCallerIdentity could not tell. Check \
                             the credentials, or import by id.",
                            R::TYPE_NAME
                        ),
                    );
                    return none(diagnostics);
                };
                match declared.import_target(&request.identity, place, R::TYPE_NAME) {
                    Ok(id) => id,
                    Err(errors) => {
                        diagnostics.extend(errors);
                        return none(diagnostics);
                    }
                }
            }
            (None, false) => {
                diagnostics.error(
                    "Import by identity not supported",
                    format!(
                        "A {} has no resource identity; import it by id.",
                        R::TYPE_NAME
                    ),
                );
                return none(diagnostics);
            }
        };
        match self.resource.import(&ctx, &id).await {
            Ok(imported) => {
                diagnostics.extend(imported.diagnostics);
                let identity = Self::identity_of(&imported.state, place.as_ref());
                ImportResponse {
                    identity: if identity.is_wholly_known() {
                        identity
                    } else {
                        Value::Null
                    },
                    state: Some(imported.state),
                    private: Private {
                        resource: imported.private,
                    }
                    .encode(),
                    diagnostics,
                }
            }
            Err(errors) => {
                diagnostics.extend(errors);
                none(diagnostics)
            }
        }
    }
}
