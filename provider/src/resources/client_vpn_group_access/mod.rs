//! `migration_client_vpn_group_access`: Client VPN access per Active Directory group SID, never
//! "all groups", with the routes that make each authorized network reachable.
//!
//! The flow reads down the modules: [`schema`] → [`model`] (typed configuration) →
//! [`validate`] → [`observe`] (one call per kind of AWS object) → [`diff`] → [`plan`] (an
//! engine operation plan) → [`apply`] through the per-endpoint [`scheduler`] → [`state`]. The
//! AWS calls are in [`aws`]; [`import`] rebuilds a state from an existing endpoint.
//! `docs/design-client-vpn-group-access.md` explains the decisions.

pub mod apply;
pub mod aws;
pub mod diff;
pub mod import;
pub mod model;
pub mod observe;
pub mod plan;
pub mod scheduler;
pub mod schema;
pub mod state;
pub mod upgrade;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use self::model::{Config, Maybe};
use self::observe::{Observation, Scope};
use self::plan::Op;
use self::state::{Progress, State, known_access};
use crate::aws::retry::{Budget, OpError};
use crate::config::clients::AwsClients;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::{Diagnostics, Severity};
use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::protocol::schema::Schema;
use crate::provider::ProviderState;
use crate::resources::shared;

/// Time limit of the reads done by plan, refresh and import.
const READ_TIMEOUT: Duration = Duration::from_secs(10 * 60);

pub struct ClientVpnGroupAccess {
    provider: Arc<ProviderState>,
    schema: Schema,
}

impl ClientVpnGroupAccess {
    pub fn new(provider: Arc<ProviderState>) -> Self {
        Self {
            provider,
            schema: schema::schema(),
        }
    }
}

/// Private data a plan hands to its apply: whether the plan could run every check (if not,
/// the apply reports the warnings too, since the user has not seen them).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Planned {
    checked: bool,
}

fn private_of(bytes: &[u8]) -> Planned {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// Which group a SID belongs to, for messages.
fn group_of(access_groups: &BTreeMap<String, model::Group>, sid: &str) -> String {
    access_groups
        .iter()
        .find(|(_, g)| g.sid == sid)
        .map(|(key, _)| format!("group {key:?}"))
        .unwrap_or_else(|| format!("the group with SID {sid}"))
}

fn describe_op(op: &Op, groups: &BTreeMap<String, model::Group>) -> String {
    match op {
        Op::Revoke(k) | Op::AwaitRuleGone(k) => {
            format!("Cannot revoke {} for {}", k.cidr, group_of(groups, &k.sid))
        }
        Op::Authorize(k, _) | Op::AwaitRuleActive(k, _) => {
            format!(
                "Cannot authorize {} for {}",
                k.cidr,
                group_of(groups, &k.sid)
            )
        }
        Op::DeleteRoute(k) | Op::AwaitRouteGone(k) => format!(
            "Cannot delete the route to {} through {}",
            k.destination, k.subnet_id
        ),
        Op::CreateRoute(k) | Op::AwaitRouteActive(k) => format!(
            "Cannot create the route to {} through {}",
            k.destination, k.subnet_id
        ),
    }
}

/// Reports the failures of a run: a stop or timeout once, other errors each (up to a few).
fn report_failures(
    diagnostics: &mut Diagnostics,
    outcome: &apply::Outcome,
    groups: &BTreeMap<String, model::Group>,
) {
    const SHOWN: usize = 5;
    let failures = &outcome.report.failures;
    if let Some((_, error)) = failures
        .iter()
        .find(|(_, e)| matches!(e, OpError::Cancelled | OpError::Timeout(_)))
    {
        let summary = match error {
            OpError::Cancelled => "Apply stopped",
            _ => "Apply timed out",
        };
        shared::report(diagnostics, summary, error);
    }
    let others: Vec<&(Op, OpError)> = failures
        .iter()
        .filter(|(_, e)| !matches!(e, OpError::Cancelled | OpError::Timeout(_)))
        .collect();
    for (op, error) in others.iter().take(SHOWN) {
        shared::report(diagnostics, &describe_op(op, groups), error);
    }
    if others.len() > SHOWN {
        diagnostics.error(
            "More operations failed",
            format!(
                "{} more operations failed the same way or were stopped; see the errors above.",
                others.len() - SHOWN
            ),
        );
    }
}

impl ClientVpnGroupAccess {
    /// The observation a plan or apply needs: everything, including the directory.
    async fn observe_all(
        aws: &AwsClients,
        budget: &Budget,
        config: &Config,
        endpoint_id: &str,
    ) -> Result<Option<Observation>, OpError> {
        let directory = match &config.directory_id {
            Maybe::Known(configured) => Some(configured.as_deref()),
            // Unknown until apply: the directory check waits for it.
            Maybe::Unknown => None,
        };
        let subnets: Vec<String> = match &config.route_subnet_ids {
            Maybe::Known(Some(ids)) => ids.iter().cloned().collect(),
            _ => Vec::new(),
        };
        observe::observe(
            aws,
            budget,
            endpoint_id,
            Scope {
                associations: true,
                directory,
                subnets: &subnets,
            },
        )
        .await
    }

    async fn create_or_update(&self, request: &ApplyRequest) -> ApplyResponse {
        let config = Config::parse(&request.config);
        let prior = State::from_value(&request.prior_state);
        let keep = || prior.as_ref().map_or(Value::Null, |p| p.to_value());
        let mut diagnostics = Diagnostics::new();
        let timeouts = shared::timeouts(&request.planned_state, &mut diagnostics);
        let timeout = if prior.is_some() {
            timeouts.update
        } else {
            timeouts.create
        };
        let Some(aws) = shared::clients(&self.provider, &mut diagnostics) else {
            diagnostics.error(
                "Provider configuration unknown at apply",
                "The provider block still has unknown values; apply again once they are known.",
            );
            return applied(keep(), diagnostics);
        };
        let Maybe::Known(endpoint_id) = config.endpoint_id.clone() else {
            diagnostics.error_at(
                Path::root().attr("client_vpn_endpoint_id"),
                "Endpoint ID unknown at apply",
                "The endpoint ID must be known when the apply runs.",
            );
            return applied(keep(), diagnostics);
        };
        let budget = shared::budget(&aws, timeout, &request.cancel);
        let observation = match Self::observe_all(&aws, &budget, &config, &endpoint_id).await {
            Ok(Some(observation)) => observation,
            Ok(None) => {
                diagnostics.error_at(
                    Path::root().attr("client_vpn_endpoint_id"),
                    "Client VPN endpoint not found",
                    format!("Endpoint {endpoint_id} does not exist in this account and Region."),
                );
                return applied(keep(), diagnostics);
            }
            Err(error) => {
                shared::report(
                    &mut diagnostics,
                    "Cannot read the Client VPN endpoint",
                    &error,
                );
                return applied(keep(), diagnostics);
            }
        };
        let (resolved, problems) =
            match observe::resolve_names(&aws, &budget, &config, &observation).await {
                Ok(found) => found,
                Err(error) => {
                    shared::report(&mut diagnostics, "Cannot look up group names", &error);
                    return applied(keep(), diagnostics);
                }
            };
        let mut checks = validate::check_names(&config, &problems, &resolved);
        checks.extend(validate::check_against_aws(&validate::Context {
            config: &config,
            resolved: &resolved,
            observation: Some(&observation),
            owned_sids: prior.as_ref().map(State::owned_sids).unwrap_or_default(),
            owned_routes: prior.as_ref().map(State::owned_routes).unwrap_or_default(),
            stage: validate::Stage::Apply,
        }));
        let seen_at_plan = private_of(&request.planned_private).checked;
        for diagnostic in checks.0 {
            if diagnostic.severity == Severity::Error || !seen_at_plan {
                diagnostics.0.push(diagnostic);
            }
        }
        if diagnostics.has_errors() {
            return applied(keep(), diagnostics);
        }
        let Some(access) = known_access(&config, &resolved, Some(&observation)) else {
            diagnostics.error(
                "Configuration still unknown at apply",
                "Some values of the configuration are still unknown; this is a bug in the \
                 caller (Terraform knows every value when it applies).",
            );
            return applied(keep(), diagnostics);
        };
        let mut owned_sids: BTreeSet<String> =
            prior.as_ref().map(State::owned_sids).unwrap_or_default();
        owned_sids.extend(access.groups.values().map(|g| g.sid.clone()));
        let mut owned_routes = prior.as_ref().map(State::owned_routes).unwrap_or_default();
        owned_routes.extend(access.routes());
        let changes = diff::diff(
            &access.rules(),
            &access.routes(),
            &owned_sids,
            &owned_routes,
            &observation.rules,
            &observation.routes,
        );
        let progress = Progress::observed(
            &observation,
            &owned_sids,
            &owned_routes,
            &changes.released_routes,
        );
        let outcome = self
            .execute(&aws, &endpoint_id, budget, &observation, &changes, progress)
            .await;
        let timeouts_value = request
            .planned_state
            .attr("timeouts")
            .cloned()
            .unwrap_or(Value::Null);
        let new_state = outcome.progress.state(
            &access,
            prior.as_ref(),
            Some(observation.endpoint.client_cidr_block.clone()),
            timeouts_value,
        );
        report_failures(&mut diagnostics, &outcome, &access.groups);
        for (route, why) in &changes.unrepairable_routes {
            diagnostics.error_at(
                Path::root().attr("route_subnet_ids"),
                "Route cannot be repaired",
                format!(
                    "The route to {} through {} was added by associating the subnet and is \
                     failed ({why}); only disassociating and associating the subnet again \
                     re-creates it.",
                    route.destination, route.subnet_id
                ),
            );
        }
        let nothing_made = outcome.progress.rules.is_empty() && outcome.progress.routes.is_empty();
        if diagnostics.has_errors() && prior.is_none() && nothing_made {
            // A create that made nothing leaves nothing to save (or to taint).
            return applied(Value::Null, diagnostics);
        }
        applied(new_state.to_value(), diagnostics)
    }

    async fn execute(
        &self,
        aws: &Arc<AwsClients>,
        endpoint_id: &str,
        budget: Budget,
        observation: &Observation,
        changes: &diff::Changes,
        progress: Progress,
    ) -> apply::Outcome {
        let started = tokio::time::Instant::now();
        let scheduler = Arc::new(scheduler::Scheduler::start(
            Arc::new(aws::Ec2Endpoint {
                aws: aws.clone(),
                endpoint_id: endpoint_id.to_string(),
            }),
            aws.governor.clone(),
            endpoint_id,
            budget,
        ));
        let outcome = apply::execute(scheduler.clone(), observation, changes, progress).await;
        tracing::info!(
            endpoint = endpoint_id,
            mutations = changes.mutation_count(),
            completed = outcome.report.completed,
            failed = outcome.report.failures.len(),
            polls = scheduler.polls(),
            seconds = started.elapsed().as_secs_f64(),
            "Client VPN changes applied"
        );
        outcome
    }

    async fn destroy(&self, request: &ApplyRequest) -> ApplyResponse {
        let Some(prior) = State::from_value(&request.prior_state) else {
            return ApplyResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics: Diagnostics::new(),
            };
        };
        let mut diagnostics = Diagnostics::new();
        let timeouts = shared::timeouts(&request.prior_state, &mut diagnostics);
        let Some(aws) = shared::clients(&self.provider, &mut diagnostics) else {
            diagnostics.error(
                "Provider configuration unknown at apply",
                "The provider block still has unknown values; apply again once they are known.",
            );
            return applied(prior.to_value(), diagnostics);
        };
        let budget = shared::budget(&aws, timeouts.delete, &request.cancel);
        let endpoint_id = prior.access.endpoint_id.clone();
        let observation =
            match observe::observe(&aws, &budget, &endpoint_id, Scope::minimal()).await {
                // The endpoint is gone, and its rules and routes with it.
                Ok(None) => return applied(Value::Null, diagnostics),
                Ok(Some(observation)) => observation,
                Err(error) => {
                    shared::report(
                        &mut diagnostics,
                        "Cannot read the Client VPN endpoint",
                        &error,
                    );
                    return applied(prior.to_value(), diagnostics);
                }
            };
        let owned_sids = prior.owned_sids();
        let owned_routes = prior.owned_routes();
        let changes = diff::diff(
            &BTreeMap::new(),
            &BTreeSet::new(),
            &owned_sids,
            &owned_routes,
            &observation.rules,
            &observation.routes,
        );
        let progress = Progress::observed(
            &observation,
            &owned_sids,
            &owned_routes,
            &changes.released_routes,
        );
        let outcome = self
            .execute(&aws, &endpoint_id, budget, &observation, &changes, progress)
            .await;
        if outcome.report.succeeded() {
            return applied(Value::Null, diagnostics);
        }
        report_failures(&mut diagnostics, &outcome, &prior.access.groups);
        let remaining = outcome.progress.state(
            &prior.access,
            Some(&prior),
            prior.client_cidr_block.clone(),
            prior.timeouts.clone(),
        );
        applied(remaining.to_value(), diagnostics)
    }
}

/// An apply response: what exists now (null once destroyed), and the diagnostics.
fn applied(new_state: Value, diagnostics: Diagnostics) -> ApplyResponse {
    ApplyResponse {
        new_state,
        private: Vec::new(),
        diagnostics,
    }
}

#[async_trait]
impl Resource for ClientVpnGroupAccess {
    fn type_name(&self) -> &'static str {
        schema::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = validate::check_config(&Config::parse(config));
        shared::timeouts(config, &mut diagnostics);
        diagnostics
    }

    fn upgrade_state(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        shared::upgrade_state(
            schema::TYPE_NAME,
            &self.schema,
            version,
            json,
            &[upgrade::from_v0],
        )
    }

    async fn read(&self, request: ReadRequest) -> ReadResponse {
        let mut diagnostics = Diagnostics::new();
        let unchanged = |diagnostics| ReadResponse {
            new_state: request.current_state.clone(),
            private: request.private.clone(),
            diagnostics,
        };
        let Some(state) = State::from_value(&request.current_state) else {
            return unchanged(diagnostics);
        };
        let Some(aws) = shared::clients(&self.provider, &mut diagnostics) else {
            return unchanged(diagnostics);
        };
        let budget = shared::budget(&aws, READ_TIMEOUT, &request.cancel);
        match observe::observe(&aws, &budget, &state.access.endpoint_id, Scope::minimal()).await {
            Ok(Some(observation)) => ReadResponse {
                new_state: state.refreshed(&observation).to_value(),
                private: request.private,
                diagnostics,
            },
            Ok(None) => ReadResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics,
            },
            Err(OpError::Aws(error)) if error.is_missing_credentials() => {
                diagnostics.warning(
                    "Not refreshed",
                    format!(
                        "{error}.\n\nThe state of {} is used as it was last saved.",
                        state.access.endpoint_id
                    ),
                );
                unchanged(diagnostics)
            }
            Err(error) => {
                shared::report(
                    &mut diagnostics,
                    "Cannot read the Client VPN endpoint",
                    &error,
                );
                unchanged(diagnostics)
            }
        }
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        let respond =
            |planned_state: Value, requires_replace, checked: bool, diagnostics| PlanResponse {
                planned_state,
                requires_replace,
                planned_private: serde_json::to_vec(&Planned { checked }).unwrap_or_default(),
                diagnostics,
            };
        if request.proposed_new_state.is_null() {
            return respond(Value::Null, Vec::new(), true, Diagnostics::new());
        }
        let config = Config::parse(&request.config);
        let mut diagnostics = validate::check_config(&config);
        shared::timeouts(&request.config, &mut diagnostics);
        if diagnostics.has_errors() {
            return respond(request.proposed_new_state, Vec::new(), false, diagnostics);
        }
        let prior = State::from_value(&request.prior_state);
        let aws = shared::clients(&self.provider, &mut diagnostics);
        let mut resolved = BTreeMap::new();
        let mut observation = None;
        if let (Some(aws), Maybe::Known(endpoint_id)) = (&aws, &config.endpoint_id) {
            let budget = shared::budget(aws, READ_TIMEOUT, &request.cancel);
            match Self::observe_all(aws, &budget, &config, endpoint_id).await {
                Ok(Some(found)) => observation = Some(found),
                Ok(None) => {
                    diagnostics.error_at(
                        Path::root().attr("client_vpn_endpoint_id"),
                        "Client VPN endpoint not found",
                        format!(
                            "Endpoint {endpoint_id} does not exist in this account and Region. \
                             Check the ID and the provider's `region`."
                        ),
                    );
                }
                Err(OpError::Aws(error)) if error.is_missing_credentials() => {
                    diagnostics.warning(
                        "Planned without AWS access",
                        format!(
                            "{error}.\n\nOnly the checks that need no AWS access ran; values \
                             that depend on the endpoint are known after apply, and the apply \
                             checks the rest."
                        ),
                    );
                }
                Err(error) => shared::report(
                    &mut diagnostics,
                    "Cannot read the Client VPN endpoint",
                    &error,
                ),
            }
            if let Some(observation) = &observation {
                match observe::resolve_names(aws, &budget, &config, observation).await {
                    Ok((found, problems)) => {
                        diagnostics.extend(validate::check_names(&config, &problems, &found));
                        resolved = found;
                    }
                    Err(error) => {
                        shared::report(&mut diagnostics, "Cannot look up group names", &error)
                    }
                }
            }
        }
        if diagnostics.has_errors() {
            return respond(request.proposed_new_state, Vec::new(), false, diagnostics);
        }
        diagnostics.extend(validate::check_against_aws(&validate::Context {
            config: &config,
            resolved: &resolved,
            observation: observation.as_ref(),
            owned_sids: prior.as_ref().map(State::owned_sids).unwrap_or_default(),
            owned_routes: prior.as_ref().map(State::owned_routes).unwrap_or_default(),
            stage: validate::Stage::Plan,
        }));
        let planned = state::planned_value(
            &request.proposed_new_state,
            prior.as_ref(),
            &config,
            &resolved,
            observation.as_ref(),
        );
        let replace = match (&prior, config.endpoint_id.known()) {
            (Some(prior), Some(id)) if *id == prior.access.endpoint_id => Vec::new(),
            (Some(_), _) => vec![Path::root().attr("client_vpn_endpoint_id")],
            (None, _) => Vec::new(),
        };
        let checked = observation.is_some()
            && known_access(&config, &resolved, observation.as_ref()).is_some();
        respond(planned, replace, checked, diagnostics)
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        if request.planned_state.is_null() {
            self.destroy(&request).await
        } else {
            self.create_or_update(&request).await
        }
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        let mut diagnostics = Diagnostics::new();
        let none = |diagnostics| ImportResponse {
            state: None,
            private: Vec::new(),
            diagnostics,
        };
        let id = request.id.trim().to_string();
        let probe = Config {
            endpoint_id: Maybe::Known(id.clone()),
            directory_id: Maybe::Known(None),
            groups: Maybe::Known(BTreeMap::new()),
            route_subnet_ids: Maybe::Known(None),
            manage_routes: Maybe::Known(true),
            allow_internet: Maybe::Known(false),
        };
        if validate::check_config(&probe).has_errors() {
            diagnostics.error(
                "Invalid import ID",
                format!(
                    "{id:?} is not a Client VPN endpoint ID. Import with the endpoint's ID: \
                     `terraform import migration_client_vpn_group_access.<name> \
                     cvpn-endpoint-0123456789abcdef0`."
                ),
            );
            return none(diagnostics);
        }
        let Some(aws) = shared::clients(&self.provider, &mut diagnostics) else {
            return none(diagnostics);
        };
        let budget = shared::budget(&aws, READ_TIMEOUT, &request.cancel);
        let scope = Scope {
            associations: true,
            directory: None,
            subnets: &[],
        };
        match observe::observe(&aws, &budget, &id, scope).await {
            Ok(Some(observation)) => {
                let (state, warnings) = import::imported_state(&observation);
                diagnostics.extend(warnings);
                ImportResponse {
                    state: Some(state.to_value()),
                    private: Vec::new(),
                    diagnostics,
                }
            }
            Ok(None) => {
                diagnostics.error(
                    "Cannot import non-existent remote object",
                    format!("Client VPN endpoint {id} does not exist in this account and Region."),
                );
                none(diagnostics)
            }
            Err(error) => {
                shared::report(
                    &mut diagnostics,
                    "Cannot read the Client VPN endpoint",
                    &error,
                );
                none(diagnostics)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_plan_data_round_trips_and_tolerates_garbage() {
        let bytes = serde_json::to_vec(&Planned { checked: true }).unwrap();
        assert!(private_of(&bytes).checked);
        assert!(!private_of(b"not json").checked);
        assert!(!private_of(&[]).checked);
    }
}
