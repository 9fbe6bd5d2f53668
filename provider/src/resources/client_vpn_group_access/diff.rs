//! What has to change on AWS for the rules and routes to be exactly the wanted ones: pure, so
//! every combination of wanted and observed state (including objects left half-way by an
//! interrupted apply) is tested without AWS.
//!
//! Ownership decides what may be removed: every per-group rule of a SID the resource manages
//! (now or in its prior state), and the routes its state lists. Everything else on the endpoint
//! belongs to someone else and is left alone.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Phase, RouteKey, RuleKey, RuleSpec};
use super::observed::{Route, Rule};

/// The changes, by kind. Removals and waits for objects on their way out come first; the
/// additions and waits for objects on their way in after them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub revoke: Vec<RuleKey>,
    /// Rules already being revoked (an interrupted apply, or someone else).
    pub await_rules_gone: Vec<RuleKey>,
    pub authorize: Vec<(RuleKey, Option<String>)>,
    /// Wanted rules already being authorized, exactly as wanted.
    pub await_rules_active: Vec<(RuleKey, Option<String>)>,
    pub delete_routes: Vec<RouteKey>,
    pub await_routes_gone: Vec<RouteKey>,
    pub create_routes: Vec<RouteKey>,
    pub await_routes_active: Vec<RouteKey>,
    /// Owned routes AWS added on association that are no longer wanted: they cannot be
    /// deleted (only disassociating the subnet removes them), so they are just no longer managed.
    pub released_routes: Vec<RouteKey>,
    /// Wanted routes in a state no API call can repair, with AWS's explanation.
    pub unrepairable_routes: Vec<(RouteKey, String)>,
}

impl Changes {
    /// API calls that mutate the endpoint (each counts against the rate limit).
    pub(crate) fn mutation_count(&self) -> usize {
        self.revoke.len()
            + self.authorize.len()
            + self.delete_routes.len()
            + self.create_routes.len()
    }
}

/// Compares the wanted rules and routes with what AWS holds.
pub(crate) fn diff(
    wanted_rules: &BTreeMap<RuleKey, RuleSpec>,
    wanted_routes: &BTreeSet<RouteKey>,
    owned_sids: &BTreeSet<String>,
    owned_routes: &BTreeSet<RouteKey>,
    observed_rules: &[Rule],
    observed_routes: &[Route],
) -> Changes {
    let mut changes = Changes::default();

    let mut rules: BTreeMap<RuleKey, &Rule> = BTreeMap::new();
    for rule in observed_rules {
        if let Some(key) = rule.key()
            && (owned_sids.contains(&key.sid) || wanted_rules.contains_key(&key))
        {
            rules.entry(key).or_insert(rule);
        }
    }
    let keys: BTreeSet<&RuleKey> = wanted_rules.keys().chain(rules.keys()).collect();
    for key in keys {
        match (wanted_rules.get(key), rules.get(key)) {
            (Some(spec), None) => changes
                .authorize
                .push((key.clone(), spec.description.clone())),
            (Some(spec), Some(seen)) => {
                let wanted_description = spec.description.clone();
                match seen.phase() {
                    Phase::Leaving => {
                        changes.await_rules_gone.push(key.clone());
                        changes.authorize.push((key.clone(), wanted_description));
                    }
                    Phase::Failed => {
                        changes.revoke.push(key.clone());
                        changes.authorize.push((key.clone(), wanted_description));
                    }
                    Phase::Arriving | Phase::Active if seen.description != wanted_description => {
                        // No update on AWS: a new description is a new rule.
                        changes.revoke.push(key.clone());
                        changes.authorize.push((key.clone(), wanted_description));
                    }
                    Phase::Arriving => changes
                        .await_rules_active
                        .push((key.clone(), wanted_description)),
                    Phase::Active => {}
                }
            }
            (None, Some(seen)) => match seen.phase() {
                Phase::Leaving => changes.await_rules_gone.push(key.clone()),
                _ => changes.revoke.push(key.clone()),
            },
            (None, None) => {}
        }
    }

    let mut routes: BTreeMap<RouteKey, &Route> = BTreeMap::new();
    for route in observed_routes {
        if let Some(key) = route.key()
            && (owned_routes.contains(&key) || wanted_routes.contains(&key))
        {
            routes.entry(key).or_insert(route);
        }
    }
    let keys: BTreeSet<&RouteKey> = wanted_routes.iter().chain(routes.keys()).collect();
    for key in keys {
        let wanted = wanted_routes.contains(key);
        match (wanted, routes.get(key)) {
            (true, None) => changes.create_routes.push(key.clone()),
            (true, Some(seen)) => match seen.phase() {
                Phase::Leaving => {
                    changes.await_routes_gone.push(key.clone());
                    changes.create_routes.push(key.clone());
                }
                Phase::Failed if seen.added_by_association() => {
                    changes.unrepairable_routes.push((
                        key.clone(),
                        seen.message
                            .clone()
                            .unwrap_or_else(|| "AWS reports it as failed".to_string()),
                    ));
                }
                Phase::Failed => {
                    changes.delete_routes.push(key.clone());
                    changes.create_routes.push(key.clone());
                }
                Phase::Arriving => changes.await_routes_active.push(key.clone()),
                Phase::Active => {}
            },
            (false, Some(seen)) if seen.added_by_association() => {
                changes.released_routes.push(key.clone())
            }
            (false, Some(seen)) => match seen.phase() {
                Phase::Leaving => changes.await_routes_gone.push(key.clone()),
                _ => changes.delete_routes.push(key.clone()),
            },
            (false, None) => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: &str = "S-1-5-21-1-2-3-1104";
    const B: &str = "S-1-5-21-1-2-3-1105";
    const OTHER: &str = "S-1-5-21-9-9-9-2000";

    fn rule_key(sid: &str, cidr: &str) -> RuleKey {
        RuleKey {
            sid: sid.into(),
            cidr: cidr.parse().unwrap(),
        }
    }

    fn route_key(destination: &str, subnet: &str) -> RouteKey {
        RouteKey {
            destination: destination.parse().unwrap(),
            subnet_id: subnet.into(),
        }
    }

    fn seen_rule(sid: &str, cidr: &str, description: Option<&str>, status: &str) -> Rule {
        Rule {
            group_id: Some(sid.into()),
            access_all: false,
            destination_cidr: cidr.into(),
            description: description.map(str::to_string),
            status: status.into(),
            message: None,
        }
    }

    fn seen_route(destination: &str, subnet: &str, origin: &str, status: &str) -> Route {
        Route {
            destination_cidr: destination.into(),
            subnet_id: subnet.into(),
            origin: origin.into(),
            status: status.into(),
            message: None,
        }
    }

    fn wanted(rules: &[(&str, &str, Option<&str>)]) -> BTreeMap<RuleKey, RuleSpec> {
        rules
            .iter()
            .map(|(sid, cidr, description)| {
                (
                    rule_key(sid, cidr),
                    RuleSpec {
                        group: "g".into(),
                        description: description.map(str::to_string),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn only_the_delta_changes_and_a_new_description_replaces_one_rule() {
        let wanted_rules = wanted(&[
            (A, "10.10.0.0/16", Some("eng")),
            (A, "192.168.0.0/16", Some("eng: dc")),
            (B, "10.20.0.0/16", Some("it")),
        ]);
        let observed = [
            seen_rule(A, "10.10.0.0/16", Some("eng"), "active"),
            seen_rule(A, "192.168.0.0/16", Some("eng"), "active"),
            seen_rule(A, "172.31.0.0/16", Some("eng"), "active"),
            seen_rule(OTHER, "10.10.0.0/16", None, "active"),
        ];
        let owned: BTreeSet<String> = [A.to_string()].into();
        let changes = diff(
            &wanted_rules,
            &BTreeSet::new(),
            &owned,
            &BTreeSet::new(),
            &observed,
            &[],
        );
        assert_eq!(
            changes.revoke,
            vec![rule_key(A, "172.31.0.0/16"), rule_key(A, "192.168.0.0/16")]
        );
        assert_eq!(
            changes.authorize,
            vec![
                (rule_key(A, "192.168.0.0/16"), Some("eng: dc".into())),
                (rule_key(B, "10.20.0.0/16"), Some("it".into())),
            ]
        );
        assert_eq!(
            changes.mutation_count(),
            4,
            "the other group's rule is not touched"
        );
    }

    #[test]
    fn interrupted_objects_are_awaited_or_repaired() {
        let wanted_rules = wanted(&[
            (A, "10.1.0.0/16", Some("a")),
            (A, "10.2.0.0/16", Some("a")),
            (A, "10.3.0.0/16", Some("a")),
        ]);
        let observed = [
            seen_rule(A, "10.1.0.0/16", Some("a"), "authorizing"),
            seen_rule(A, "10.2.0.0/16", Some("a"), "revoking"),
            seen_rule(A, "10.3.0.0/16", Some("a"), "failed"),
            seen_rule(A, "10.4.0.0/16", Some("a"), "revoking"),
        ];
        let owned: BTreeSet<String> = [A.to_string()].into();
        let changes = diff(
            &wanted_rules,
            &BTreeSet::new(),
            &owned,
            &BTreeSet::new(),
            &observed,
            &[],
        );
        assert_eq!(
            changes.await_rules_active,
            vec![(rule_key(A, "10.1.0.0/16"), Some("a".into()))]
        );
        assert_eq!(
            changes.await_rules_gone,
            vec![rule_key(A, "10.2.0.0/16"), rule_key(A, "10.4.0.0/16")]
        );
        assert_eq!(changes.revoke, vec![rule_key(A, "10.3.0.0/16")]);
        let authorized: Vec<_> = changes.authorize.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(
            authorized,
            vec![rule_key(A, "10.2.0.0/16"), rule_key(A, "10.3.0.0/16")]
        );
    }

    #[test]
    fn association_routes_are_used_but_never_created_or_deleted() {
        let wanted_routes: BTreeSet<RouteKey> = [
            route_key("10.10.0.0/16", "subnet-a"),
            route_key("192.168.0.0/16", "subnet-a"),
        ]
        .into();
        let owned: BTreeSet<RouteKey> = [
            route_key("10.10.0.0/16", "subnet-a"),
            route_key("10.20.0.0/16", "subnet-b"),
            route_key("10.30.0.0/16", "subnet-b"),
        ]
        .into();
        let observed = [
            seen_route("10.10.0.0/16", "subnet-a", "associate", "active"),
            seen_route("10.20.0.0/16", "subnet-b", "associate", "active"),
            seen_route("10.30.0.0/16", "subnet-b", "add-route", "active"),
            seen_route("10.99.0.0/16", "subnet-b", "add-route", "active"),
        ];
        let changes = diff(
            &BTreeMap::new(),
            &wanted_routes,
            &BTreeSet::new(),
            &owned,
            &[],
            &observed,
        );
        assert_eq!(
            changes.create_routes,
            vec![route_key("192.168.0.0/16", "subnet-a")]
        );
        assert_eq!(
            changes.delete_routes,
            vec![route_key("10.30.0.0/16", "subnet-b")]
        );
        assert_eq!(
            changes.released_routes,
            vec![route_key("10.20.0.0/16", "subnet-b")]
        );
    }

    type Held = (
        BTreeMap<RuleKey, (Option<String>, Phase)>,
        BTreeMap<RouteKey, Phase>,
    );

    /// What AWS holds after the changes ran: phase one (removals and waits for leaving
    /// objects), then phase two.
    fn simulate(observed_rules: &[Rule], observed_routes: &[Route], changes: &Changes) -> Held {
        let mut rules: BTreeMap<RuleKey, (Option<String>, Phase)> = observed_rules
            .iter()
            .filter_map(|r| Some((r.key()?, (r.description.clone(), r.phase()))))
            .collect();
        let mut routes: BTreeMap<RouteKey, Phase> = observed_routes
            .iter()
            .filter_map(|r| Some((r.key()?, r.phase())))
            .collect();
        for key in changes.revoke.iter().chain(&changes.await_rules_gone) {
            assert!(
                rules.remove(key).is_some(),
                "removing a missing rule {key:?}"
            );
        }
        for key in changes
            .delete_routes
            .iter()
            .chain(&changes.await_routes_gone)
        {
            assert!(
                routes.remove(key).is_some(),
                "removing a missing route {key:?}"
            );
        }
        for (key, description) in &changes.authorize {
            assert!(!rules.contains_key(key), "duplicate authorization {key:?}");
            rules.insert(key.clone(), (description.clone(), Phase::Active));
        }
        for (key, description) in &changes.await_rules_active {
            let entry = rules.get_mut(key).expect("awaited rule exists");
            assert_eq!(&entry.0, description);
            entry.1 = Phase::Active;
        }
        for key in &changes.create_routes {
            assert!(!routes.contains_key(key), "duplicate route {key:?}");
            routes.insert(key.clone(), Phase::Active);
        }
        for key in &changes.await_routes_active {
            *routes.get_mut(key).expect("awaited route exists") = Phase::Active;
        }
        (rules, routes)
    }

    fn arb_status(kind: &'static [&'static str]) -> impl Strategy<Value = String> {
        proptest::sample::select(kind).prop_map(str::to_string)
    }

    prop_compose! {
        fn arb_rule()(
            sid in proptest::sample::select(vec![A, B, OTHER]),
            net in 0u8..4,
            description in proptest::option::of(proptest::sample::select(vec!["x", "y"])),
            status in arb_status(&["authorizing", "active", "failed", "revoking"]),
        ) -> Rule {
            seen_rule(sid, &format!("10.{net}.0.0/16"), description, &status)
        }
    }

    prop_compose! {
        fn arb_route()(
            net in 0u8..4,
            subnet in proptest::sample::select(vec!["subnet-a", "subnet-b"]),
            origin in proptest::sample::select(vec!["associate", "add-route"]),
            status in arb_status(&["creating", "active", "deleting"]),
        ) -> Route {
            seen_route(&format!("10.{net}.0.0/16"), subnet, origin, &status)
        }
    }

    proptest! {
        #[test]
        fn applying_the_changes_gives_exactly_what_is_wanted(
            observed_rules in proptest::collection::vec(arb_rule(), 0..10),
            observed_routes in proptest::collection::vec(arb_route(), 0..8),
            wanted_raw in proptest::collection::btree_map(
                (proptest::sample::select(vec![A, B]), 0u8..4),
                proptest::option::of(proptest::sample::select(vec!["x", "y"])),
                0..6,
            ),
            wanted_route_raw in proptest::collection::btree_set(
                (0u8..4, proptest::sample::select(vec!["subnet-a", "subnet-b"])), 0..5),
            owned_route_raw in proptest::collection::btree_set(
                (0u8..4, proptest::sample::select(vec!["subnet-a", "subnet-b"])), 0..5),
            owns_b in any::<bool>(),
        ) {
            // AWS holds at most one rule per (SID, CIDR) and one route per (CIDR, subnet).
            let mut seen_keys = BTreeSet::new();
            let observed_rules: Vec<Rule> = observed_rules.into_iter()
                .filter(|r| seen_keys.insert(r.key().unwrap())).collect();
            let mut seen_keys = BTreeSet::new();
            let observed_routes: Vec<Route> = observed_routes.into_iter()
                .filter(|r| seen_keys.insert(r.key().unwrap())).collect();
            let wanted_rules: BTreeMap<RuleKey, RuleSpec> = wanted_raw.iter()
                .map(|((sid, net), d)| (rule_key(sid, &format!("10.{net}.0.0/16")),
                    RuleSpec { group: "g".into(), description: d.map(str::to_string) }))
                .collect();
            let wanted_routes: BTreeSet<RouteKey> = wanted_route_raw.iter()
                .map(|(net, s)| route_key(&format!("10.{net}.0.0/16"), s)).collect();
            let owned_routes: BTreeSet<RouteKey> = owned_route_raw.iter()
                .map(|(net, s)| route_key(&format!("10.{net}.0.0/16"), s)).collect();
            let mut owned_sids: BTreeSet<String> = [A.to_string()].into();
            if owns_b { owned_sids.insert(B.to_string()); }

            let changes = diff(&wanted_rules, &wanted_routes, &owned_sids, &owned_routes,
                &observed_rules, &observed_routes);
            let (rules, routes) = simulate(&observed_rules, &observed_routes, &changes);

            // Owned or wanted rules are now exactly the wanted ones, all active.
            let managed = |k: &RuleKey| owned_sids.contains(&k.sid) || wanted_rules.contains_key(k);
            for (key, spec) in &wanted_rules {
                prop_assert_eq!(rules.get(key), Some(&(spec.description.clone(), Phase::Active)));
            }
            for key in rules.keys() {
                prop_assert!(!managed(key) || wanted_rules.contains_key(key), "left {:?}", key);
            }
            // Rules of others are untouched.
            for rule in &observed_rules {
                let key = rule.key().unwrap();
                if !managed(&key) {
                    prop_assert_eq!(rules.get(&key), Some(&(rule.description.clone(), rule.phase())));
                }
            }
            // Wanted routes are active; owned routes not wanted are gone unless AWS made them.
            for key in &wanted_routes {
                prop_assert_eq!(routes.get(key), Some(&Phase::Active));
            }
            for route in &observed_routes {
                let key = route.key().unwrap();
                if owned_routes.contains(&key) && !wanted_routes.contains(&key) {
                    prop_assert_eq!(routes.contains_key(&key), route.added_by_association());
                }
                if !owned_routes.contains(&key) && !wanted_routes.contains(&key) {
                    prop_assert_eq!(routes.get(&key), Some(&route.phase()));
                }
            }
        }
    }
}
