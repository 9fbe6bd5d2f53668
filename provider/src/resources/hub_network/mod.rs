pub(crate) mod apply;
pub(crate) mod diff;
pub(crate) mod effects;
pub(crate) mod facts;
pub(crate) mod handover;
pub(crate) mod import;
pub(crate) mod leftovers;
pub(crate) mod list;
pub(crate) mod mesh;
pub(crate) mod model;
pub(crate) mod observe;
pub(crate) mod plan;
pub(crate) mod schema;
pub(crate) mod spokes;
pub(crate) mod state;
pub(crate) mod stored;
pub(crate) mod topology;
pub(crate) mod upgrade;
pub(crate) mod validate;

#[cfg(test)]
mod properties;

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use self::facts::RefreshCache;
use self::model::{Config, Desired};
use self::observe::Scope;
use self::plan::HubOp;
use self::state::Applied;
use self::stored::Stored;
use self::topology::Topology;
use self::validate::LiveFacts;
use crate::aws::retry::OpError;
use crate::engine::OperationPlan;
use crate::framework::context::Ctx;
use crate::framework::identity::Identity;
use crate::framework::resource::{
    Imported, Leftovers, ManagedResource, Observed, Outcome, PlanInput, RenderInput, Stage,
};
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Schema;

/// `migration_hub_network`'s own logic, run by the framework's lifecycle.
#[derive(Default)]
pub(crate) struct HubNetwork {
    refreshed: RefreshCache,
}

/// The hub's private data: what the last apply set (a refresh overwrites the attributes with
/// what AWS reports), and, right after an import, that the next read discovers the hub.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct HubPrivate {
    #[serde(flatten)]
    pub applied: Applied,
    #[serde(default)]
    pub discover: bool,
    /// What the hub route table learned from other accounts' attachments (attachment id →
    /// the CIDRs it propagated): see `spokes`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub learned: BTreeMap<String, BTreeSet<String>>,
}

#[async_trait]
impl ManagedResource for HubNetwork {
    const TYPE_NAME: &'static str = model::TYPE_NAME;
    /// `id`, as the hub's `id` attribute and import id (and `aws_ec2_transit_gateway`'s
    /// identity) call the Transit Gateway id.
    const IDENTITY: Option<Identity> = Some(Identity {
        attribute: "id",
        state_attribute: "id",
        description: "The id of the hub's Transit Gateway (`tgw-…`), as in its import id.",
    });

    type Config = Config;
    type State = Stored;
    type Private = HubPrivate;
    type Scope = Scope;
    type Observed = Topology;
    type Facts = LiveFacts;
    type Desired = Desired;
    type Record = Topology;
    type Op = HubOp;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn upgrades(&self) -> &'static [fn(serde_json::Value) -> serde_json::Value] {
        &[upgrade::from_v0]
    }

    fn validate(&self, _config: &Config, config_value: &Value) -> Diagnostics {
        validate::offline(config_value)
    }

    fn validate_transition(
        &self,
        prior: Option<&Stored>,
        _config: &Config,
        config_value: &Value,
    ) -> Diagnostics {
        validate::transition(prior, config_value)
    }

    fn scope(
        &self,
        prior: Option<&Stored>,
        private: &HubPrivate,
        config: Option<&Config>,
    ) -> Option<Scope> {
        let mut scope = Scope::of(prior, config, private.discover);
        scope.learned = private.learned.clone();
        // A read of a state that names no Transit Gateway finds nothing.
        (config.is_some() || !scope.tgw_id.is_empty()).then_some(scope)
    }

    async fn observe(
        &self,
        ctx: &Ctx,
        scope: &Scope,
        stage: Option<Stage>,
    ) -> Result<Observed<Topology>, OpError> {
        let observed = observe::hub(&ctx.aws(), scope).await?;
        if let (Observed::Found(topology), None) = (&observed, stage) {
            self.refreshed.remember(scope, topology);
        }
        Ok(observed)
    }

    async fn leftovers(&self, ctx: &Ctx, config: &Config) -> Result<Leftovers<Scope>, OpError> {
        match config.desired(ctx.default_tags()) {
            Ok(desired) => leftovers::find(&ctx.aws(), config, &desired).await,
            // Unknown values (at plan): the apply looks, with everything known.
            Err(_) => Ok(Leftovers::default()),
        }
    }

    async fn confirm(&self, ctx: &Ctx, observed: &Topology) -> Result<(), OpError> {
        leftovers::confirm(&ctx.aws(), observed).await
    }

    /// A hub being created (or whose Transit Gateway is gone) starts from its networks.
    async fn observe_missing(
        &self,
        ctx: &Ctx,
        scope: Option<&Scope>,
        _config: &Config,
        _planned: Option<&LiveFacts>,
    ) -> Result<Topology, OpError> {
        observe::surroundings(&ctx.aws(), scope).await
    }

    async fn facts(
        &self,
        ctx: &Ctx,
        stage: Stage,
        config: &Config,
        prior: Option<&Stored>,
        observed: Option<&Topology>,
    ) -> Result<LiveFacts, OpError> {
        match (stage, observed) {
            (Stage::Apply, Some(topology)) => match config.desired(ctx.default_tags()) {
                Ok(desired) => facts::at_apply(&ctx.aws(), &desired, topology).await,
                // Reported by `desired` right after the checks.
                Err(_) => Ok(LiveFacts::default()),
            },
            _ => facts::at_plan(&ctx.aws(), &self.refreshed, config, prior).await,
        }
    }

    fn check(
        &self,
        _config: &Config,
        config_value: &Value,
        _prior: Option<&Stored>,
        facts: Option<&LiveFacts>,
        _stage: Stage,
    ) -> Diagnostics {
        facts.map_or_else(Diagnostics::new, |facts| {
            validate::live(config_value, facts)
        })
    }

    fn planned(&self, ctx: Option<&Ctx>, input: PlanInput<'_, Self>) -> Value {
        state::planned(
            input.config_value,
            input.prior_value,
            input.facts,
            ctx.map(Ctx::default_tags),
        )
    }

    fn desired(
        &self,
        ctx: &Ctx,
        config: &Config,
        _planned: &Value,
        facts: &LiveFacts,
        observed: &Topology,
    ) -> Result<Desired, Path> {
        let mut desired = config.desired(ctx.default_tags())?;
        desired.take_over_from = handover::hubs_to_take_over_from(
            &desired.name,
            desired.take_over,
            facts.new_hub,
            &facts.other_hubs,
        );
        if let (Some(dc), Some(associations)) =
            (&desired.data_center, &facts.direct_connect_associations)
            && let model::Link::DirectConnect {
                allowed_prefixes, ..
            } = &dc.link
        {
            let ours = allowed_prefixes
                .clone()
                .unwrap_or_else(|| diff::all_vpc_cidrs(&desired, observed));
            // The associations of hubs this one takes over from (its previous instance, or any
            // with take_over); an unknown gateway's only with take_over.
            desired.release_direct_connect =
                handover::prefixes_in_the_way(associations, facts.tgw_id.as_deref(), &ours)
                    .into_iter()
                    .filter(|blocked| {
                        desired.take_over
                            || desired
                                .take_over_from
                                .contains_key(&blocked.transit_gateway_id)
                    })
                    .map(|blocked| blocked.association_id)
                    .collect();
        }
        Ok(desired)
    }

    fn record(
        &self,
        mut observed: Topology,
        prior: Option<&Stored>,
        desired: Option<&Desired>,
    ) -> Topology {
        if let (None, Some(prior)) = (desired, prior) {
            // A destroy: what it leaves because another hub took it over.
            observed.left_to_others =
                handover::left_to_others(&handover::stored_routes(prior), &observed);
            for left in &observed.left_to_others {
                tracing::info!(
                    route_table = left.route_table_id.as_str(),
                    destination = left.destination.as_str(),
                    now_routes_to = left.target.as_str(),
                    "left in place: another Transit Gateway owns this route now (taken over)"
                );
            }
        }
        observed
    }

    fn apply_notes(&self, record: &Topology) -> Diagnostics {
        handover::left_warning(&record.left_to_others)
    }

    fn operations(&self, desired: Option<&Desired>, record: &Topology) -> OperationPlan<HubOp> {
        plan::plan(diff::diff(desired, record))
    }

    async fn execute(
        &self,
        ctx: &Ctx,
        record: Topology,
        plan: OperationPlan<HubOp>,
    ) -> Outcome<Topology, HubOp> {
        let outcome = apply::run(
            apply::LiveHubAws::of(ctx),
            ctx.budget.clone(),
            &ctx.budget.cancel,
            record,
            plan,
        )
        .await;
        Outcome {
            record: outcome.topology,
            failures: outcome.failures,
            not_started: outcome.not_started,
        }
    }

    fn describe(&self, op: &HubOp, _record: &Topology) -> String {
        format!("{} failed", apply::describe(op))
    }

    fn render(
        &self,
        ctx: &Ctx,
        record: &Topology,
        input: RenderInput<'_, Self>,
    ) -> (Value, HubPrivate) {
        state::render_with_intent(record, input, ctx.default_tags())
    }

    fn made_nothing(&self, record: &Topology) -> bool {
        record.tgw.is_none()
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Imported<HubPrivate>, Diagnostics> {
        import::import(id)
    }
}
