//! The changes as an ordered plan of operations for the engine.
//!
//! Two phases. First everything leaves: rules are revoked (access is withdrawn before anything
//! is granted, and the 200-rule quota is freed for the additions), routes no longer wanted are
//! deleted, and objects already on their way out are awaited — a rule whose description changes
//! must be gone before it can be authorized again. Then everything arrives: routes first, so
//! that a network is reachable by the time its rule grants access, then rules.

use std::collections::BTreeMap;

use super::diff::Changes;
use super::model::{Group, RouteKey, RuleKey};
use crate::engine::OperationPlan;

/// One operation; each holds one of the endpoint's mutation slots from its API call (or, for
/// waits, from its start) until the object leaves its transitional state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Revoke(RuleKey),
    AwaitRuleGone(RuleKey),
    DeleteRoute(RouteKey),
    AwaitRouteGone(RouteKey),
    CreateRoute(RouteKey),
    AwaitRouteActive(RouteKey),
    Authorize(RuleKey, Option<String>),
    AwaitRuleActive(RuleKey, Option<String>),
}

pub(crate) const PHASE_REMOVE: &str = "remove";
pub(crate) const PHASE_ADD: &str = "add";

pub(crate) fn operations(changes: &Changes) -> OperationPlan<Op> {
    let mut plan = OperationPlan::default();
    let removals = changes
        .revoke
        .iter()
        .cloned()
        .map(Op::Revoke)
        .chain(
            changes
                .await_rules_gone
                .iter()
                .cloned()
                .map(Op::AwaitRuleGone),
        )
        .chain(changes.delete_routes.iter().cloned().map(Op::DeleteRoute))
        .chain(
            changes
                .await_routes_gone
                .iter()
                .cloned()
                .map(Op::AwaitRouteGone),
        )
        .collect();
    plan.then(PHASE_REMOVE, removals);
    let additions = changes
        .create_routes
        .iter()
        .cloned()
        .map(Op::CreateRoute)
        .chain(
            changes
                .await_routes_active
                .iter()
                .cloned()
                .map(Op::AwaitRouteActive),
        )
        .chain(
            changes
                .authorize
                .iter()
                .map(|(key, description)| Op::Authorize(key.clone(), description.clone())),
        )
        .chain(
            changes
                .await_rules_active
                .iter()
                .map(|(key, description)| Op::AwaitRuleActive(key.clone(), description.clone())),
        )
        .collect();
    plan.then(PHASE_ADD, additions);
    plan
}

/// Which group a SID belongs to, for messages.
fn group_of(groups: &BTreeMap<String, Group>, sid: &str) -> String {
    groups
        .iter()
        .find(|(_, g)| g.sid == sid)
        .map(|(key, _)| format!("group {key:?}"))
        .unwrap_or_else(|| format!("the group with SID {sid}"))
}

/// A sentence naming what failed, for the diagnostic of a failed operation.
pub(crate) fn describe(op: &Op, groups: &BTreeMap<String, Group>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(cidr: &str) -> RuleKey {
        RuleKey {
            sid: "S-1-5-21-1-2-3-1104".into(),
            cidr: cidr.parse().unwrap(),
        }
    }

    fn route(cidr: &str) -> RouteKey {
        RouteKey {
            destination: cidr.parse().unwrap(),
            subnet_id: "subnet-a".into(),
        }
    }

    #[test]
    fn removals_precede_additions_and_empty_phases_vanish() {
        let changes = Changes {
            revoke: vec![rule("10.1.0.0/16")],
            authorize: vec![(rule("10.1.0.0/16"), Some("eng: new".into()))],
            create_routes: vec![route("10.2.0.0/16")],
            ..Changes::default()
        };
        let plan = operations(&changes);
        let phases: Vec<_> = plan.phases.iter().map(|p| p.name).collect();
        assert_eq!(phases, vec![PHASE_REMOVE, PHASE_ADD]);
        assert_eq!(
            plan.phases[0].operations,
            vec![Op::Revoke(rule("10.1.0.0/16"))]
        );
        assert_eq!(
            plan.phases[1].operations,
            vec![
                Op::CreateRoute(route("10.2.0.0/16")),
                Op::Authorize(rule("10.1.0.0/16"), Some("eng: new".into())),
            ]
        );

        let only_additions = Changes {
            create_routes: vec![route("10.2.0.0/16")],
            ..Changes::default()
        };
        let plan = operations(&only_additions);
        assert_eq!(plan.phases.len(), 1);
        assert_eq!(plan.phases[0].name, PHASE_ADD);
        assert!(operations(&Changes::default()).is_empty());
    }
}
