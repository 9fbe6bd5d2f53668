//! The changes as an ordered plan of operations for the engine.
//!
//! Two phases. First everything leaves: rules are revoked (access is withdrawn before anything
//! is granted, and the 200-rule quota is freed for the additions), routes no longer wanted are
//! deleted, and objects already on their way out are awaited — a rule whose description changes
//! must be gone before it can be authorized again. Then everything arrives: routes first, so
//! that a network is reachable by the time its rule grants access, then rules.
//!
//! Ownership ([`ownership`](super::ownership)) frames them: the SIDs this apply keeps are
//! claimed before any rule changes (another instance's destroy then leaves them), and this
//! instance's tags of SIDs it gives up are released once their rules are gone.

use std::collections::BTreeMap;

use std::collections::BTreeSet;

use super::diff::Changes;
use super::model::{Group, RouteKey, RuleKey};
use super::ownership::Handover;
use crate::aws::Tags;
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
    /// Tags the endpoint: these SIDs' rules are this instance's (one CreateTags).
    Claim(BTreeSet<String>),
    /// Deletes this instance's ownership tags (key → value as observed; one DeleteTags).
    Release(Tags),
}

pub(crate) const PHASE_CLAIM: &str = "claim";
pub(crate) const PHASE_REMOVE: &str = "remove";
pub(crate) const PHASE_ADD: &str = "add";
pub(crate) const PHASE_RELEASE: &str = "release";

/// The operations of an apply: its changes framed by its ownership claims and releases.
pub(crate) fn operations_owned(changes: &Changes, handover: &Handover) -> OperationPlan<Op> {
    let mut plan = OperationPlan::default();
    if !handover.claim.is_empty() {
        plan.then(PHASE_CLAIM, vec![Op::Claim(handover.claim.clone())]);
    }
    plan.phases.extend(operations(changes).phases);
    if !handover.release.is_empty() {
        plan.then(PHASE_RELEASE, vec![Op::Release(handover.release.clone())]);
    }
    plan
}

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
        Op::Claim(sids) => format!(
            "Cannot record this resource as the owner of the rules of {} (endpoint tags \
             `migration:group-owner:<SID>`; AWS allows 50 tags per endpoint)",
            sids.iter()
                .map(|sid| group_of(groups, sid))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Op::Release(tags) => format!(
            "Cannot remove this resource's ownership tags {} from the endpoint",
            tags.keys().cloned().collect::<Vec<_>>().join(", ")
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

    #[test]
    fn claims_come_first_and_releases_last() {
        let changes = Changes {
            revoke: vec![rule("10.1.0.0/16")],
            authorize: vec![(rule("10.2.0.0/16"), None)],
            ..Changes::default()
        };
        let handover = Handover {
            claim: ["S-1-5-21-1-2-3-1104".to_string()].into(),
            release: [(
                "migration:group-owner:S-1-5-21-1-2-3-1105".to_string(),
                "token 2026-12-07T16:00:00Z".to_string(),
            )]
            .into(),
            ..Handover::default()
        };
        let plan = operations_owned(&changes, &handover);
        let phases: Vec<_> = plan.phases.iter().map(|p| p.name).collect();
        assert_eq!(
            phases,
            vec![PHASE_CLAIM, PHASE_REMOVE, PHASE_ADD, PHASE_RELEASE]
        );
        assert_eq!(
            plan.phases[0].operations,
            vec![Op::Claim(handover.claim.clone())]
        );
        assert_eq!(
            operations_owned(&changes, &Handover::default())
                .phases
                .len(),
            2
        );
    }
}
