//! `terraform import migration_client_vpn_group_access.<name> cvpn-endpoint-…`: rebuilds the
//! groups from the endpoint's per-SID rules, keyed by what their descriptions carry
//! (`<key>` or `<key>: <description>`, see [`rule_description`]) or else by SID, and the routes
//! to their networks, so that a plan right after the import is empty for a configuration that
//! matches what exists.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{
    Access, Config, DEFAULT_MANAGE_ROUTES, Group, Maybe, Phase, group_key_problem,
    parse_rule_description, rule_description,
};
use super::observe;
use super::observed::Observation;
use super::state::{self, State};
use super::{Planned, validate};
use crate::framework::context::Ctx;
use crate::framework::failures::report;
use crate::framework::resource::Imported;
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;

/// The state an import of the observed endpoint gives, with warnings about what a matching
/// configuration cannot reproduce.
pub(crate) fn imported_state(observation: &Observation) -> (State, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    // Per SID: the description of each rule that grants access.
    let mut by_sid: BTreeMap<String, Vec<(ipnet::Ipv4Net, Option<String>)>> = BTreeMap::new();
    for rule in &observation.rules {
        if let Some(key) = rule.key()
            && matches!(rule.phase(), Phase::Active | Phase::Arriving)
        {
            by_sid
                .entry(key.sid)
                .or_default()
                .push((key.cidr, rule.description.clone()));
        }
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (sid, rules) in &by_sid {
        // The most common (key, description) among the SID's rules; ties by order.
        let mut counts: BTreeMap<(Option<String>, Option<String>), usize> = BTreeMap::new();
        for (_, description) in rules {
            *counts
                .entry(parse_rule_description(description.as_deref()))
                .or_default() += 1;
        }
        let ((key, description), _) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, n)| (k.clone(), *n))
            .unwrap_or(((None, Some(String::new())), 0));
        let usable = key.as_ref().filter(|k| {
            group_key_problem(k).is_none() && !taken.contains(*k) && !by_sid.contains_key(*k)
        });
        let (key, description) = match usable {
            Some(key) => (key.clone(), description),
            None => {
                if let Some(wanted) = &key {
                    diagnostics.warning_at(
                        Path::root().attr("groups").key(sid.as_str()),
                        "Group keyed by its SID",
                        format!(
                            "The rules of {sid} are described as {wanted:?}, which cannot be a \
                             group key here (another group has it, or it is not a valid key), \
                             so the group is keyed by its SID. Applying a configuration with \
                             another key re-creates its rules with descriptions carrying that \
                             key."
                        ),
                    );
                }
                (sid.clone(), Some(String::new()))
            }
        };
        let expected = rule_description(&key, description.as_deref());
        let differing: Vec<String> = rules
            .iter()
            .filter(|(_, d)| *d != expected)
            .map(|(cidr, _)| cidr.to_string())
            .collect();
        if !differing.is_empty() {
            diagnostics.warning_at(
                Path::root().attr("groups").key(key.as_str()),
                "Rules with other descriptions",
                format!(
                    "The rules of group {key:?} ({sid}) for {} are not described as {:?}; the \
                     next apply re-creates them with that description (rules cannot be updated \
                     in place).",
                    differing.join(", "),
                    expected.as_deref().unwrap_or("")
                ),
            );
        }
        taken.insert(key.clone());
        groups.insert(
            key,
            Group {
                sid: sid.clone(),
                name: None,
                networks: rules.iter().map(|(cidr, _)| *cidr).collect(),
                description,
            },
        );
    }
    let destinations: BTreeSet<ipnet::Ipv4Net> = groups
        .values()
        .flat_map(|g| g.networks.iter().copied())
        .collect();
    let usable: BTreeSet<String> = observation
        .usable_subnets()
        .map(|a| a.subnet_id.clone())
        .collect();
    // The subnets routes to the groups' networks go through; all of them when there are none.
    let routed: BTreeSet<String> = observation
        .routes
        .iter()
        .filter_map(|r| r.key())
        .filter(|k| destinations.contains(&k.destination) && usable.contains(&k.subnet_id))
        .map(|k| k.subnet_id)
        .collect();
    let access = Access {
        endpoint_id: observation.endpoint.id.clone(),
        directory_id: None,
        allow_internet: destinations.iter().any(|d| d.prefix_len() == 0),
        groups,
        route_subnet_ids: if routed.is_empty() { usable } else { routed },
        manage_routes: DEFAULT_MANAGE_ROUTES,
        take_over: false,
    };
    if access.groups.is_empty() {
        diagnostics.warning(
            "No per-group rules to import",
            format!(
                "Endpoint {} has no authorization rule for a group SID; the imported resource \
                 has no groups.",
                observation.endpoint.id
            ),
        );
    }
    let skeleton = State {
        access,
        timeouts: Value::Null,
        take_over: None,
        client_cidr_block: None,
        rules: Vec::new(),
        routes: Vec::new(),
    };
    (skeleton.refreshed(observation), diagnostics)
}

/// `ImportResourceState`: the endpoint's groups and routes as a state, or why not.
pub(super) async fn import(ctx: &Ctx, id: &str) -> Result<Imported<Planned>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let probe = Config {
        endpoint_id: Maybe::Known(id.to_string()),
        directory_id: Maybe::Known(None),
        groups: Maybe::Known(BTreeMap::new()),
        route_subnet_ids: Maybe::Known(None),
        manage_routes: Maybe::Known(true),
        allow_internet: Maybe::Known(false),
        take_over: Maybe::Known(false),
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
        return Err(diagnostics);
    }
    let scope = observe::Scope {
        associations: true,
        directory: None,
        subnets: &[],
    };
    match observe::observe(&ctx.aws(), id, scope).await {
        Ok(Some(observation)) => {
            let (state, warnings) = imported_state(&observation);
            // Routes through every associated subnet read as the default.
            let follows_associations =
                state.access.route_subnet_ids == state::default_route_subnets(&observation);
            Ok(Imported {
                state: state.to_value(),
                private: Planned {
                    checked: false,
                    follows_associations,
                    owner_token: Some(super::ownership::token_for(
                        &observation.endpoint.tags,
                        &state.owned_sids(),
                    )),
                },
                diagnostics: warnings,
            })
        }
        Ok(None) => {
            diagnostics.error(
                "Cannot import non-existent remote object",
                format!("Client VPN endpoint {id} does not exist in this account and Region."),
            );
            Err(diagnostics)
        }
        Err(error) => {
            report(
                &mut diagnostics,
                "Cannot read the Client VPN endpoint",
                &error,
            );
            Err(diagnostics)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::client_vpn_group_access::observed::active_rule as rule;
    use crate::resources::client_vpn_group_access::observed::{
        Association, DirectoryLookup, Endpoint, Route, Rule,
    };
    use crate::resources::client_vpn_group_access::state::{
        wanted_route_entries, wanted_rule_entries,
    };

    const A: &str = "S-1-5-21-1-2-3-1104";
    const B: &str = "S-1-5-21-1-2-3-1105";
    const C: &str = "S-1-5-21-1-2-3-1106";

    fn route(cidr: &str, subnet: &str, origin: &str) -> Route {
        Route {
            destination_cidr: cidr.into(),
            subnet_id: subnet.into(),
            origin: origin.into(),
            status: "active".into(),
            message: None,
        }
    }

    fn observation(rules: Vec<Rule>, routes: Vec<Route>) -> Observation {
        Observation {
            endpoint: Endpoint {
                id: "cvpn-endpoint-0123456789abcdef0".into(),
                client_cidr_block: "172.16.0.0/22".into(),
                directory_id: None,
                authentication: vec![],
                transit_gateway_id: None,
                transit_gateway_attachment_id: None,
                status: "available".into(),
                vpc_id: None,
                tags: Default::default(),
            },
            associations: ["subnet-a", "subnet-b", "subnet-c"]
                .iter()
                .map(|s| Association {
                    subnet_id: s.to_string(),
                    status: "associated".into(),
                })
                .collect(),
            rules,
            routes,
            directory: DirectoryLookup::None,
            subnets: BTreeMap::new(),
            owner: None,
        }
    }

    #[test]
    fn groups_come_back_with_their_keys_and_descriptions() {
        let seen = observation(
            vec![
                rule(A, "10.10.0.0/16", Some("migration_engineers: staging + dc")),
                rule(
                    A,
                    "192.168.0.0/16",
                    Some("migration_engineers: staging + dc"),
                ),
                rule(B, "10.20.0.0/16", Some("internal_it")),
                rule(C, "10.30.0.0/16", None),
                Rule {
                    group_id: None,
                    access_all: true,
                    ..rule(A, "0.0.0.0/0", None)
                },
            ],
            vec![
                route("10.10.0.0/16", "subnet-a", "associate"),
                route("10.10.0.0/16", "subnet-b", "add-route"),
                route("192.168.0.0/16", "subnet-a", "add-route"),
                route("192.168.0.0/16", "subnet-b", "add-route"),
                route("10.20.0.0/16", "subnet-a", "add-route"),
                route("10.20.0.0/16", "subnet-b", "add-route"),
                route("10.30.0.0/16", "subnet-a", "add-route"),
                route("10.30.0.0/16", "subnet-b", "add-route"),
            ],
        );
        let (state, diagnostics) = imported_state(&seen);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let keys: Vec<&str> = state.access.groups.keys().map(String::as_str).collect();
        assert_eq!(keys, [C, "internal_it", "migration_engineers"]);
        let eng = &state.access.groups["migration_engineers"];
        assert_eq!(eng.description.as_deref(), Some("staging + dc"));
        assert_eq!(state.access.groups["internal_it"].description, None);
        assert_eq!(state.access.groups[C].description.as_deref(), Some(""));
        assert_eq!(
            state.access.route_subnet_ids,
            ["subnet-a".to_string(), "subnet-b".to_string()].into(),
            "subnet-c carries no route to these networks"
        );
        assert!(
            !state.access.allow_internet,
            "the all-groups rule is not imported"
        );
        // What the imported groups call for is exactly what exists: the plan after import is
        // empty for the matching configuration.
        assert_eq!(state.rules, wanted_rule_entries(&state.access.groups));
        assert_eq!(state.routes, wanted_route_entries(&state.access));
    }

    #[test]
    fn keys_that_cannot_be_used_fall_back_to_the_sid() {
        let seen = observation(
            vec![
                rule(A, "10.10.0.0/16", Some("ops")),
                rule(B, "10.20.0.0/16", Some("ops")),
                rule(B, "10.21.0.0/16", Some("something else")),
                rule(B, "10.22.0.0/16", Some("ops")),
            ],
            vec![],
        );
        let (state, diagnostics) = imported_state(&seen);
        let keys: Vec<&str> = state.access.groups.keys().map(String::as_str).collect();
        assert_eq!(keys, [B, "ops"]);
        assert_eq!(state.access.groups["ops"].sid, A);
        let summaries: Vec<&str> = diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert!(
            summaries.contains(&"Group keyed by its SID"),
            "{summaries:?}"
        );
        assert!(
            summaries.contains(&"Rules with other descriptions"),
            "{summaries:?}"
        );
        assert_eq!(
            state.access.route_subnet_ids.len(),
            3,
            "no routes yet: every associated subnet"
        );
    }
}
