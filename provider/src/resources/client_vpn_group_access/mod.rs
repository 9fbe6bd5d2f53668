//! `migration_client_vpn_group_access`: Client VPN access per Active Directory group SID, never
//! "all groups", with the routes that make each authorized network reachable.
//!
//! The flow reads down the modules: [`schema`] → [`model`] (typed configuration) →
//! [`validate`] → [`observe`] (one call per kind of AWS object) → [`diff`] → [`plan`] (an
//! engine operation plan) → [`apply`] through the per-endpoint [`scheduler`], keeping the
//! [`record`] → [`state`]. The AWS calls are the shared Client VPN, subnet and directory
//! finders of [`crate::aws`]; [`import`] rebuilds a state from an existing endpoint.
//! `docs/design/client_vpn_group_access.md` explains the decisions.

pub(crate) mod apply;
pub(crate) mod diff;
pub(crate) mod facts;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod model;
pub(crate) mod observe;
pub(crate) mod observed;
pub(crate) mod ownership;
pub(crate) mod plan;
pub(crate) mod record;
pub(crate) mod scheduler;
pub(crate) mod schema;
pub(crate) mod state;
pub(crate) mod upgrade;
pub(crate) mod validate;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

use self::facts::{EndpointScope, Facts};
use self::model::{Config, Maybe};
use self::observed::Observation;
use self::plan::Op;
use self::record::Record;
use self::state::{State, known_access};
use crate::aws::retry::OpError;
use crate::engine::OperationPlan;
use crate::framework::context::Ctx;
use crate::framework::identity::Identity;
use crate::framework::resource::{
    Imported, ManagedResource, Observed, Outcome, PlanInput, RenderInput, Stage,
};
use crate::framework::timeouts;
use crate::framework::typed::{FromValue, Mismatch};
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Schema;

/// `migration_client_vpn_group_access`'s own logic, run by the framework's lifecycle.
#[derive(Default)]
pub(crate) struct ClientVpnGroupAccess;

/// The resource's private data. From a plan to its apply: whether the plan could run every
/// check (if not, the apply reports the warnings too, since the user has not seen them). Kept
/// with the state: whether `route_subnet_ids` was left unset, so that it follows the
/// endpoint's associations (a refresh brings it up to date), and the instance's ownership
/// token.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Planned {
    #[serde(default)]
    checked: bool,
    #[serde(default)]
    follows_associations: bool,
    /// Tells this instance's ownership tags from another's ([`ownership`]): made by the plan of
    /// a create (so a replacement gets a new one); by an import or the plan of a state without
    /// one (from before tokens, or whose private data Terraform dropped when the provider died
    /// during an apply), the one token claiming its groups if there is one
    /// ([`ownership::token_for`]); kept from then on. `None` until then: such a state owns only
    /// unclaimed SIDs and claims nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner_token: Option<String>,
}

impl FromValue for Config {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        Ok(Config::parse(value))
    }
}

impl FromValue for State {
    fn from_value(value: &Value) -> Result<Self, Mismatch> {
        State::from_value(value).ok_or_else(|| Mismatch::wrong("a state object"))
    }
}

#[async_trait]
impl ManagedResource for ClientVpnGroupAccess {
    const TYPE_NAME: &'static str = schema::TYPE_NAME;
    /// `client_vpn_endpoint_id`, the argument a configuration names the endpoint by (its `id`
    /// is the same value): one instance per endpoint.
    const IDENTITY: Option<Identity> = Some(Identity {
        attribute: "client_vpn_endpoint_id",
        state_attribute: "id",
        description: "The id of the Client VPN endpoint (`cvpn-endpoint-…`) whose \
                      authorization rules and routes this resource manages, as in its import id.",
    });
    /// Time limit of the reads done by plan, refresh and import.
    const READ_TIMEOUT: Duration = Duration::from_secs(10 * 60);
    const PLAN_TIMEOUT: Duration = Duration::from_secs(10 * 60);
    const PLAN_RETRIES: Option<u32> = None;

    type Config = Config;
    type State = State;
    type Private = Planned;
    type Scope = EndpointScope;
    type Observed = Observation;
    type Facts = Facts;
    type Desired = model::Access;
    type Record = Record;
    type Op = Op;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn upgrades(&self) -> &'static [fn(serde_json::Value) -> serde_json::Value] {
        &[upgrade::from_v0]
    }

    fn validate(&self, config: &Config, config_value: &Value) -> Diagnostics {
        let mut diagnostics = validate::check_config(config);
        timeouts::read(config_value, &mut diagnostics);
        diagnostics
    }

    fn requires_replace(&self, prior: Option<&State>, config: &Config) -> Vec<Path> {
        match (prior, config.endpoint_id.known()) {
            (Some(prior), Some(id)) if *id == prior.access.endpoint_id => Vec::new(),
            (Some(_), _) => vec![Path::root().attr("client_vpn_endpoint_id")],
            (None, _) => Vec::new(),
        }
    }

    fn scope(
        &self,
        prior: Option<&State>,
        private: &Planned,
        config: Option<&Config>,
    ) -> Option<EndpointScope> {
        match config {
            Some(config) => config
                .endpoint_id
                .known()
                .map(|id| EndpointScope::full(id, config)),
            None => prior.map(|p| {
                EndpointScope::refresh(&p.access.endpoint_id, private.follows_associations)
            }),
        }
        .map(|scope| scope.for_owner(private.owner_token.as_deref()))
    }

    async fn observe(
        &self,
        ctx: &Ctx,
        scope: &EndpointScope,
        _stage: Option<Stage>,
    ) -> Result<Observed<Observation>, OpError> {
        Ok(match scope.read(ctx).await? {
            Some(observation) => Observed::Found(observation),
            None => Observed::Gone,
        })
    }

    fn gone_at_apply(&self, scope: &EndpointScope) -> Option<Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        diagnostics.error_at(
            Path::root().attr("client_vpn_endpoint_id"),
            "Client VPN endpoint not found",
            format!(
                "Endpoint {} does not exist in this account and Region.",
                scope.endpoint_id
            ),
        );
        Some(diagnostics)
    }

    async fn observe_missing(
        &self,
        _ctx: &Ctx,
        _scope: Option<&EndpointScope>,
        _config: &Config,
        _planned: Option<&Facts>,
    ) -> Result<Observation, OpError> {
        // The endpoint ID is known at apply, so there is always an endpoint to observe.
        Err(OpError::Refused(
            "The Client VPN endpoint ID is unknown at apply".into(),
        ))
    }

    async fn facts(
        &self,
        ctx: &Ctx,
        stage: Stage,
        config: &Config,
        _prior: Option<&State>,
        observed: Option<&Observation>,
    ) -> Result<Facts, OpError> {
        facts::gather(ctx, stage, config, observed).await
    }

    fn check(
        &self,
        config: &Config,
        _config_value: &Value,
        _prior: Option<&State>,
        facts: Option<&Facts>,
        _stage: Stage,
    ) -> Diagnostics {
        facts::check(facts, config)
    }

    fn planned(&self, _ctx: Option<&Ctx>, input: PlanInput<'_, Self>) -> Value {
        let (resolved, observation) = match input.facts {
            Some(facts) => (facts.resolved.clone(), facts.observation.as_ref()),
            None => (BTreeMap::new(), None),
        };
        state::planned_value(
            input.proposed,
            input.prior,
            input.private.follows_associations,
            input.config,
            &resolved,
            observation,
            input.private.owner_token.as_deref(),
        )
    }

    fn planned_private(&self, input: &PlanInput<'_, Self>) -> Planned {
        let checked = input.facts.is_some_and(|facts| {
            facts.observation.is_some()
                && known_access(
                    input.config,
                    &facts.resolved,
                    facts.observation.as_ref(),
                    None,
                )
                .is_some()
        });
        Planned {
            checked,
            follows_associations: matches!(input.config.route_subnet_ids, Maybe::Known(None)),
            owner_token: Some(match (&input.private.owner_token, input.prior) {
                (Some(token), _) => token.clone(),
                (None, None) => ownership::new_token(),
                // A state without a token: made before tokens, or its private data lost with
                // a provider killed during an apply.
                (None, Some(prior)) => match input.facts.and_then(|f| f.observation.as_ref()) {
                    Some(observation) => {
                        ownership::token_for(&observation.endpoint.tags, &prior.owned_sids())
                    }
                    None => ownership::new_token(),
                },
            }),
        }
    }

    fn check_with_private(
        &self,
        config: &Config,
        private: &Planned,
        prior: Option<&State>,
        facts: Option<&Facts>,
    ) -> Diagnostics {
        facts::check_managed(facts, config, private.owner_token.as_deref(), prior)
    }

    fn plan_checked(&self, private: &Planned) -> bool {
        private.checked
    }

    fn desired(
        &self,
        _ctx: &Ctx,
        config: &Config,
        planned: &Value,
        facts: &Facts,
        observed: &Observation,
    ) -> Result<model::Access, Path> {
        state::desired_access(config, planned, &facts.resolved, observed).ok_or_else(Path::root)
    }

    fn record(
        &self,
        observation: Observation,
        prior: Option<&State>,
        desired: Option<&model::Access>,
    ) -> Record {
        Record::start(observation, prior, desired)
    }

    fn operations(&self, _desired: Option<&model::Access>, record: &Record) -> OperationPlan<Op> {
        plan::operations_owned(&record.changes, &record.handover)
    }

    async fn execute(
        &self,
        ctx: &Ctx,
        record: Record,
        plan: OperationPlan<Op>,
    ) -> Outcome<Record, Op> {
        apply::run(ctx, record, plan).await
    }

    fn describe(&self, op: &Op, record: &Record) -> String {
        plan::describe(op, &record.groups)
    }

    fn apply_errors(&self, record: &Record, _desired: Option<&model::Access>) -> Diagnostics {
        record.unrepairable()
    }

    fn apply_notes(&self, record: &Record) -> Diagnostics {
        record
            .handover
            .left_warning(&record.observation.endpoint.id)
    }

    fn render(
        &self,
        _ctx: &Ctx,
        record: &Record,
        input: RenderInput<'_, Self>,
    ) -> (Value, Planned) {
        record.render(input)
    }

    fn made_nothing(&self, record: &Record) -> bool {
        record.is_empty()
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<Imported<Planned>, Diagnostics> {
        import::import(ctx, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::private::Private;

    #[test]
    fn private_plan_data_round_trips_and_tolerates_garbage() {
        let bytes = Private {
            resource: Planned {
                checked: true,
                follows_associations: false,
                owner_token: Some("token".into()),
            },
        }
        .encode();
        assert!(Private::<Planned>::decode(&bytes).resource.checked);
        assert_eq!(
            Private::<Planned>::decode(&bytes)
                .resource
                .owner_token
                .as_deref(),
            Some("token")
        );
        // Release 0.1.0 wrote the section alone.
        assert!(
            Private::<Planned>::decode(br#"{"checked":true}"#)
                .resource
                .checked
        );
        assert!(!Private::<Planned>::decode(b"not json").resource.checked);
        assert!(!Private::<Planned>::decode(&[]).resource.checked);
    }
}
