//! `migration_hub_network`: a Transit Gateway hub shared over RAM, its VPC attachments, the
//! data center over Direct Connect or VPN, route propagation and a full mesh of VPC routes, as
//! one resource.
//!
//! The flow reads down the modules: [`schema`] → [`model`] (typed configuration) →
//! [`validate`] (offline, then live) → [`observe`] (AWS into a [`topology::Topology`]) →
//! [`diff`] (changes) → [`plan`] (ordered phases) → [`apply`] (executor with a progress record)
//! → [`state`] (the state value). [`aws`] holds the SDK calls, [`mesh`] the route matrix,
//! [`import`] the import entry point. This file glues them to the protocol's `Resource` trait.

pub mod apply;
pub mod aws;
pub mod diff;
pub mod import;
pub mod mesh;
pub mod model;
pub mod observe;
pub mod plan;
pub mod schema;
pub mod state;
pub mod topology;
pub mod upgrade;
pub mod validate;

#[cfg(test)]
mod properties;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use self::aws::Aws;
use self::model::{Config, Link};
use self::observe::Scope;
use self::topology::Topology;
use self::validate::LiveFacts;
use crate::aws::retry::{Budget, OpError};
use crate::config::clients::AwsClients;
use crate::protocol::cty::Value;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::resource::{
    ApplyRequest, ApplyResponse, ImportRequest, ImportResponse, PlanRequest, PlanResponse,
    ReadRequest, ReadResponse, Resource,
};
use crate::protocol::schema::Schema;
use crate::provider::{Configured, ProviderState};
use crate::resources::shared;

/// How long a refresh may take.
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Plan-time lookups are checks, not work: short, and few retries, so a plan without
/// credentials warns quickly instead of retrying for minutes.
const PLAN_LOOKUP_TIMEOUT: Duration = Duration::from_secs(60);
const PLAN_LOOKUP_RETRIES: u32 = 2;

pub struct HubNetwork {
    schema: Schema,
    state: Arc<ProviderState>,
    refreshed: Mutex<HashMap<String, Refreshed>>,
}

impl HubNetwork {
    pub fn new(state: Arc<ProviderState>) -> Self {
        Self {
            schema: schema::schema(),
            state,
            refreshed: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps what a refresh read about the hub's VPCs and route tables for the plan that
    /// Terraform runs right after it in the same process.
    fn remember(&self, tgw_id: &str, refreshed: Refreshed) {
        let mut entries = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, r| r.at.elapsed() < REFRESH_REUSE);
        entries.insert(tgw_id.to_string(), refreshed);
    }

    /// The refresh of `tgw_id`, if it just happened (used once).
    fn recall(&self, tgw_id: &str) -> Option<Refreshed> {
        let mut entries = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .remove(tgw_id)
            .filter(|r| r.at.elapsed() < REFRESH_REUSE)
    }
}

/// How long a refresh's reads may stand in for the plan's: Terraform plans each resource right
/// after refreshing it.
const REFRESH_REUSE: Duration = Duration::from_secs(30);

/// VPCs and route tables a refresh asked for, and what it found.
#[derive(Clone, Debug)]
struct Refreshed {
    at: Instant,
    vpc_ids: BTreeSet<String>,
    table_ids: BTreeSet<String>,
    networks: observe::Networks,
}

fn attr(object: &Value, name: &str) -> Value {
    object.attr(name).cloned().unwrap_or(Value::Null)
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// What to observe for a hub whose prior state is `prior`, about to become `desired`.
fn scope(prior: &Value, desired: Option<&model::Desired>) -> Scope {
    let mut scope = Scope {
        tgw_id: attr(prior, "id").as_str().unwrap_or_default().to_string(),
        share_arn: attr(prior, "resource_share_arn")
            .as_str()
            .map(str::to_string),
        ..Scope::default()
    };
    if let Some(attachments) = attr(prior, "vpc_attachments").as_map() {
        for element in attachments.values() {
            if let Some(vpc) = attr(element, "vpc_id").as_str() {
                scope.managed_vpcs.insert(vpc.to_string());
                scope.vpc_ids.insert(vpc.to_string());
            }
            scope
                .route_table_ids
                .extend(strings(&attr(element, "route_table_ids")));
        }
    }
    let hub_table = attr(prior, "route_table_id");
    if let Some(tables) = attr(prior, "routes").as_map() {
        for (table, entry) in tables {
            if hub_table.as_str() == Some(table.as_str()) {
                if let Some(destinations) = attr(entry, "destinations").as_map() {
                    scope
                        .hub_route_destinations
                        .extend(destinations.keys().cloned());
                }
            } else {
                scope.route_table_ids.insert(table.clone());
            }
        }
    }
    let dc = attr(prior, "data_center");
    scope.data_center_in_state = !dc.is_null();
    scope.vpn_connection_id = attr(&dc, "vpn_connection_id").as_str().map(str::to_string);
    if let Some(desired) = desired {
        for attachment in desired.attachments.values() {
            scope.vpc_ids.insert(attachment.vpc_id.clone());
            scope
                .subnet_ids
                .extend(attachment.subnet_ids.iter().cloned());
            scope
                .route_table_ids
                .extend(attachment.route_table_ids.iter().cloned());
        }
    }
    scope
}

fn string_map_of(value: &Value) -> std::collections::BTreeMap<String, String> {
    value
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn region_of(clients: &AwsClients) -> String {
    clients.region.clone()
}

/// Plan-time lookups for the live checks: VPCs, subnets and route tables of the
/// configuration (one call each), and the data center's gateway when it is new.
async fn lookup(
    aws: &Aws<'_>,
    config: &Config,
    prior: &Value,
    refreshed: Option<Refreshed>,
) -> Result<LiveFacts, OpError> {
    let mut vpcs = BTreeSet::new();
    let mut subnets = BTreeSet::new();
    let mut tables = BTreeSet::new();
    if let Some(attachments) = config.vpc_attachments.known() {
        for attachment in attachments.values() {
            vpcs.extend(attachment.vpc_id.known().cloned());
            subnets.extend(attachment.subnet_ids.known().into_iter().flatten().cloned());
            tables.extend(
                attachment
                    .route_table_ids
                    .known()
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
    }
    let prior_dc = attr(prior, "data_center");
    let (mut direct_connect_asn, mut customer_gateway_exists) = (None, None);
    if let Some(Some(dc)) = config.data_center.known() {
        if let Some(Some(gateway)) = dc.direct_connect_gateway_id.known()
            && attr(&prior_dc, "direct_connect_gateway_id").as_str() != Some(gateway.as_str())
        {
            direct_connect_asn = Some(aws.direct_connect_gateway_asn(gateway).await?);
        }
        if let Some(Some(vpn)) = dc.vpn.known()
            && let Some(cgw) = vpn.customer_gateway_id.known()
            && attr(&attr(&prior_dc, "vpn"), "customer_gateway_id").as_str() != Some(cgw.as_str())
        {
            customer_gateway_exists = Some(aws.customer_gateway_exists(cgw).await?);
        }
    }
    // What the refresh just read is not read again.
    let mut networks = observe::Networks::default();
    if let Some(refreshed) = refreshed {
        vpcs.retain(|v| !refreshed.vpc_ids.contains(v));
        tables.retain(|t| !refreshed.table_ids.contains(t));
        networks = refreshed.networks;
    }
    let fetched = observe::networks(aws, &vpcs, &subnets, &tables).await?;
    networks.vpcs.extend(fetched.vpcs);
    networks.subnets.extend(fetched.subnets);
    networks.route_tables.extend(fetched.route_tables);
    let tgw_id = attr(prior, "id").as_str().map(str::to_string);
    let other_hubs = other_hubs(aws, &networks.route_tables, tgw_id.as_deref()).await?;
    Ok(LiveFacts {
        networks,
        direct_connect_asn,
        customer_gateway_exists,
        tgw_id,
        other_hubs,
        account: aws.clients.account_id.clone(),
        region: region_of(aws.clients),
    })
}

/// Names of the migration hubs whose Transit Gateways routes of `tables` point at (one call,
/// only when such routes exist).
async fn other_hubs(
    aws: &Aws<'_>,
    tables: &std::collections::BTreeMap<String, topology::RouteTable>,
    own: Option<&str>,
) -> Result<std::collections::BTreeMap<String, String>, OpError> {
    let targets = validate::hub_targets(tables, own);
    Ok(aws
        .transit_gateway_tags(&targets)
        .await?
        .into_iter()
        .filter(|(_, tags)| {
            tags.get(crate::resources::shared::MANAGED_BY_TAG)
                .map(String::as_str)
                == Some(model::MANAGED_BY)
        })
        .map(|(id, tags)| (id, tags.get("Name").cloned().unwrap_or_default()))
        .collect())
}

/// Apply-time facts, from the fresh observation plus the data center's gateway when the
/// apply is about to connect it.
async fn apply_facts(
    aws: &Aws<'_>,
    desired: &model::Desired,
    topology: &Topology,
) -> Result<LiveFacts, OpError> {
    let mut facts = LiveFacts {
        networks: observe::Networks {
            vpcs: topology.vpcs.clone(),
            subnets: topology.subnets.clone(),
            route_tables: topology.route_tables.clone(),
        },
        tgw_id: topology.tgw_id().map(str::to_string),
        other_hubs: other_hubs(aws, &topology.route_tables, topology.tgw_id()).await?,
        account: aws.clients.account_id.clone(),
        region: region_of(aws.clients),
        ..LiveFacts::default()
    };
    let existing = topology.data_center.as_ref().map(|dc| &dc.link);
    match desired.data_center.as_ref().map(|dc| &dc.link) {
        Some(Link::DirectConnect { gateway_id, .. }) => {
            let connected = matches!(existing, Some(topology::DataCenterLink::DirectConnect { gateway_id: g, .. }) if g == gateway_id);
            if !connected {
                facts.direct_connect_asn = Some(aws.direct_connect_gateway_asn(gateway_id).await?);
            }
        }
        Some(Link::Vpn {
            customer_gateway_id,
            ..
        }) => {
            let connected = matches!(existing, Some(topology::DataCenterLink::Vpn { customer_gateway_id: g, .. }) if g == customer_gateway_id);
            if !connected {
                facts.customer_gateway_exists =
                    Some(aws.customer_gateway_exists(customer_gateway_id).await?);
            }
        }
        None => {}
    }
    Ok(facts)
}

#[async_trait]
impl Resource for HubNetwork {
    fn type_name(&self) -> &'static str {
        model::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::offline(config)
    }

    fn upgrade_state(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        shared::upgrade_state(
            model::TYPE_NAME,
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
        let Some(clients) = shared::clients(&self.state, &mut diagnostics) else {
            return unchanged(diagnostics);
        };
        let discover = request.private == import::DISCOVER;
        let mut scope = scope(&request.current_state, None);
        scope.discover = discover;
        if scope.tgw_id.is_empty() {
            return ReadResponse {
                new_state: Value::Null,
                private: Vec::new(),
                diagnostics,
            };
        }
        let budget = shared::budget(&clients, READ_TIMEOUT, &request.cancel);
        let aws = Aws {
            clients: &clients,
            budget: &budget,
        };
        match Box::pin(observe::observe(&aws, &scope)).await {
            Ok(None) => {
                tracing::info!(
                    tgw = scope.tgw_id.as_str(),
                    "the hub's Transit Gateway is gone"
                );
                ReadResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    diagnostics,
                }
            }
            Ok(Some(topology)) => {
                let mut vpc_ids = scope.vpc_ids.clone();
                vpc_ids.extend(topology.attachments.keys().cloned());
                self.remember(
                    &scope.tgw_id,
                    Refreshed {
                        at: Instant::now(),
                        vpc_ids,
                        table_ids: scope.route_table_ids.clone(),
                        networks: observe::Networks {
                            vpcs: topology.vpcs.clone(),
                            subnets: Default::default(),
                            route_tables: topology.route_tables.clone(),
                        },
                    },
                );
                let new_state = state::render(
                    &topology,
                    &request.current_state,
                    Some(&clients.default_tags),
                    &state::Applied::decode(&request.private),
                );
                // An imported hub's intent is what it was found to be.
                let private = if discover {
                    state::Applied {
                        route_propagation: attr(&new_state, "route_propagation").as_bool(),
                        tags_all: Some(string_map_of(&attr(&new_state, "tags_all"))),
                    }
                    .encode()
                } else {
                    request.private.clone()
                };
                ReadResponse {
                    new_state,
                    private,
                    diagnostics,
                }
            }
            Err(error) => {
                shared::report(
                    &mut diagnostics,
                    &format!("Cannot read hub {}", scope.tgw_id),
                    &error,
                );
                unchanged(diagnostics)
            }
        }
    }

    async fn plan(&self, request: PlanRequest) -> PlanResponse {
        // The private data (the applied route_propagation) travels through the plan to apply.
        let respond = |planned_state: Value, diagnostics: Diagnostics| PlanResponse {
            planned_state,
            requires_replace: Vec::new(),
            planned_private: request.prior_private.clone(),
            diagnostics,
        };
        if request.proposed_new_state.is_null() {
            return respond(Value::Null, Diagnostics::new());
        }
        let config = &request.config;
        let mut diagnostics = validate::offline(config);
        diagnostics.extend(validate::transition(&request.prior_state, config));
        if diagnostics.has_errors() {
            return respond(request.proposed_new_state, diagnostics);
        }
        let (facts, default_tags) = match self.state.configured() {
            Configured::Ready(clients) => {
                let budget = Budget::new(
                    PLAN_LOOKUP_TIMEOUT,
                    request.cancel.clone(),
                    PLAN_LOOKUP_RETRIES,
                );
                let aws = Aws {
                    clients: &clients,
                    budget: &budget,
                };
                let refreshed = attr(&request.prior_state, "id")
                    .as_str()
                    .and_then(|id| self.recall(id));
                let facts = match lookup(
                    &aws,
                    &Config::parse(config),
                    &request.prior_state,
                    refreshed,
                )
                .await
                {
                    Ok(facts) => Some(facts),
                    Err(error) => {
                        diagnostics.warning(
                            "Live checks skipped",
                            format!(
                                "The VPCs, subnets and route tables of this hub could not be read \
                                 ({error}), so overlaps with VPC CIDRs, subnet placement and \
                                 routes in the way are not checked in this plan. Apply checks \
                                 them again before changing anything."
                            ),
                        );
                        None
                    }
                };
                (facts, Some(clients.default_tags.clone()))
            }
            Configured::Deferred => (None, None),
            Configured::NotYet => {
                shared::clients(&self.state, &mut diagnostics);
                return respond(request.proposed_new_state, diagnostics);
            }
        };
        if let Some(facts) = &facts {
            diagnostics.extend(validate::live(config, facts));
            if diagnostics.has_errors() {
                return respond(request.proposed_new_state, diagnostics);
            }
        }
        let planned = state::planned(
            config,
            &request.prior_state,
            facts.as_ref(),
            default_tags.as_ref(),
        );
        respond(planned, diagnostics)
    }

    async fn apply(&self, request: ApplyRequest) -> ApplyResponse {
        let mut diagnostics = Diagnostics::new();
        let keep_prior = |diagnostics| ApplyResponse {
            new_state: request.prior_state.clone(),
            private: request.planned_private.clone(),
            diagnostics,
        };
        let Some(clients) = shared::clients(&self.state, &mut diagnostics) else {
            if !diagnostics.has_errors() {
                diagnostics.error(
                    "Provider configuration unknown at apply",
                    "The provider block still has unknown values; Terraform resolves them before \
                     apply, so this is a bug in the caller.",
                );
            }
            return keep_prior(diagnostics);
        };
        let destroying = request.planned_state.is_null();
        let timeouts = shared::timeouts(
            if destroying {
                &request.prior_state
            } else {
                &request.config
            },
            &mut diagnostics,
        );
        let timeout = match (destroying, request.prior_state.is_null()) {
            (true, _) => timeouts.delete,
            (false, true) => timeouts.create,
            (false, false) => timeouts.update,
        };
        let desired = if destroying {
            None
        } else {
            match Config::parse(&request.config).desired(&clients.default_tags) {
                Ok(desired) => Some(desired),
                Err(path) => {
                    diagnostics.error_at(
                        path,
                        "Value unknown at apply",
                        "Terraform sent a configuration with an unknown value to apply; this is a \
                         bug in the caller.",
                    );
                    return keep_prior(diagnostics);
                }
            }
        };
        let budget = shared::budget(&clients, timeout, &request.cancel);
        let aws = Aws {
            clients: &clients,
            budget: &budget,
        };
        let scope = scope(&request.prior_state, desired.as_ref());

        // What exists now.
        let observed = if scope.tgw_id.is_empty() {
            Ok(None)
        } else {
            Box::pin(observe::observe(&aws, &scope)).await
        };
        let topology = match observed {
            Ok(Some(topology)) => topology,
            Ok(None) if destroying => {
                return ApplyResponse {
                    new_state: Value::Null,
                    private: Vec::new(),
                    diagnostics,
                };
            }
            Ok(None) => match observe::networks(
                &aws,
                &scope.vpc_ids,
                &scope.subnet_ids,
                &scope.route_table_ids,
            )
            .await
            {
                Ok(found) => Topology {
                    vpcs: found.vpcs,
                    subnets: found.subnets,
                    route_tables: found.route_tables,
                    ..Topology::default()
                },
                Err(error) => {
                    shared::report(&mut diagnostics, "Cannot read the hub's VPCs", &error);
                    return keep_prior(diagnostics);
                }
            },
            Err(error) => {
                shared::report(
                    &mut diagnostics,
                    "Cannot read the hub before changing it",
                    &error,
                );
                return keep_prior(diagnostics);
            }
        };

        // The live checks again, now that every value is known, before any mutation.
        if let Some(desired) = &desired {
            match apply_facts(&aws, desired, &topology).await {
                Ok(facts) => diagnostics.extend(validate::live(&request.config, &facts)),
                Err(error) => {
                    shared::report(
                        &mut diagnostics,
                        "Cannot check the hub's references",
                        &error,
                    );
                    return keep_prior(diagnostics);
                }
            }
            if diagnostics.has_errors() {
                return keep_prior(diagnostics);
            }
        }

        let changes = diff::diff(desired.as_ref(), &topology);
        let operations = plan::plan(changes);
        tracing::info!(
            tgw = scope.tgw_id.as_str(),
            operations = operations.len(),
            phases = operations.phases.len(),
            "applying the hub"
        );
        let outcome = apply::run(
            clients.clone(),
            budget.clone(),
            &request.cancel,
            topology,
            operations,
        )
        .await;
        for (op, error) in &outcome.failures {
            shared::report(
                &mut diagnostics,
                &format!("{} failed", apply::describe(op)),
                error,
            );
        }
        let succeeded = outcome.failures.is_empty() && outcome.not_started == 0;
        let echo = if destroying {
            &request.prior_state
        } else {
            &request.planned_state
        };
        let applied = match &desired {
            Some(desired) => state::Applied {
                route_propagation: Some(desired.route_propagation),
                tags_all: Some(desired.tags_all.clone()),
            },
            None => state::Applied::decode(&request.planned_private),
        };
        let rendered = state::render(
            &outcome.topology,
            echo,
            Some(&clients.default_tags),
            &applied,
        );
        let new_state = match (destroying, succeeded) {
            (true, true) => Value::Null,
            (false, true) => state::fill_unknowns(&request.planned_state, &rendered),
            (_, false) => rendered,
        };
        ApplyResponse {
            new_state,
            private: applied.encode(),
            diagnostics,
        }
    }

    async fn import(&self, request: ImportRequest) -> ImportResponse {
        import::import(&request.id)
    }
}
