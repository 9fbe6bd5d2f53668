//! The resource's state value: reading it, refreshing it from what AWS holds, the planned
//! value of a change, and the new state of an apply (complete or partial).
//!
//! Computed values follow one rule so that the plan Terraform shows is the plan that runs:
//! values that follow from the configuration alone (the rules, their descriptions, statuses
//! `active`) are known at plan time; values that follow from other AWS objects (the default
//! `route_subnet_ids`, and the routes through them) are known only when they do not change,
//! because another resource of the same apply (a subnet association) may change them before
//! this one is applied, and Terraform rejects a final plan that contradicts a known value.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use super::model::{
    Access, Config, DEFAULT_ALLOW_INTERNET, DEFAULT_MANAGE_ROUTES, Group, Maybe, Phase, RouteKey,
    RuleKey, rule_description,
};
use super::observed::Observation;
use super::ownership;
use crate::framework::typed::{FromValue, OrEmpty, Strings};
use crate::protocol::cty::Value;
use crate::protocol::object;

/// One entry of `authorization_rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleEntry {
    pub group: String,
    pub sid: String,
    pub destination_cidr: String,
    pub description: Option<String>,
    pub status: String,
}

/// One entry of `routes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RouteEntry {
    pub destination_cidr: String,
    pub subnet_id: String,
    pub status: String,
}

/// A wholly known state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct State {
    pub access: Access,
    /// The `timeouts` attribute as configured (kept as is).
    pub timeouts: Value,
    /// `take_over` as configured (kept as is).
    pub take_over: Option<bool>,
    pub client_cidr_block: Option<String>,
    pub rules: Vec<RuleEntry>,
    pub routes: Vec<RouteEntry>,
}

pub(crate) const STATUS_ACTIVE: &str = "active";

fn cidr_order(text: &str) -> (Option<Ipv4Net>, String) {
    (text.parse().ok(), text.to_string())
}

/// The order of `authorization_rules`: group key, then network.
pub(crate) fn sort_rules(rules: &mut [RuleEntry]) {
    rules.sort_by(|a, b| {
        (&a.group, cidr_order(&a.destination_cidr), &a.sid).cmp(&(
            &b.group,
            cidr_order(&b.destination_cidr),
            &b.sid,
        ))
    });
}

/// The order of `routes`: destination, then subnet.
pub(crate) fn sort_routes(routes: &mut [RouteEntry]) {
    routes.sort_by(|a, b| {
        (cidr_order(&a.destination_cidr), &a.subnet_id)
            .cmp(&(cidr_order(&b.destination_cidr), &b.subnet_id))
    });
}

crate::typed_object! {
    /// `groups[key]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredGroup {
        pub(crate) sid: Option<String>,
        pub(crate) name: Option<String>,
        pub(crate) networks: Strings,
        pub(crate) description: Option<String>,
    }
}

crate::typed_object! {
    /// `authorization_rules[group].networks[cidr]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredRule {
        pub(crate) description: Option<String>,
        pub(crate) status: Option<String>,
    }
}

crate::typed_object! {
    /// `authorization_rules[group]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredRuleGroup {
        pub(crate) sid: Option<String>,
        pub(crate) networks: OrEmpty<BTreeMap<String, StoredRule>>,
    }
}

crate::typed_object! {
    /// The whole stored state; each field is the attribute of the same name.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Stored {
        pub(crate) id: Option<String>,
        pub(crate) client_vpn_endpoint_id: Option<String>,
        pub(crate) directory_id: Option<String>,
        pub(crate) groups: OrEmpty<BTreeMap<String, StoredGroup>>,
        pub(crate) route_subnet_ids: Strings,
        pub(crate) manage_routes: Option<bool>,
        pub(crate) allow_internet: Option<bool>,
        pub(crate) take_over: Option<bool>,
        pub(crate) timeouts: Value,
        pub(crate) client_cidr_block: Option<String>,
        pub(crate) authorization_rules: OrEmpty<BTreeMap<String, StoredRuleGroup>>,
        /// Destination → target subnet → status.
        pub(crate) routes: OrEmpty<BTreeMap<String, OrEmpty<BTreeMap<String, Option<String>>>>>,
    }
}

impl State {
    /// Reads a state value; `None` for a null (absent) object, or one that does not fit the
    /// schema. A group without a SID, or a network that is not a CIDR, is left out (neither
    /// can have rules on AWS).
    pub(crate) fn from_value(value: &Value) -> Option<State> {
        if value.is_null() || value.is_unknown() {
            return None;
        }
        let stored = Stored::from_value(value).ok()?;
        let groups = stored
            .groups
            .0
            .into_iter()
            .filter_map(|(key, group)| {
                let networks = group
                    .networks
                    .iter()
                    .filter_map(|n| n.parse::<Ipv4Net>().ok())
                    .collect();
                let group = Group {
                    sid: group.sid?,
                    name: group.name,
                    networks,
                    description: group.description,
                };
                Some((key, group))
            })
            .collect();
        let mut rules: Vec<RuleEntry> = stored
            .authorization_rules
            .0
            .into_iter()
            .filter_map(|(group, entry)| Some((group, entry.sid?, entry.networks.0)))
            .flat_map(|(group, sid, networks)| {
                networks.into_iter().map(move |(cidr, rule)| RuleEntry {
                    group: group.clone(),
                    sid: sid.clone(),
                    destination_cidr: cidr,
                    description: rule.description,
                    status: rule.status.unwrap_or_default(),
                })
            })
            .collect();
        sort_rules(&mut rules);
        let mut routes: Vec<RouteEntry> = stored
            .routes
            .0
            .into_iter()
            .flat_map(|(destination, targets)| {
                targets
                    .0
                    .into_iter()
                    .map(move |(subnet, status)| RouteEntry {
                        destination_cidr: destination.clone(),
                        subnet_id: subnet,
                        status: status.unwrap_or_default(),
                    })
            })
            .collect();
        sort_routes(&mut routes);
        Some(State {
            access: Access {
                endpoint_id: stored.client_vpn_endpoint_id?,
                directory_id: stored.directory_id,
                groups,
                route_subnet_ids: stored.route_subnet_ids.0.into_iter().collect(),
                manage_routes: stored.manage_routes.unwrap_or(DEFAULT_MANAGE_ROUTES),
                allow_internet: stored.allow_internet.unwrap_or(DEFAULT_ALLOW_INTERNET),
                take_over: stored.take_over.unwrap_or(false),
            },
            timeouts: stored.timeouts,
            take_over: stored.take_over,
            client_cidr_block: stored.client_cidr_block,
            rules,
            routes,
        })
    }

    pub(crate) fn to_value(&self) -> Value {
        let access = &self.access;
        let groups = access
            .groups
            .iter()
            .map(|(key, group)| (key.clone(), group_value(group)))
            .collect();
        Value::object([
            ("id", Value::string(access.endpoint_id.clone())),
            (
                "client_vpn_endpoint_id",
                Value::string(access.endpoint_id.clone()),
            ),
            (
                "directory_id",
                object::optional_string(access.directory_id.as_deref()),
            ),
            ("groups", Value::Map(groups)),
            (
                "route_subnet_ids",
                object::string_set_value(access.route_subnet_ids.iter().cloned()),
            ),
            ("manage_routes", Value::Bool(access.manage_routes)),
            ("allow_internet", Value::Bool(access.allow_internet)),
            ("take_over", self.take_over.map_or(Value::Null, Value::Bool)),
            ("timeouts", self.timeouts.clone()),
            (
                "client_cidr_block",
                object::optional_string(self.client_cidr_block.as_deref()),
            ),
            (
                "authorization_rules",
                rules_value(&self.rules, &access.groups),
            ),
            ("routes", routes_value(&self.routes)),
        ])
    }

    /// SIDs whose per-group rules this resource owns.
    pub(crate) fn owned_sids(&self) -> BTreeSet<String> {
        self.access
            .groups
            .values()
            .map(|g| g.sid.clone())
            .chain(self.rules.iter().map(|r| r.sid.clone()))
            .collect()
    }

    /// Routes this resource owns: those in its state, and those its access calls for (a route
    /// someone else made exactly as wanted is adopted), but not those only the groups of `held`
    /// call for (another instance holds them): those are owned while the state lists them, so
    /// that the next apply leaves or deletes them, and not after.
    pub(crate) fn owned_routes_without(&self, held: &BTreeSet<String>) -> BTreeSet<RouteKey> {
        self.routes
            .iter()
            .filter_map(|r| {
                Some(RouteKey {
                    destination: r.destination_cidr.parse().ok()?,
                    subnet_id: r.subnet_id.clone(),
                })
            })
            .chain(self.access.without_sids(held).routes())
            .collect()
    }

    /// The state as AWS holds it now: each group's networks are the networks its SID has a
    /// rule for (rules being revoked or failed grant nothing), and out-of-band changes to
    /// rules and routes show up in the next plan.
    pub(crate) fn refreshed(&self, observation: &Observation) -> State {
        self.refreshed_following(observation, false, &BTreeSet::new())
    }

    /// [`State::refreshed`]; with `follow_associations`, `route_subnet_ids` becomes the
    /// subnets associated now (it was left unset: a subnet associated or disassociated out of
    /// band then shows in the next plan as the routes it adds or removes). The groups of `held`
    /// are another instance's now ([`ownership::held_by_others`]): their rules leave the state,
    /// and their networks stay as configured rather than as the other instance grants them.
    pub(crate) fn refreshed_following(
        &self,
        observation: &Observation,
        follow_associations: bool,
        held: &BTreeSet<String>,
    ) -> State {
        let mut owned_sids = self.owned_sids();
        owned_sids.retain(|sid| !held.contains(sid));
        let owned_routes = self.owned_routes_without(held);
        let mut access = self.access.clone();
        // What the endpoint authenticates against (the default when not configured; a
        // configured one that differs is refused at plan time).
        access.directory_id = observation.endpoint.directory_id.clone();
        if follow_associations {
            access.route_subnet_ids = default_route_subnets(observation);
        }
        for group in access
            .groups
            .values_mut()
            .filter(|group| !held.contains(&group.sid))
        {
            group.networks = observation
                .rules
                .iter()
                .filter(|r| matches!(r.phase(), Phase::Active | Phase::Arriving))
                .filter_map(|r| r.key())
                .filter(|k| k.sid == group.sid)
                .map(|k| k.cidr)
                .collect();
        }
        let previous_keys: BTreeMap<&str, &str> = self
            .rules
            .iter()
            .map(|r| (r.sid.as_str(), r.group.as_str()))
            .collect();
        let mut keys: BTreeMap<String, String> = previous_keys
            .into_iter()
            .map(|(sid, key)| (sid.to_string(), key.to_string()))
            .collect();
        keys.extend(
            access
                .keys_by_sid()
                .into_iter()
                .map(|(sid, key)| (sid.to_string(), key.to_string())),
        );
        let mut rules: Vec<RuleEntry> = observation
            .rules
            .iter()
            .filter_map(|r| Some((r.key()?, r)))
            .filter(|(k, _)| owned_sids.contains(&k.sid))
            .map(|(k, r)| RuleEntry {
                group: keys.get(&k.sid).cloned().unwrap_or_else(|| k.sid.clone()),
                sid: k.sid,
                destination_cidr: k.cidr.to_string(),
                description: r.description.clone(),
                status: r.status.clone(),
            })
            .collect();
        sort_rules(&mut rules);
        let mut routes: Vec<RouteEntry> = observation
            .routes
            .iter()
            .filter_map(|r| Some((r.key()?, r)))
            .filter(|(k, _)| owned_routes.contains(k))
            .map(|(k, r)| RouteEntry {
                destination_cidr: k.destination.to_string(),
                subnet_id: k.subnet_id,
                status: r.status.clone(),
            })
            .collect();
        sort_routes(&mut routes);
        State {
            access,
            timeouts: self.timeouts.clone(),
            take_over: self.take_over,
            client_cidr_block: Some(observation.endpoint.client_cidr_block.clone()),
            rules,
            routes,
        }
    }
}

fn group_value(group: &Group) -> Value {
    Value::object([
        ("sid", Value::string(group.sid.clone())),
        ("name", object::optional_string(group.name.as_deref())),
        (
            "networks",
            Value::Set(
                group
                    .networks
                    .iter()
                    .map(|n| Value::string(n.to_string()))
                    .collect(),
            ),
        ),
        (
            "description",
            object::optional_string(group.description.as_deref()),
        ),
    ])
}

/// `authorization_rules`: group key → `{sid, networks = {<cidr> = {description, status}}}`.
///
/// A key holds one SID's rules. While a group's SID changes (the old SID's rules are revoked
/// as the new one's are authorized) both SIDs carry the group's key: the SID `groups` gives the
/// key keeps it, and the other SID's rules are listed under the SID itself, so none is lost.
pub(crate) fn rules_value(rules: &[RuleEntry], groups: &BTreeMap<String, Group>) -> Value {
    let mut entries: BTreeMap<&str, (&str, BTreeMap<String, Value>)> = BTreeMap::new();
    for rule in rules {
        let owner = groups.get(&rule.group).map(|g| g.sid.as_str());
        let key = match (owner, entries.get(rule.group.as_str())) {
            (Some(sid), _) if sid != rule.sid => rule.sid.as_str(),
            (None, Some((sid, _))) if *sid != rule.sid => rule.sid.as_str(),
            _ => rule.group.as_str(),
        };
        let (_, networks) = entries
            .entry(key)
            .or_insert((rule.sid.as_str(), BTreeMap::new()));
        networks.insert(
            rule.destination_cidr.clone(),
            Value::object([
                (
                    "description",
                    object::optional_string(rule.description.as_deref()),
                ),
                ("status", Value::string(rule.status.clone())),
            ]),
        );
    }
    Value::Map(
        entries
            .into_iter()
            .map(|(group, (sid, networks))| {
                (
                    group.to_string(),
                    Value::object([
                        ("sid", Value::string(sid)),
                        ("networks", Value::Map(networks)),
                    ]),
                )
            })
            .collect(),
    )
}

/// `routes`: destination → target subnet → status.
pub(crate) fn routes_value(routes: &[RouteEntry]) -> Value {
    let mut by_destination: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for route in routes {
        by_destination
            .entry(route.destination_cidr.clone())
            .or_default()
            .insert(route.subnet_id.clone(), Value::string(route.status.clone()));
    }
    Value::Map(
        by_destination
            .into_iter()
            .map(|(destination, targets)| (destination, Value::Map(targets)))
            .collect(),
    )
}

/// The rules an access calls for, as they will be once applied.
pub(crate) fn wanted_rule_entries(groups: &BTreeMap<String, Group>) -> Vec<RuleEntry> {
    let mut rules: Vec<RuleEntry> = groups
        .iter()
        .flat_map(|(key, group)| {
            group.networks.iter().map(move |cidr| RuleEntry {
                group: key.clone(),
                sid: group.sid.clone(),
                destination_cidr: cidr.to_string(),
                description: rule_description(key, group.description.as_deref()),
                status: STATUS_ACTIVE.to_string(),
            })
        })
        .collect();
    sort_rules(&mut rules);
    rules
}

/// The routes an access calls for, as they will be once applied.
pub(crate) fn wanted_route_entries(access: &Access) -> Vec<RouteEntry> {
    let mut routes: Vec<RouteEntry> = access
        .routes()
        .into_iter()
        .map(|k| RouteEntry {
            destination_cidr: k.destination.to_string(),
            subnet_id: k.subnet_id,
            status: STATUS_ACTIVE.to_string(),
        })
        .collect();
    sort_routes(&mut routes);
    routes
}

/// What exists on AWS at any moment of an apply, among the objects this resource owns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Description and status of each rule.
    pub rules: BTreeMap<RuleKey, (Option<String>, String)>,
    pub routes: BTreeMap<RouteKey, String>,
}

impl Progress {
    /// The owned objects of an observation.
    pub(crate) fn observed(
        observation: &Observation,
        owned_sids: &BTreeSet<String>,
        owned_routes: &BTreeSet<RouteKey>,
        released_routes: &[RouteKey],
    ) -> Progress {
        let mut progress = Progress::default();
        for rule in &observation.rules {
            if let Some(key) = rule.key()
                && owned_sids.contains(&key.sid)
            {
                progress
                    .rules
                    .entry(key)
                    .or_insert((rule.description.clone(), rule.status.clone()));
            }
        }
        for route in &observation.routes {
            if let Some(key) = route.key()
                && owned_routes.contains(&key)
                && !released_routes.contains(&key)
            {
                progress.routes.entry(key).or_insert(route.status.clone());
            }
        }
        progress
    }

    /// The state after an apply (or as far as it got): the planned access, with each group's
    /// networks as AWS holds them, and groups that were being removed kept for as long as they
    /// still have rules, so that nothing made is ever forgotten.
    pub(crate) fn state(
        &self,
        planned: &Access,
        prior: Option<&State>,
        client_cidr_block: Option<String>,
        timeouts: Value,
    ) -> State {
        let mut access = planned.clone();
        let granting = |sid: &str| -> BTreeSet<Ipv4Net> {
            self.rules
                .iter()
                .filter(|(k, (_, status))| {
                    k.sid == sid && matches!(Phase::of(status), Phase::Active | Phase::Arriving)
                })
                .map(|(k, _)| k.cidr)
                .collect()
        };
        for group in access.groups.values_mut() {
            group.networks = granting(&group.sid);
        }
        let planned_sids: BTreeSet<String> =
            access.groups.values().map(|g| g.sid.clone()).collect();
        if let Some(prior) = prior {
            for (key, group) in &prior.access.groups {
                let remaining = self.rules.keys().any(|k| k.sid == group.sid);
                if remaining
                    && !planned_sids.contains(&group.sid)
                    && !access.groups.contains_key(key)
                {
                    let mut kept = group.clone();
                    kept.networks = granting(&group.sid);
                    access.groups.insert(key.clone(), kept);
                }
            }
        }
        let prior_keys: Vec<(String, String)> = prior
            .map(|p| {
                p.rules
                    .iter()
                    .map(|r| (r.sid.clone(), r.group.clone()))
                    .chain(
                        p.access
                            .groups
                            .iter()
                            .map(|(key, g)| (g.sid.clone(), key.clone())),
                    )
                    .collect()
            })
            .unwrap_or_default();
        let keys: BTreeMap<String, String> = prior_keys
            .into_iter()
            .chain(
                access
                    .groups
                    .iter()
                    .filter(|(_, g)| planned_sids.contains(&g.sid))
                    .map(|(key, g)| (g.sid.clone(), key.clone())),
            )
            .collect();
        let mut rules: Vec<RuleEntry> = self
            .rules
            .iter()
            .map(|(k, (description, status))| RuleEntry {
                group: keys.get(&k.sid).cloned().unwrap_or_else(|| k.sid.clone()),
                sid: k.sid.clone(),
                destination_cidr: k.cidr.to_string(),
                description: description.clone(),
                status: status.clone(),
            })
            .collect();
        sort_rules(&mut rules);
        let mut routes: Vec<RouteEntry> = self
            .routes
            .iter()
            .map(|(k, status)| RouteEntry {
                destination_cidr: k.destination.to_string(),
                subnet_id: k.subnet_id.clone(),
                status: status.clone(),
            })
            .collect();
        sort_routes(&mut routes);
        State {
            access,
            timeouts,
            take_over: prior.and_then(|p| p.take_over),
            client_cidr_block,
            rules,
            routes,
        }
    }
}

/// The groups of a configuration once every part is known and valid, with names resolved.
pub(crate) fn known_groups(
    config: &Config,
    resolved: &BTreeMap<String, String>,
) -> Option<BTreeMap<String, Group>> {
    let groups = config.groups.known()?;
    groups
        .iter()
        .map(|(key, group)| {
            let sid = match group.sid.known()? {
                Some(sid) => sid.clone(),
                None => resolved.get(key)?.clone(),
            };
            let networks = group
                .networks
                .known()?
                .iter()
                .map(|n| n.known()?.parse::<Ipv4Net>().ok())
                .collect::<Option<BTreeSet<Ipv4Net>>>()?;
            Some((
                key.clone(),
                Group {
                    sid,
                    name: group.name.known()?.clone(),
                    networks,
                    description: group.description.known()?.clone(),
                },
            ))
        })
        .collect()
}

/// Associated subnets a default `route_subnet_ids` stands for.
pub(crate) fn default_route_subnets(observation: &Observation) -> BTreeSet<String> {
    observation
        .usable_subnets()
        .map(|a| a.subnet_id.clone())
        .collect()
}

/// The access an apply makes: the configuration with every value known, where an unset
/// `route_subnet_ids` is what the plan showed (`planned`: the associations of that time).
pub(crate) fn desired_access(
    config: &Config,
    planned: &Value,
    resolved: &BTreeMap<String, String>,
    observation: &Observation,
) -> Option<Access> {
    let planned_subnets: Option<BTreeSet<String>> = planned
        .attr("route_subnet_ids")
        .filter(|v| v.is_wholly_known() && !v.is_null())
        .map(|v| {
            v.elements()
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        });
    known_access(
        config,
        resolved,
        Some(observation),
        planned_subnets.as_ref(),
    )
}

/// The access of a configuration, when everything is known. `unset_subnets` stands for
/// `route_subnet_ids` when the configuration leaves it unset (what the plan decided); without
/// it, every subnet associated with the observed endpoint.
pub(crate) fn known_access(
    config: &Config,
    resolved: &BTreeMap<String, String>,
    observation: Option<&Observation>,
    unset_subnets: Option<&BTreeSet<String>>,
) -> Option<Access> {
    let route_subnet_ids = match config.route_subnet_ids.known()? {
        Some(ids) => ids.clone(),
        None => match unset_subnets {
            Some(ids) => ids.clone(),
            None => default_route_subnets(observation?),
        },
    };
    let directory_id = match config.directory_id.known()? {
        Some(id) => Some(id.clone()),
        None => observation.and_then(|o| o.endpoint.directory_id.clone()),
    };
    Some(Access {
        endpoint_id: config.endpoint_id.known()?.clone(),
        directory_id,
        groups: known_groups(config, resolved)?,
        route_subnet_ids,
        manage_routes: *config.manage_routes.known()?,
        allow_internet: *config.allow_internet.known()?,
        take_over: *config.take_over.known()?,
    })
}

/// The SIDs of `prior`'s groups whose rules another instance holds
/// ([`ownership::held_by_others`]), as a plan of `config` sees them; `None` while `take_over`
/// is unknown and some would be.
fn held_sids(
    config: &Config,
    prior: Option<&State>,
    observation: Option<&Observation>,
    owner_token: Option<&str>,
) -> Option<BTreeSet<String>> {
    let (Some(prior), Some(observation)) = (prior, observation) else {
        return Some(BTreeSet::new());
    };
    let held = |take_over: bool| -> BTreeSet<String> {
        ownership::held_by_others(
            &observation.endpoint.tags,
            owner_token,
            &prior.owned_sids(),
            take_over,
        )
    };
    match config.take_over.known() {
        Some(take_over) => Some(held(*take_over)),
        None => Some(held(false)).filter(BTreeSet::is_empty),
    }
}

fn set_attr(value: &mut Value, name: &str, new: Value) {
    if let Value::Object(attributes) = value {
        attributes.insert(name.to_string(), new);
    }
}

/// The planned new state of a create or update. `prior_defaulted`: the prior state's
/// `route_subnet_ids` follows the endpoint's associations (it was left unset).
/// `owner_token`: the instance's ownership token, from its private data.
pub(crate) fn planned_value(
    proposed: &Value,
    prior: Option<&State>,
    prior_defaulted: bool,
    config: &Config,
    resolved: &BTreeMap<String, String>,
    observation: Option<&Observation>,
    owner_token: Option<&str>,
) -> Value {
    let mut planned = proposed.clone();
    set_attr(
        &mut planned,
        "id",
        match config.endpoint_id.known() {
            Some(id) => Value::string(id.clone()),
            None => Value::unknown(),
        },
    );
    for (name, value) in [
        ("manage_routes", &config.manage_routes),
        ("allow_internet", &config.allow_internet),
    ] {
        set_attr(
            &mut planned,
            name,
            value
                .known()
                .map_or_else(Value::unknown, |b| Value::Bool(*b)),
        );
    }
    // Resolved SIDs of groups given by name.
    if let (Some(Value::Map(groups)), Maybe::Known(configured)) =
        (planned.attr("groups").cloned(), &config.groups)
    {
        let mut groups = groups;
        for (key, group) in groups.iter_mut() {
            let configured_sid = configured.get(key).map(|g| &g.sid);
            if let Some(Maybe::Known(None)) = configured_sid {
                set_attr(
                    group,
                    "sid",
                    resolved
                        .get(key)
                        .map_or_else(Value::unknown, |sid| Value::string(sid.clone())),
                );
            }
        }
        set_attr(&mut planned, "groups", Value::Map(groups));
    }
    let same_endpoint = prior.filter(|p| config.endpoint_id.known() == Some(&p.access.endpoint_id));
    set_attr(
        &mut planned,
        "directory_id",
        match (&config.directory_id, observation, same_endpoint) {
            (Maybe::Known(Some(id)), _, _) => Value::string(id.clone()),
            (Maybe::Known(None), Some(observation), _) => {
                object::optional_string(observation.endpoint.directory_id.as_deref())
            }
            (Maybe::Known(None), None, Some(prior)) => {
                object::optional_string(prior.access.directory_id.as_deref())
            }
            _ => Value::unknown(),
        },
    );
    // Unset, `route_subnet_ids` follows the endpoint's associations: the refresh before this
    // plan brought it up to date when it already followed them (`prior_defaulted`), so the
    // plan keeps it and shows exactly the routes that change; otherwise it is what the
    // associations are now.
    let route_subnet_ids = match &config.route_subnet_ids {
        Maybe::Known(Some(ids)) => Some(ids.clone()),
        Maybe::Known(None) => match same_endpoint {
            Some(prior) if prior_defaulted => Some(prior.access.route_subnet_ids.clone()),
            _ => observation.map(default_route_subnets),
        },
        Maybe::Unknown => None,
    };
    set_attr(
        &mut planned,
        "route_subnet_ids",
        route_subnet_ids
            .clone()
            .map_or_else(Value::unknown, object::string_set_value),
    );
    let client_cidr_block = match (observation, prior) {
        (Some(observation), _) => Some(observation.endpoint.client_cidr_block.clone()),
        (None, Some(prior)) if config.endpoint_id.known() == Some(&prior.access.endpoint_id) => {
            prior.client_cidr_block.clone()
        }
        _ => None,
    };
    set_attr(
        &mut planned,
        "client_cidr_block",
        client_cidr_block.map_or_else(Value::unknown, Value::string),
    );
    // Groups another instance holds are left to it: their rules, and routes only they need,
    // leave this state.
    let held = held_sids(config, prior, observation, owner_token);
    let groups = known_groups(config, resolved)
        .zip(held.as_ref())
        .map(|(mut groups, held)| {
            groups.retain(|_, group| !held.contains(&group.sid));
            groups
        });
    set_attr(
        &mut planned,
        "authorization_rules",
        groups
            .as_ref()
            .map_or_else(Value::unknown, |g| rules_value(&wanted_rule_entries(g), g)),
    );
    let access = match (&route_subnet_ids, &held) {
        (Some(ids), Some(held)) => {
            known_access(config, resolved, observation, Some(ids)).map(|a| a.without_sids(held))
        }
        _ => None,
    };
    set_attr(
        &mut planned,
        "routes",
        access
            .as_ref()
            .map_or_else(Value::unknown, |a| routes_value(&wanted_route_entries(a))),
    );
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::client_vpn_group_access::observed::{
        Association, DirectoryLookup, Endpoint, Route, Rule,
    };

    const SID: &str = "S-1-5-21-1-2-3-1104";

    fn observation(rules: Vec<Rule>, routes: Vec<Route>) -> Observation {
        Observation {
            endpoint: Endpoint {
                id: "cvpn-endpoint-0123456789abcdef0".into(),
                client_cidr_block: "172.16.0.0/22".into(),
                directory_id: Some("d-1234567890".into()),
                authentication: vec!["directory-service-authentication".into()],
                transit_gateway_id: None,
                transit_gateway_attachment_id: None,
                status: "available".into(),
                vpc_id: None,
                tags: Default::default(),
            },
            associations: vec![
                Association {
                    subnet_id: "subnet-a".into(),
                    status: "associated".into(),
                },
                Association {
                    subnet_id: "subnet-b".into(),
                    status: "associated".into(),
                },
            ],
            rules,
            routes,
            directory: DirectoryLookup::None,
            subnets: BTreeMap::new(),
            owner: None,
        }
    }

    fn rule(cidr: &str, description: &str, status: &str) -> Rule {
        Rule {
            group_id: Some(SID.into()),
            access_all: false,
            destination_cidr: cidr.into(),
            description: Some(description.into()),
            status: status.into(),
            message: None,
        }
    }

    fn route(cidr: &str, subnet: &str, origin: &str) -> Route {
        Route {
            destination_cidr: cidr.into(),
            subnet_id: subnet.into(),
            origin: origin.into(),
            status: "active".into(),
            message: None,
        }
    }

    fn state() -> State {
        let access = Access {
            endpoint_id: "cvpn-endpoint-0123456789abcdef0".into(),
            directory_id: None,
            groups: BTreeMap::from([(
                "eng".to_string(),
                Group {
                    sid: SID.into(),
                    name: None,
                    networks: [
                        "10.10.0.0/16".parse().unwrap(),
                        "192.168.0.0/16".parse().unwrap(),
                    ]
                    .into(),
                    description: None,
                },
            )]),
            route_subnet_ids: ["subnet-a".to_string()].into(),
            manage_routes: true,
            allow_internet: false,
            take_over: false,
        };
        State {
            rules: wanted_rule_entries(&access.groups),
            routes: wanted_route_entries(&access),
            access,
            timeouts: Value::Null,
            take_over: None,
            client_cidr_block: Some("172.16.0.0/22".into()),
        }
    }

    #[test]
    fn state_round_trips_through_its_value() {
        let state = state();
        assert_eq!(State::from_value(&state.to_value()), Some(state));
        assert_eq!(State::from_value(&Value::Null), None);
    }

    #[test]
    fn the_typed_state_is_the_schema_s_attributes() {
        use crate::framework::typed::{Holds, assert_matches_schema};
        let block = super::super::schema::schema().block;
        assert_matches_schema::<Stored>(&block, &[], Holds::Everything);
        assert_matches_schema::<StoredGroup>(&block, &["groups"], Holds::Everything);
        assert_matches_schema::<StoredRuleGroup>(
            &block,
            &["authorization_rules"],
            Holds::Everything,
        );
    }

    #[test]
    fn refresh_shows_out_of_band_changes() {
        let prior = state();
        let seen = observation(
            vec![
                rule("10.10.0.0/16", "eng", "active"),
                rule("172.31.0.0/16", "by hand", "active"),
                Rule {
                    group_id: Some("S-1-5-21-9-9-9-9".into()),
                    ..rule("10.99.0.0/16", "other", "active")
                },
            ],
            vec![
                route("10.10.0.0/16", "subnet-a", "associate"),
                route("10.10.0.0/16", "subnet-b", "associate"),
                route("192.168.0.0/16", "subnet-a", "add-route"),
            ],
        );
        let refreshed = prior.refreshed(&seen);
        let networks: Vec<String> = refreshed.access.groups["eng"]
            .networks
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            networks,
            ["10.10.0.0/16", "172.31.0.0/16"],
            "revoked and added by hand"
        );
        let cidrs: Vec<&str> = refreshed
            .rules
            .iter()
            .map(|r| r.destination_cidr.as_str())
            .collect();
        assert_eq!(
            cidrs,
            ["10.10.0.0/16", "172.31.0.0/16"],
            "the other SID is not ours"
        );
        let routes: Vec<(&str, &str)> = refreshed
            .routes
            .iter()
            .map(|r| (r.destination_cidr.as_str(), r.subnet_id.as_str()))
            .collect();
        assert_eq!(
            routes,
            [("10.10.0.0/16", "subnet-a"), ("192.168.0.0/16", "subnet-a")],
            "subnet-b is not a route subnet"
        );
        assert_ne!(refreshed, prior);
    }

    mod properties {
        use super::*;
        use crate::resources::client_vpn_group_access::observed::Rule;
        use proptest::prelude::*;

        fn config_value(
            groups: &BTreeMap<String, (String, BTreeSet<u8>, Option<String>)>,
            subnets: &BTreeSet<&str>,
        ) -> Value {
            Value::object([
                ("id", Value::Null),
                (
                    "client_vpn_endpoint_id",
                    Value::string("cvpn-endpoint-0123456789abcdef0"),
                ),
                ("directory_id", Value::Null),
                (
                    "groups",
                    Value::Map(
                        groups
                            .iter()
                            .map(|(key, (sid, nets, description))| {
                                (
                                    key.clone(),
                                    Value::object([
                                        ("sid", Value::string(sid.clone())),
                                        ("name", Value::Null),
                                        (
                                            "networks",
                                            Value::Set(
                                                nets.iter()
                                                    .map(|n| {
                                                        Value::string(format!("10.{n}.0.0/16"))
                                                    })
                                                    .collect(),
                                            ),
                                        ),
                                        (
                                            "description",
                                            object::optional_string(description.as_deref()),
                                        ),
                                    ]),
                                )
                            })
                            .collect(),
                    ),
                ),
                (
                    "route_subnet_ids",
                    Value::Set(subnets.iter().map(|s| Value::string(*s)).collect()),
                ),
                ("manage_routes", Value::Null),
                ("allow_internet", Value::Null),
                ("take_over", Value::Null),
                ("timeouts", Value::Null),
                ("client_cidr_block", Value::Null),
                ("authorization_rules", Value::Null),
                ("routes", Value::Null),
            ])
        }

        prop_compose! {
            fn arb_groups()(
                raw in proptest::collection::btree_map(
                    "[a-z]{1,6}",
                    (
                        proptest::collection::btree_set(0u8..6, 0..4),
                        proptest::option::of(proptest::sample::select(vec!["", "dc", "staging: dc"])),
                    ),
                    0..4,
                )
            ) -> BTreeMap<String, (String, BTreeSet<u8>, Option<String>)> {
                raw.into_iter()
                    .enumerate()
                    .map(|(i, (key, (nets, d)))| {
                        (key, (format!("S-1-5-21-1-2-3-{}", 1100 + i), nets, d.map(str::to_string)))
                    })
                    .collect()
            }
        }

        proptest! {
            /// What an apply leaves is what the next read sees and what the next plan plans:
            /// no perpetual diff, whatever the groups, networks and descriptions.
            #[test]
            fn apply_read_and_plan_agree(
                groups in arb_groups(),
                subnets in proptest::collection::btree_set(
                    proptest::sample::select(vec!["subnet-a", "subnet-b"]), 0..3),
            ) {
                let config_value = config_value(&groups, &subnets);
                let config = Config::parse(&config_value);
                let none = BTreeMap::new();
                // The apply observes the endpoint first (its directory is the default).
                let before = observation(Vec::new(), Vec::new());
                let access =
                    known_access(&config, &none, Some(&before), None).expect("wholly known");
                // The apply made exactly the wanted rules and routes.
                let mut progress = Progress::default();
                for (key, spec) in access.rules() {
                    progress.rules.insert(key, (spec.description, STATUS_ACTIVE.to_string()));
                }
                for key in access.routes() {
                    progress.routes.insert(key, STATUS_ACTIVE.to_string());
                }
                let applied = progress.state(&access, None, Some("172.16.0.0/22".into()), Value::Null);
                // AWS as that apply left it.
                let seen = observation(
                    progress
                        .rules
                        .iter()
                        .map(|(k, (d, status))| Rule {
                            group_id: Some(k.sid.clone()),
                            access_all: false,
                            destination_cidr: k.cidr.to_string(),
                            description: d.clone(),
                            status: status.clone(),
                            message: None,
                        })
                        .collect(),
                    progress
                        .routes
                        .keys()
                        .map(|k| route(&k.destination.to_string(), &k.subnet_id, "add-route"))
                        .collect(),
                );
                let refreshed = applied.refreshed(&seen);
                prop_assert_eq!(&refreshed, &applied);
                let planned = planned_value(&applied.to_value(), Some(&refreshed), false, &config, &none, Some(&seen), None);
                prop_assert_eq!(&planned, &applied.to_value());
                // The create's plan already knew every value that does not come from AWS.
                let created = planned_value(&config_value, None, false, &config, &none, Some(&seen), None);
                let applied_value = applied.to_value();
                for name in ["groups", "authorization_rules", "routes", "route_subnet_ids", "client_cidr_block", "id"] {
                    prop_assert_eq!(created.attr(name), applied_value.attr(name), "{}", name);
                }
            }
        }
    }

    #[test]
    fn partial_progress_keeps_groups_being_removed() {
        let prior = state();
        let mut planned = prior.access.clone();
        planned.groups.clear();
        let mut progress = Progress::default();
        progress.rules.insert(
            RuleKey {
                sid: SID.into(),
                cidr: "10.10.0.0/16".parse().unwrap(),
            },
            (Some("eng".into()), "revoking".into()),
        );
        let partial = progress.state(&planned, Some(&prior), None, Value::Null);
        assert!(partial.access.groups.contains_key("eng"));
        assert_eq!(partial.rules[0].group, "eng");
        assert_eq!(partial.rules[0].status, "revoking");
        assert!(
            partial.access.groups["eng"].networks.is_empty(),
            "a revoking rule grants nothing"
        );
        let done = Progress::default().state(&planned, Some(&prior), None, Value::Null);
        assert!(done.access.groups.is_empty());
    }
}
