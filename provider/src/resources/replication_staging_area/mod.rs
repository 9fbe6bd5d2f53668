//! `migration_replication_staging_area`: the replication side of a migration, where AWS
//! Application Migration Service (MGN) runs the replication servers that receive the source
//! servers' disks. In a staging VPC it makes the replication servers' security group (TCP
//! 1500 in from the source networks, 443 out), a NAT gateway with its Elastic IP and the
//! staging subnet's default route to it (MGN, EC2 and S3 on 443), and the MGN replication
//! configuration template that puts the servers there.
//!
//! The flow reads down the modules: [`schema`] → [`model`] (typed configuration, offline
//! checks, defaults) → [`observe`] (what exists, by ownership tags, and crash safety) →
//! [`checks`] (plan-time checks) → [`plan`] (pure, ordered operations) → [`apply`] → [`state`].

pub(crate) mod apply;
pub(crate) mod checks;
pub(crate) mod hub_path;
pub(crate) mod model;
pub(crate) mod observe;
pub(crate) mod plan;
pub(crate) mod schema;
pub(crate) mod state;

use async_trait::async_trait;

use self::checks::Facts;
use self::model::{Config, Desired};
use self::observe::{Area, Scope};
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

/// `migration_replication_staging_area`'s own logic, run by the framework's lifecycle.
#[derive(Default)]
pub(crate) struct ReplicationStagingArea;

/// The staging area's private data: right after an import, the next read discovers the
/// arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct StagingPrivate {
    #[serde(default)]
    pub discover: bool,
}

fn known(value: &Maybe<String>, stored: Option<&String>) -> String {
    value.known().or(stored).cloned().unwrap_or_default()
}

#[async_trait]
impl ManagedResource for ReplicationStagingArea {
    const TYPE_NAME: &'static str = schema::TYPE_NAME;
    /// The template's id, as the `id` attribute and the import id: the object MGN knows the
    /// staging area by.
    const IDENTITY: Option<Identity> = Some(Identity {
        attribute: "id",
        state_attribute: "id",
        description: "The id of the staging area's MGN replication configuration template \
                      (`rct-…`), as in its import id.",
    });

    type Config = Config;
    type State = Stored;
    type Private = StagingPrivate;
    type Scope = Scope;
    type Observed = Area;
    type Facts = Facts;
    type Desired = Desired;
    type Record = Area;
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
        let mut paths: Vec<Path> = [
            ("vpc_id", &config.vpc_id, &prior.vpc_id),
            (
                "staging_subnet_id",
                &config.staging_subnet_id,
                &prior.staging_subnet_id,
            ),
        ]
        .into_iter()
        .filter(|(_, configured, stored)| configured.known() != stored.as_ref())
        .map(|(name, _, _)| Path::root().attr(name))
        .collect();
        if let Maybe::Known(nat) = &config.nat_subnet_id
            && nat != &prior.nat_subnet_id
        {
            paths.push(Path::root().attr("nat_subnet_id"));
        }
        if let Maybe::Known(mode) = config.mode()
            && prior.network_mode.as_ref().is_some_and(|m| m != &mode)
        {
            paths.push(Path::root().attr("network_mode"));
        }
        paths
    }

    fn scope(
        &self,
        prior: Option<&Stored>,
        private: &StagingPrivate,
        config: Option<&Config>,
    ) -> Option<Scope> {
        let stored = |f: fn(&Stored) -> Option<&String>| prior.and_then(f).cloned();
        let template_id = prior.and_then(|p| p.id.clone());
        match config {
            Some(config) => Some(Scope {
                vpc_id: known(&config.vpc_id, prior.and_then(|p| p.vpc_id.as_ref())),
                staging_subnet_id: known(
                    &config.staging_subnet_id,
                    prior.and_then(|p| p.staging_subnet_id.as_ref()),
                ),
                nat_subnet_id: config
                    .nat_subnet_id
                    .known()
                    .cloned()
                    .flatten()
                    .or_else(|| prior.and_then(|p| p.nat_subnet_id.clone()))
                    .unwrap_or_default(),
                template_id,
            }),
            None => {
                let vpc_id = stored(|p| p.vpc_id.as_ref()).unwrap_or_default();
                if vpc_id.is_empty() && !(private.discover && template_id.is_some()) {
                    return None;
                }
                Some(Scope {
                    vpc_id,
                    staging_subnet_id: stored(|p| p.staging_subnet_id.as_ref()).unwrap_or_default(),
                    nat_subnet_id: stored(|p| p.nat_subnet_id.as_ref()).unwrap_or_default(),
                    template_id,
                })
            }
        }
    }

    async fn observe(
        &self,
        ctx: &Ctx,
        scope: &Scope,
        _stage: Option<Stage>,
    ) -> Result<Observed<Area>, OpError> {
        observe::area(&ctx.aws(), scope).await
    }

    async fn leftovers(&self, ctx: &Ctx, config: &Config) -> Result<Leftovers<Scope>, OpError> {
        let (Maybe::Known(vpc_id), Maybe::Known(staging), Maybe::Known(nat)) = (
            &config.vpc_id,
            &config.staging_subnet_id,
            &config.nat_subnet_id,
        ) else {
            return Ok(Leftovers::default());
        };
        let scope = Scope {
            vpc_id: vpc_id.clone(),
            staging_subnet_id: staging.clone(),
            nat_subnet_id: nat.clone().unwrap_or_default(),
            template_id: None,
        };
        observe::leftovers(&ctx.aws(), &scope).await
    }

    async fn confirm(&self, ctx: &Ctx, observed: &Area) -> Result<(), OpError> {
        observe::confirm(&ctx.aws(), observed).await
    }

    async fn observe_missing(
        &self,
        ctx: &Ctx,
        scope: Option<&Scope>,
        _config: &Config,
        _planned: Option<&Facts>,
    ) -> Result<Area, OpError> {
        observe::missing(&ctx.aws(), &scope.cloned().unwrap_or_default()).await
    }

    async fn facts(
        &self,
        ctx: &Ctx,
        stage: Stage,
        config: &Config,
        prior: Option<&Stored>,
        observed: Option<&Area>,
    ) -> Result<Facts, OpError> {
        let nat = match stage {
            Stage::Apply => observed.and_then(|a| a.nat.as_ref().map(|n| n.id.clone())),
            Stage::Plan => match (prior.and_then(|p| p.nat_gateway_id.clone()), &config.vpc_id) {
                (Some(nat), _) => Some(nat),
                (None, Maybe::Known(vpc_id)) => observe::own_nat(&ctx.aws(), vpc_id).await?,
                (None, Maybe::Unknown) => None,
            },
        };
        let creating = match stage {
            Stage::Apply => observed.is_none_or(Area::is_empty),
            Stage::Plan => prior.is_none(),
        };
        let mut facts = checks::read(&ctx.aws(), config, nat, creating).await?;
        facts.applying = matches!(stage, Stage::Apply);
        Ok(facts)
    }

    fn check(
        &self,
        config: &Config,
        _config_value: &Value,
        _prior: Option<&Stored>,
        facts: Option<&Facts>,
        _stage: Stage,
    ) -> Diagnostics {
        facts.map_or_else(Diagnostics::new, |facts| checks::check(config, facts))
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

    fn desired(
        &self,
        ctx: &Ctx,
        config: &Config,
        _planned: &Value,
        facts: &Facts,
        _observed: &Area,
    ) -> Result<Desired, Path> {
        config.desired(
            ctx.default_tags(),
            &ctx.clients.region,
            &facts.vpc_cidrs,
            facts.hub_sources().as_ref(),
        )
    }

    fn record(&self, observed: Area, _prior: Option<&Stored>, _desired: Option<&Desired>) -> Area {
        observed
    }

    fn operations(&self, desired: Option<&Desired>, record: &Area) -> OperationPlan<Op> {
        plan::operations(desired, record)
    }

    async fn execute(&self, ctx: &Ctx, record: Area, plan: OperationPlan<Op>) -> Outcome<Area, Op> {
        apply::run(ctx, record, plan).await
    }

    fn describe(&self, op: &Op, record: &Area) -> String {
        plan::describe(op, record)
    }

    fn render(
        &self,
        _ctx: &Ctx,
        record: &Area,
        input: RenderInput<'_, Self>,
    ) -> (Value, StagingPrivate) {
        state::render(record, input)
    }

    fn made_nothing(&self, record: &Area) -> bool {
        record.is_empty()
    }

    /// `terraform import migration_replication_staging_area.NAME rct-…`: the state names the
    /// template, and the read right after it finds the rest by the template's owner tag (the
    /// VPC) and discovers the arguments.
    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Imported<StagingPrivate>, Diagnostics> {
        if id.strip_prefix("rct-").is_none_or(str::is_empty) {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Invalid import id",
                format!(
                    "{id:?} is not a replication configuration template id. Import a \
                     migration_replication_staging_area by the id of its MGN template: \
                     terraform import migration_replication_staging_area.staging \
                     rct-0123456789abcdef0"
                ),
            );
            return Err(diagnostics);
        }
        Ok(Imported {
            state: Value::object([("id", Value::string(id))]),
            private: StagingPrivate { discover: true },
            diagnostics: Diagnostics::new(),
        })
    }
}
