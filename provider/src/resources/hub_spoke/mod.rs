//! `migration_hub_spoke`: a spoke account's side of the migration hub. Run with the spoke
//! account's provider configuration, it joins the hub's shared Transit Gateway (accepting the
//! RAM invitation when there is one), attaches one VPC, waits until the attachment is really
//! `available`, and routes the VPC's route tables to the hub's networks.
//!
//! The flow reads down the modules: [`schema`] → [`model`] (typed configuration, offline
//! checks, subnet choice) → [`observe`] (what the spoke account sees, and crash safety) →
//! [`checks`] (plan-time checks) → [`plan`] (pure, ordered operations) → [`apply`] → [`state`].
//! `docs/design/hub_spoke.md` explains the decisions.

pub(crate) mod apply;
pub(crate) mod checks;
pub(crate) mod list;
pub(crate) mod model;
pub(crate) mod observe;
pub(crate) mod ownership;
pub(crate) mod plan;
pub(crate) mod schema;
pub(crate) mod state;

use std::collections::BTreeSet;

use async_trait::async_trait;

use self::checks::Facts;
use self::model::{Config, Desired};
use self::observe::{Scope, Spoke};
use self::plan::Op;
use self::state::Stored;
use crate::aws::retry::OpError;
use crate::engine::OperationPlan;
use crate::framework::context::Ctx;
use crate::framework::identity::Identity;
use crate::framework::resource::{
    Imported, Leftovers, ManagedResource, Observed, Outcome, PlanInput, RenderInput, Stage,
};
use crate::framework::typed::Maybe;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::Schema;

/// `migration_hub_spoke`'s own logic, run by the framework's lifecycle.
#[derive(Default)]
pub(crate) struct HubSpoke;

/// The spoke's private data: right after an import, the next read discovers the arguments;
/// and the instance's ownership token ([`ownership`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SpokePrivate {
    #[serde(default)]
    pub discover: bool,
    /// Tells this instance's attachment from another's: minted by the plan of a create (so a
    /// replacement gets a new one), kept from then on. A state without one (from before tokens,
    /// an import, or private data Terraform dropped when the provider died during an apply)
    /// carries on as the owner its attachment's claim names, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_token: Option<String>,
}

#[async_trait]
impl ManagedResource for HubSpoke {
    const TYPE_NAME: &'static str = schema::TYPE_NAME;
    /// The VPC attachment's id, as the spoke's `id` attribute and import id: the one object
    /// that is the spoke's own (the gateway is the hub's).
    const IDENTITY: Option<Identity> = Some(Identity {
        attribute: "id",
        state_attribute: "id",
        description: "The id of the spoke's Transit Gateway VPC attachment (`tgw-attach-…`), as in \
                      its import id.",
    });

    /// A no-op plan would otherwise read the gateway, VPC, subnets and route tables twice
    /// (refresh, then the checks), and a create's apply again right after its re-plan.
    const REUSES_RECENT_READS: bool = true;

    type Config = Config;
    type State = Stored;
    type Private = SpokePrivate;
    type Scope = Scope;
    type Observed = Spoke;
    type Facts = Facts;
    type Desired = Desired;
    type Record = Spoke;
    type Op = Op;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Config, config_value: &Value) -> Diagnostics {
        model::validate(config, config_value)
    }

    fn requires_replace(&self, prior: Option<&Stored>, config: &Config) -> Vec<Path> {
        let Some(prior) = prior else {
            return Vec::new();
        };
        let mut paths = Vec::new();
        for (name, configured, stored) in [
            (
                "transit_gateway_id",
                &config.transit_gateway_id,
                &prior.transit_gateway_id,
            ),
            ("vpc_id", &config.vpc_id, &prior.vpc_id),
        ] {
            if configured.known() != stored.as_ref() {
                paths.push(Path::root().attr(name));
            }
        }
        paths
    }

    fn scope(
        &self,
        prior: Option<&Stored>,
        private: &SpokePrivate,
        config: Option<&Config>,
    ) -> Option<Scope> {
        let attachment_id = prior.and_then(|p| p.id.clone()).unwrap_or_default();
        let mut route_tables: BTreeSet<String> =
            prior.map(Stored::route_tables).unwrap_or_default();
        let known = |value: &Maybe<String>, stored: Option<&String>| {
            value.known().or(stored).cloned().unwrap_or_default()
        };
        match config {
            Some(config) => {
                route_tables.extend(config.route_tables().known().cloned().unwrap_or_default());
                Some(Scope {
                    attachment_id,
                    tgw_id: known(
                        &config.transit_gateway_id,
                        prior.and_then(|p| p.transit_gateway_id.as_ref()),
                    ),
                    vpc_id: known(&config.vpc_id, prior.and_then(|p| p.vpc_id.as_ref())),
                    route_tables,
                    discover: false,
                    owner_token: private.owner_token.clone(),
                })
            }
            None => (!attachment_id.is_empty()).then(|| Scope {
                attachment_id,
                tgw_id: String::new(),
                vpc_id: String::new(),
                route_tables,
                discover: private.discover,
                owner_token: private.owner_token.clone(),
            }),
        }
    }

    async fn observe(
        &self,
        ctx: &Ctx,
        scope: &Scope,
        _stage: Option<Stage>,
    ) -> Result<Observed<Spoke>, OpError> {
        if scope.attachment_id.is_empty() {
            return Ok(Observed::Gone);
        }
        observe::spoke(&ctx.aws(), scope, None).await
    }

    async fn leftovers(&self, ctx: &Ctx, config: &Config) -> Result<Leftovers<Scope>, OpError> {
        let (Maybe::Known(tgw_id), Maybe::Known(vpc_id)) =
            (&config.transit_gateway_id, &config.vpc_id)
        else {
            return Ok(Leftovers::default());
        };
        let scope = Scope {
            tgw_id: tgw_id.clone(),
            vpc_id: vpc_id.clone(),
            route_tables: config.route_tables().known().cloned().unwrap_or_default(),
            ..Scope::default()
        };
        observe::leftovers(&ctx.aws(), &scope).await
    }

    async fn confirm(&self, ctx: &Ctx, observed: &Spoke) -> Result<(), OpError> {
        observe::confirm(&ctx.aws(), observed).await
    }

    /// A spoke being created (or whose attachment is gone) starts from its surroundings: the
    /// ones its plan read moments ago in this process when they may be reused
    /// (`framework::recent`), else read now. It refuses to attach a VPC that already has an
    /// attachment to the gateway it did not make. A create that finds another spoke's
    /// attachment starts from it instead (AWS would refuse a second one): the ownership check
    /// then refuses it unless `take_over` is set ([`ownership`]). The VPC's attachments are
    /// listed unless the plan moments ago in this process listed them (a create's).
    async fn observe_missing(
        &self,
        ctx: &Ctx,
        scope: Option<&Scope>,
        _config: &Config,
        planned: Option<&Facts>,
    ) -> Result<Spoke, OpError> {
        let scope = scope.cloned().unwrap_or_default();
        let aws = ctx.aws();
        let existing = match planned.filter(|_| scope.attachment_id.is_empty()) {
            Some(facts) => facts.attachment.clone(),
            None => observe::existing_attachment(&aws, &scope.tgw_id, &scope.vpc_id).await?,
        };
        if let Some(existing) = &existing
            && (!scope.attachment_id.is_empty() || !ownership::made_by_a_spoke(existing))
        {
            return Err(observe::refuse_existing(existing, &scope));
        }
        let mut spoke =
            observe::surroundings_from(&aws, &scope, planned.map(|facts| &facts.spoke)).await?;
        spoke.attachment = existing;
        Ok(spoke)
    }

    async fn facts(
        &self,
        ctx: &Ctx,
        stage: Stage,
        config: &Config,
        prior: Option<&Stored>,
        observed: Option<&Spoke>,
    ) -> Result<Facts, OpError> {
        let account_id = ctx.clients.account_id.clone();
        match (stage, observed) {
            // At apply the observation has everything the checks read; the share itself is
            // the join's to settle (it accepts, then waits).
            (Stage::Apply, Some(spoke)) => Ok(Facts {
                spoke: spoke.clone(),
                account_id,
                invitations: None,
                attachment: spoke.attachment.clone(),
            }),
            // At plan, `observed` is the refresh that just read this spoke, if any.
            _ => {
                let aws = ctx.aws();
                let mut facts = checks::at_plan(&aws, account_id, config, observed).await?;
                facts.attachment =
                    observe::attachment_to_own(&aws, config, prior, observed).await?;
                Ok(facts)
            }
        }
    }

    fn check(
        &self,
        config: &Config,
        _config_value: &Value,
        _prior: Option<&Stored>,
        facts: Option<&Facts>,
        stage: Stage,
    ) -> Diagnostics {
        facts.map_or_else(Diagnostics::new, |facts| {
            checks::check(config, facts, stage)
        })
    }

    /// A create gets a new token, except on the first plan of a replacement: Terraform hands it
    /// the replaced instance's private data, and applies the replaced instance's destroy with
    /// the private data that plan returns, so the replaced token must stay there for that
    /// destroy to recognise its own attachment (the create itself is planned again during the
    /// apply, without it, and gets a new token then). An existing instance keeps its own, or
    /// carries on as the owner its attachment's claim names (see [`SpokePrivate::owner_token`]).
    fn planned_private(&self, input: &PlanInput<'_, Self>) -> SpokePrivate {
        let mut private = input.private.clone();
        if input.prior.is_none() {
            private.owner_token = private
                .owner_token
                .or_else(|| Some(crate::framework::owner::new_token()));
            return private;
        }
        if private.owner_token.is_none() {
            private.owner_token = Some(
                input
                    .facts
                    .and_then(|facts| facts.attachment.as_ref())
                    .and_then(ownership::claim)
                    .map_or_else(crate::framework::owner::new_token, |claim| claim.token),
            );
        }
        private
    }

    fn check_with_private(
        &self,
        config: &Config,
        private: &SpokePrivate,
        prior: Option<&Stored>,
        facts: Option<&Facts>,
    ) -> Diagnostics {
        match facts.and_then(|facts| facts.attachment.as_ref()) {
            Some(attachment) => ownership::check(
                attachment,
                &ownership::Standing {
                    mine: private.owner_token.as_deref(),
                    creating: prior.is_none(),
                    take_over: config.take_over.known().map(|t| t.unwrap_or(false)),
                },
            ),
            None => Diagnostics::new(),
        }
    }

    fn planned(&self, ctx: Option<&Ctx>, input: PlanInput<'_, Self>) -> Value {
        state::planned(
            input.config,
            input.config_value,
            input.prior,
            input.facts,
            ctx.map(Ctx::default_tags),
        )
    }

    /// The attachment's tags include this instance's claim: kept as it is when the attachment
    /// is already this instance's, else written now (a create, a take-over, or a state from
    /// before tokens).
    fn desired(
        &self,
        ctx: &Ctx,
        config: &Config,
        _planned: &Value,
        _facts: &Facts,
        observed: &Spoke,
    ) -> Result<Desired, Path> {
        let mut desired = config.desired(ctx.default_tags(), &observed.subnets)?;
        let current = observed
            .attachment
            .as_ref()
            .and_then(|a| a.tags.get(ownership::OWNER_TOKEN_TAG));
        let claim = match (&observed.owner_token, current) {
            (Some(mine), Some(value)) if value.split_whitespace().next() == Some(mine.as_str()) => {
                Some(value.clone())
            }
            (Some(mine), _) => Some(crate::framework::owner::claim_value(
                mine,
                time::OffsetDateTime::now_utc(),
            )),
            (None, current) => current.cloned(),
        };
        if let Some(claim) = claim {
            desired
                .tags
                .insert(ownership::OWNER_TOKEN_TAG.into(), claim);
        }
        Ok(desired)
    }

    /// An existing instance whose attachment another instance has taken over leaves it, and its
    /// routes, on a destroy, and on an apply unless told to take it back (`take_over`).
    fn record(
        &self,
        mut observed: Spoke,
        prior: Option<&Stored>,
        desired: Option<&Desired>,
    ) -> Spoke {
        if observed.invitation.is_none() {
            observed.invitation = prior.and_then(|p| p.share_invitation_arn.clone());
        }
        observed.leaving = prior.is_some()
            && !desired.is_some_and(|d| d.take_over)
            && observed.attachment.as_ref().is_some_and(|attachment| {
                ownership::others(attachment, observed.owner_token.as_deref(), false).is_some()
            });
        observed
    }

    fn operations(&self, desired: Option<&Desired>, record: &Spoke) -> OperationPlan<Op> {
        if record.leaving {
            return OperationPlan::default();
        }
        plan::operations(desired, record)
    }

    fn apply_notes(&self, record: &Spoke) -> Diagnostics {
        match record.attachment.as_ref().filter(|_| record.leaving) {
            Some(attachment) => {
                ownership::left_warning(attachment, ownership::claim(attachment).as_ref())
            }
            None => Diagnostics::new(),
        }
    }

    fn adopted_scope(&self, mut scope: Scope, private: &SpokePrivate) -> Scope {
        scope.owner_token = private.owner_token.clone();
        scope
    }

    async fn execute(
        &self,
        ctx: &Ctx,
        record: Spoke,
        plan: OperationPlan<Op>,
    ) -> Outcome<Spoke, Op> {
        apply::run(ctx, record, plan).await
    }

    fn describe(&self, op: &Op, record: &Spoke) -> String {
        plan::describe(op, record)
    }

    fn render(
        &self,
        _ctx: &Ctx,
        record: &Spoke,
        input: RenderInput<'_, Self>,
    ) -> (Value, SpokePrivate) {
        state::render(record, input)
    }

    fn made_nothing(&self, record: &Spoke) -> bool {
        record.attachment.is_none()
    }

    /// `terraform import migration_hub_spoke.NAME tgw-attach-…`: the state names the
    /// attachment, and the read right after it discovers the gateway, the VPC, the route
    /// tables routing to the gateway and their destinations.
    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Imported<SpokePrivate>, Diagnostics> {
        let id = id.trim();
        if id.strip_prefix("tgw-attach-").is_none_or(str::is_empty) {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Invalid import id",
                format!(
                    "{id:?} is not a Transit Gateway attachment id. Import a migration_hub_spoke \
                     by the id of its VPC attachment: terraform import migration_hub_spoke.spoke \
                     tgw-attach-0123456789abcdef0"
                ),
            );
            return Err(diagnostics);
        }
        Ok(Imported {
            state: Value::object([("id", Value::string(id))]),
            private: SpokePrivate {
                discover: true,
                ..SpokePrivate::default()
            },
            diagnostics: Diagnostics::new(),
        })
    }
}
