//! `migration_replication_staging_area`: the replication side of a migration, where AWS
//! Application Migration Service (MGN) runs the replication servers that receive the source
//! servers' disks. In a staging VPC it makes the replication servers' security group (TCP
//! 1500 in from the source networks, 443 out), NAT gateways (one shared, or one per
//! Availability Zone) with their Elastic IPs and each staging subnet's default route to its
//! NAT gateway (MGN, EC2 and S3 on 443), and the MGN replication configuration template that
//! puts the servers there.
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

use std::collections::BTreeSet;

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
        // The NAT subnets, whichever attribute names them: a NAT gateway is one per NAT
        // subnet either way (an import of one NAT gateway reads `nat_subnet_id`).
        if let Maybe::Known(nats) = config.nat_subnets() {
            let stored: BTreeSet<String> = prior
                .nat_subnet_ids
                .iter()
                .flatten()
                .chain(prior.nat_subnet_id.iter())
                .cloned()
                .collect();
            if nats != stored {
                paths.push(Path::root().attr(if config.per_zone() {
                    "nat_subnet_ids"
                } else {
                    "nat_subnet_id"
                }));
            }
        }
        // NAT mode adds and removes a staging subnet's default route in place; private mode's
        // interface endpoints take their subnets when they are made.
        if let (Maybe::Known(additional), Maybe::Known(mode)) =
            (&config.additional_staging_subnet_ids, config.mode())
            && mode != "NAT"
            && additional.clone().unwrap_or_default()
                != prior
                    .additional_staging_subnet_ids
                    .clone()
                    .unwrap_or_default()
        {
            paths.push(Path::root().attr("additional_staging_subnet_ids"));
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
        let stored_nats = |p: &Stored| -> (BTreeSet<String>, bool) {
            match (&p.nat_subnet_ids, &p.nat_subnet_id) {
                (Some(per_zone), _) => (per_zone.clone(), true),
                (None, one) => (one.iter().cloned().collect(), false),
            }
        };
        match config {
            Some(config) => {
                let (nat_subnet_ids, per_zone) = match config.nat_subnets() {
                    Maybe::Known(nats) => (nats, config.per_zone()),
                    Maybe::Unknown => prior.map(stored_nats).unwrap_or_default(),
                };
                Some(Scope {
                    vpc_id: known(&config.vpc_id, prior.and_then(|p| p.vpc_id.as_ref())),
                    staging_subnet_id: known(
                        &config.staging_subnet_id,
                        prior.and_then(|p| p.staging_subnet_id.as_ref()),
                    ),
                    // The configured ones and the stored ones: a staging subnet removed
                    // from the configuration loses its default route.
                    additional_staging_subnet_ids: config
                        .additional_staging_subnet_ids
                        .known()
                        .cloned()
                        .flatten()
                        .into_iter()
                        .chain(prior.and_then(|p| p.additional_staging_subnet_ids.clone()))
                        .flatten()
                        .collect(),
                    nat_subnet_ids,
                    per_zone,
                    template_id,
                })
            }
            None => {
                let vpc_id = stored(|p| p.vpc_id.as_ref()).unwrap_or_default();
                if vpc_id.is_empty() && !(private.discover && template_id.is_some()) {
                    return None;
                }
                let (nat_subnet_ids, per_zone) = prior.map(stored_nats).unwrap_or_default();
                Some(Scope {
                    vpc_id,
                    staging_subnet_id: stored(|p| p.staging_subnet_id.as_ref()).unwrap_or_default(),
                    additional_staging_subnet_ids: prior
                        .and_then(|p| p.additional_staging_subnet_ids.clone())
                        .unwrap_or_default(),
                    nat_subnet_ids,
                    per_zone,
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
        let (Maybe::Known(vpc_id), Maybe::Known(staging), Maybe::Known(more), Maybe::Known(nats)) = (
            &config.vpc_id,
            &config.staging_subnet_id,
            &config.additional_staging_subnet_ids,
            config.nat_subnets(),
        ) else {
            return Ok(Leftovers::default());
        };
        let scope = Scope {
            vpc_id: vpc_id.clone(),
            staging_subnet_id: staging.clone(),
            additional_staging_subnet_ids: more.clone().unwrap_or_default(),
            nat_subnet_ids: nats,
            per_zone: config.per_zone(),
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
        let nats = match (stage, &config.vpc_id) {
            (Stage::Apply, _) => observed
                .map(|a| a.nats.iter().map(|n| n.id.clone()).collect())
                .unwrap_or_default(),
            (Stage::Plan, Maybe::Known(vpc_id)) => observe::own_nats(&ctx.aws(), vpc_id).await?,
            (Stage::Plan, Maybe::Unknown) => BTreeSet::new(),
        };
        let creating = match stage {
            Stage::Apply => observed.is_none_or(Area::is_empty),
            Stage::Plan => prior.is_none(),
        };
        let mut facts = checks::read(&ctx.aws(), config, nats, creating).await?;
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
            &facts.zones(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::FromValue;
    use crate::resources::replication_staging_area::model::tests::{
        config_value, per_zone_changes, set,
    };

    fn stored(changes: &[(&str, Value)]) -> Stored {
        let mut value = config_value(changes);
        if let Value::Object(attributes) = &mut value {
            attributes.insert("network_mode".into(), Value::string("NAT"));
        }
        Stored::from_value(&value).unwrap()
    }

    fn replaced(prior: &Stored, changes: &[(&str, Value)]) -> Vec<String> {
        let config = Config::from_value(&config_value(changes)).unwrap();
        ReplicationStagingArea
            .requires_replace(Some(prior), &config)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn nat_subnets_replace_only_when_the_set_changes_and_staging_subnets_change_in_nat_mode() {
        let per_zone = stored(&per_zone_changes());
        assert_eq!(
            replaced(&per_zone, &per_zone_changes()),
            Vec::<String>::new()
        );
        let mut fewer = per_zone_changes();
        fewer.push(("nat_subnet_ids", set(&["subnet-p"])));
        assert_eq!(replaced(&per_zone, &fewer), vec!["nat_subnet_ids"]);
        // A shared NAT gateway in subnet-p is the one per-zone NAT gateway of subnet-p.
        let shared = stored(&[]);
        let mut one_zone = fewer.clone();
        one_zone.push(("additional_staging_subnet_ids", Value::Null));
        assert_eq!(replaced(&shared, &one_zone), Vec::<String>::new());
        assert_eq!(
            replaced(&shared, &per_zone_changes()),
            vec!["nat_subnet_ids"]
        );
        // More staging subnets: in place in NAT mode, a replacement in private mode.
        let more = [("additional_staging_subnet_ids", set(&["subnet-t"]))];
        assert_eq!(replaced(&shared, &more), Vec::<String>::new());
        let private = |extra: &[(&'static str, Value)]| {
            let mut changes = vec![
                ("network_mode", Value::string("PRIVATE")),
                ("nat_subnet_id", Value::Null),
            ];
            changes.extend(extra.iter().cloned());
            changes
        };
        let mut prior = stored(&private(&[]));
        prior.network_mode = Some("PRIVATE".into());
        assert_eq!(
            replaced(&prior, &private(&more)),
            vec!["additional_staging_subnet_ids"]
        );
        assert_eq!(replaced(&prior, &private(&[])), Vec::<String>::new());
    }
}
