//! What the checks need from AWS beyond the configuration: the endpoint as it is (read at plan;
//! apply has it already) and the SIDs of groups given by name, with what reading them found
//! wrong.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use super::model::{Config, Maybe, rule_description};
use super::observe;
use super::observed::NameProblem;
use super::observed::Observation;
use super::ownership::{self, SidRules, Standing, WantedGroup};
use super::state::State;
use super::validate;
use crate::aws::retry::OpError;
use crate::framework::context::Ctx;
use crate::framework::failures::report;
use crate::framework::resource::Stage;
use crate::protocol::cty::Path;
use crate::protocol::diagnostics::Diagnostics;

/// What to read of the endpoint: the minimal read (rules, routes) for refresh and destroy;
/// also the associations, the directory and the configured route subnets for plan and apply.
pub(crate) struct EndpointScope {
    pub(super) endpoint_id: String,
    full: Option<FullScope>,
    /// The token of the instance reading (see [`Observation::owner`]).
    owner: Option<String>,
}

struct FullScope {
    directory: Option<Option<String>>,
    subnets: Vec<String>,
}

impl EndpointScope {
    /// What a refresh reads: rules and routes, and the associations too when the route
    /// subnets follow them.
    pub(super) fn refresh(endpoint_id: &str, follows_associations: bool) -> EndpointScope {
        EndpointScope {
            endpoint_id: endpoint_id.to_string(),
            full: follows_associations.then(|| FullScope {
                directory: None,
                subnets: Vec::new(),
            }),
            owner: None,
        }
    }

    /// The same read, made for the instance holding `owner`.
    pub(super) fn for_owner(mut self, owner: Option<&str>) -> EndpointScope {
        self.owner = owner.map(str::to_string);
        self
    }

    /// What plan and apply read: also the associations, the directory and the configured
    /// route subnets.
    pub(super) fn full(endpoint_id: &str, config: &Config) -> EndpointScope {
        EndpointScope {
            endpoint_id: endpoint_id.to_string(),
            full: Some(FullScope {
                directory: match &config.directory_id {
                    Maybe::Known(configured) => Some(configured.clone()),
                    // Unknown until apply: the directory check waits for it.
                    Maybe::Unknown => None,
                },
                subnets: match &config.route_subnet_ids {
                    Maybe::Known(Some(ids)) => ids.iter().cloned().collect(),
                    _ => Vec::new(),
                },
            }),
            owner: None,
        }
    }

    pub(super) async fn read(&self, ctx: &Ctx) -> Result<Option<Observation>, OpError> {
        let scope = match &self.full {
            None => observe::Scope::minimal(),
            Some(full) => observe::Scope {
                associations: true,
                directory: full.directory.as_ref().map(Option::as_deref),
                subnets: &full.subnets,
            },
        };
        let mut observation = observe::observe(&ctx.aws(), &self.endpoint_id, scope).await?;
        if let Some(observation) = &mut observation {
            observation.owner = self.owner.clone();
        }
        Ok(observation)
    }
}

/// What the checks need: the endpoint (plan reads it here; apply has it already), the SIDs of
/// groups given by name, and what reading them found wrong.
pub(crate) struct Facts {
    pub(super) observation: Option<Observation>,
    /// The endpoint named by the configuration does not exist.
    pub(super) endpoint_missing: Option<String>,
    pub(super) resolved: BTreeMap<String, String>,
    pub(super) problems: Vec<(String, NameProblem)>,
    /// Problems met while reading, reported by the checks.
    pub(super) notes: Diagnostics,
    /// Whether a plan or an apply gathered these.
    pub(super) stage: Stage,
}

/// Reads what the checks need: at plan, the endpoint (with its associations, directory and the
/// configured route subnets) and the SIDs of groups given by name; at apply, the SIDs only (the
/// endpoint was just observed).
pub(super) async fn gather(
    ctx: &Ctx,
    stage: Stage,
    config: &Config,
    observed: Option<&Observation>,
) -> Result<Facts, OpError> {
    let mut facts = Facts {
        observation: None,
        endpoint_missing: None,
        resolved: BTreeMap::new(),
        problems: Vec::new(),
        notes: Diagnostics::new(),
        stage,
    };
    if stage == Stage::Apply {
        if let Some(observation) = observed {
            resolve(ctx, config, observation, &mut facts).await;
            facts.observation = Some(observation.clone());
        }
        return Ok(facts);
    }
    let Maybe::Known(endpoint_id) = &config.endpoint_id else {
        return Ok(facts);
    };
    match EndpointScope::full(endpoint_id, config).read(ctx).await {
        Ok(Some(observation)) => {
            resolve(ctx, config, &observation, &mut facts).await;
            facts.observation = Some(observation);
        }
        Ok(None) => facts.endpoint_missing = Some(endpoint_id.clone()),
        Err(OpError::Aws(error)) if error.is_missing_credentials() => {
            facts.notes.warning(
                "Planned without AWS access",
                format!(
                    "{error}.\n\nOnly the checks that need no AWS access ran; values that \
                     depend on the endpoint are known after apply, and the apply checks \
                     the rest."
                ),
            );
        }
        Err(error) => report(
            &mut facts.notes,
            "Cannot read the Client VPN endpoint",
            &error,
        ),
    }
    Ok(facts)
}

pub(super) fn endpoint_not_found(endpoint_id: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        Path::root().attr("client_vpn_endpoint_id"),
        "Client VPN endpoint not found",
        format!(
            "Endpoint {endpoint_id} does not exist in this account and Region. Check the ID and \
             the provider's `region`."
        ),
    );
    diagnostics
}

/// SIDs of the groups given by name; a failed lookup is reported by the checks.
async fn resolve(ctx: &Ctx, config: &Config, observation: &Observation, facts: &mut Facts) {
    match observe::resolve_names(&ctx.aws(), config, observation).await {
        Ok((resolved, problems)) => {
            facts.resolved = resolved;
            facts.problems = problems;
        }
        Err(error) => report(&mut facts.notes, "Cannot look up group names", &error),
    }
}

/// The checks of what reading AWS found: the endpoint missing, group names that did not
/// resolve, and what could not be read. The rules of `validate` run in [`check_managed`],
/// which knows the instance's ownership token.
pub(super) fn check(facts: Option<&Facts>, config: &Config) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if let Some(facts) = facts {
        diagnostics.extend(facts.notes.clone());
        if let Some(endpoint_id) = &facts.endpoint_missing {
            diagnostics.extend(endpoint_not_found(endpoint_id));
        }
        diagnostics.extend(validate::check_names(
            config,
            &facts.problems,
            &facts.resolved,
        ));
    }
    diagnostics
}

/// Every rule of `validate` with what the facts hold (`None` when a plan could not read AWS:
/// what needs no AWS still runs), then the ownership check, for the instance holding `token`
/// whose prior state is `prior`.
///
/// Groups another instance holds ([`ownership::held_by_others`]) are not this instance's to
/// check: they are validated as if they were not configured, and their rules and routes count
/// as the other's.
pub(super) fn check_managed(
    facts: Option<&Facts>,
    config: &Config,
    token: Option<&str>,
    prior: Option<&State>,
) -> Diagnostics {
    let none = BTreeMap::new();
    let resolved = facts.map_or(&none, |f| &f.resolved);
    let observation = facts.and_then(|f| f.observation.as_ref());
    let held: BTreeSet<String> = match (prior, observation) {
        (Some(prior), Some(observation)) => ownership::held_by_others(
            &observation.endpoint.tags,
            token,
            &prior.owned_sids(),
            config.take_over.known() == Some(&true),
        ),
        _ => BTreeSet::new(),
    };
    let mut managed = config.clone();
    if let Maybe::Known(groups) = &mut managed.groups {
        groups.retain(|key, group| {
            let sid = match group.sid.known() {
                Some(Some(sid)) => Some(sid),
                Some(None) => resolved.get(key),
                None => None,
            };
            !sid.is_some_and(|sid| held.contains(sid))
        });
    }
    let mut owned_sids = prior.map(State::owned_sids).unwrap_or_default();
    owned_sids.retain(|sid| !held.contains(sid));
    let mut diagnostics = validate::check_against_aws(&validate::Context {
        config: &managed,
        resolved,
        observation,
        owned_sids,
        owned_routes: prior
            .map(|prior| prior.owned_routes_without(&held))
            .unwrap_or_default(),
        stage: match facts.map_or(Stage::Plan, |f| f.stage) {
            Stage::Plan => validate::Stage::Plan,
            Stage::Apply => validate::Stage::Apply,
        },
    });
    if let Some(facts) = facts {
        diagnostics.extend(check_ownership(facts, config, token, prior));
    }
    diagnostics
}

/// The ownership check ([`ownership::check`]) of the configured groups whose SID is known, for
/// the instance holding `token` whose prior state is `prior` (none: it is being created).
/// Nothing to check while the endpoint could not be read.
fn check_ownership(
    facts: &Facts,
    config: &Config,
    token: Option<&str>,
    prior: Option<&State>,
) -> Diagnostics {
    let (Some(observation), Maybe::Known(groups)) = (&facts.observation, &config.groups) else {
        return Diagnostics::new();
    };
    let wanted: Vec<(String, String, Option<SidRules>)> = groups
        .iter()
        .filter_map(|(key, group)| {
            let sid = match group.sid.known()? {
                Some(sid) => sid.clone(),
                None => facts.resolved.get(key)?.clone(),
            };
            let rules = (|| {
                let description = group.description.known()?;
                let description = rule_description(key, description.as_deref());
                group
                    .networks
                    .known()?
                    .iter()
                    .map(|n| {
                        let cidr = n.known()?.parse::<Ipv4Net>().ok()?;
                        Some((cidr, description.clone()))
                    })
                    .collect::<Option<BTreeMap<_, _>>>()
            })();
            Some((key.clone(), sid, rules))
        })
        .collect();
    let groups: Vec<WantedGroup<'_>> = wanted
        .iter()
        .map(|(key, sid, rules)| WantedGroup {
            key,
            sid,
            rules: rules.clone(),
        })
        .collect();
    let listed = prior.map(State::owned_sids).unwrap_or_default();
    ownership::check(
        &Standing {
            endpoint_id: &observation.endpoint.id,
            mine: token,
            creating: prior.is_none(),
            listed: &listed,
            take_over: config.take_over.known().copied(),
            tags: &observation.endpoint.tags,
            rules: &observation.rules,
        },
        &groups,
    )
}
