//! The progress record of an apply: what AWS holds of the owned rules and routes, the changes
//! being made, and the groups (to name them in messages). Started from an observation, kept up
//! to date by [`apply`](super::apply) as AWS confirms each change, rendered into the state.

use std::collections::{BTreeMap, BTreeSet};

use super::diff::{self, Changes};
use super::model::{Access, Group};
use super::observed::Observation;
use super::ownership::{self, Handover};
use super::state::{Progress, State};
use super::{ClientVpnGroupAccess, Planned};
use crate::framework::resource::{Render, RenderInput};
use crate::protocol::cty::{Path, Value};
use crate::protocol::diagnostics::Diagnostics;

/// See the module documentation.
pub(crate) struct Record {
    pub(crate) observation: Observation,
    pub(crate) progress: Progress,
    pub(crate) changes: Changes,
    /// What the apply claims, releases and leaves to other instances ([`ownership`]).
    pub(crate) handover: Handover,
    /// SIDs of wanted groups another instance holds: left to it, their groups kept as planned.
    pub(crate) held: BTreeSet<String>,
    pub(crate) groups: BTreeMap<String, Group>,
}

impl Record {
    /// The record an apply (or a read) starts from: what the prior state owns and `desired`
    /// adds, the difference with what AWS holds, and the progress that difference leaves.
    pub(crate) fn start(
        observation: Observation,
        prior: Option<&State>,
        desired: Option<&Access>,
    ) -> Record {
        let mut owned_sids: BTreeSet<String> = prior.map(State::owned_sids).unwrap_or_default();
        // The groups of an apply another instance holds are left to it, as its plan said.
        let held: BTreeSet<String> = desired
            .map(|access| {
                ownership::held_by_others(
                    &observation.endpoint.tags,
                    observation.owner.as_deref(),
                    &owned_sids,
                    access.take_over,
                )
            })
            .unwrap_or_default();
        let mut owned_routes = prior
            .map(|prior| prior.owned_routes_without(&held))
            .unwrap_or_default();
        let managed = desired.map(|access| access.without_sids(&held));
        let (rules, routes) = match &managed {
            Some(access) => {
                if !access.manage_routes {
                    // Routes no longer managed are left in place, and no longer owned.
                    owned_routes.clear();
                }
                (access.rules(), access.routes())
            }
            None => (BTreeMap::new(), BTreeSet::new()),
        };
        let wanted_sids: BTreeSet<String> = managed
            .as_ref()
            .map(|access| access.groups.values().map(|g| g.sid.clone()).collect())
            .unwrap_or_default();
        // What another instance owns now is left to it: neither revoked nor kept in the state.
        let handover = ownership::handover(
            observation.owner.as_deref(),
            &observation.endpoint.tags,
            &owned_sids,
            &wanted_sids,
            &owned_routes,
            &routes,
            &observation.rules,
        );
        owned_sids.retain(|sid| !handover.left_sids.contains_key(sid));
        owned_sids.extend(wanted_sids);
        owned_routes.retain(|route| !handover.left_routes.contains(route));
        owned_routes.extend(routes.iter().cloned());
        let changes = diff::diff(
            &rules,
            &routes,
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
        let groups = desired
            .map(|a| a.groups.clone())
            .or_else(|| prior.map(|p| p.access.groups.clone()))
            .unwrap_or_default();
        Record {
            observation,
            progress,
            changes,
            handover,
            held,
            groups,
        }
    }

    /// Routes AWS added on association that are failed: no call of this resource repairs them.
    pub(crate) fn unrepairable(&self) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        for (route, why) in &self.changes.unrepairable_routes {
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
        diagnostics
    }

    /// The state of what the record holds: a refresh of the prior state after a read, the
    /// applied access after an apply, what is left of the prior access otherwise.
    pub(crate) fn render(&self, input: RenderInput<'_, ClientVpnGroupAccess>) -> (Value, Planned) {
        let kept = Planned {
            checked: false,
            follows_associations: input.private.follows_associations,
            owner_token: input.private.owner_token.clone(),
        };
        let state = match (input.why, input.prior, input.desired) {
            (Render::Read, Some(prior), _) => {
                let held: BTreeSet<String> = ownership::held_by_others(
                    &self.observation.endpoint.tags,
                    input.private.owner_token.as_deref(),
                    &prior.owned_sids(),
                    prior.take_over.unwrap_or(false),
                );
                let refreshed = prior.refreshed_following(
                    &self.observation,
                    input.private.follows_associations,
                    &held,
                );
                // A state without a token (0.1.0's, or one whose private data Terraform dropped
                // when the provider died during an apply) gets one here, before a destroy plans
                // with it: its own claims' if they are one token's.
                let kept = Planned {
                    owner_token: kept.owner_token.or_else(|| {
                        Some(ownership::token_for(
                            &self.observation.endpoint.tags,
                            &prior.owned_sids(),
                        ))
                    }),
                    ..kept
                };
                return (refreshed.to_value(), kept);
            }
            (Render::Apply, prior, Some(access)) => {
                let mut state = self.progress.state(
                    access,
                    prior,
                    Some(self.observation.endpoint.client_cidr_block.clone()),
                    input.echo.attr("timeouts").cloned().unwrap_or(Value::Null),
                );
                state.take_over = input.echo.attr("take_over").and_then(Value::as_bool);
                // A held group's rules are another instance's: it stays as configured.
                for (key, group) in &access.groups {
                    if self.held.contains(&group.sid)
                        && let Some(kept) = state.access.groups.get_mut(key)
                    {
                        kept.networks = group.networks.clone();
                    }
                }
                state
            }
            (_, Some(prior), _) => self.progress.state(
                &prior.access,
                Some(prior),
                prior.client_cidr_block.clone(),
                prior.timeouts.clone(),
            ),
            (_, None, _) => return (Value::Null, Planned::default()),
        };
        (state.to_value(), kept)
    }

    /// Whether the record holds nothing this resource made.
    pub(crate) fn is_empty(&self) -> bool {
        self.progress.rules.is_empty() && self.progress.routes.is_empty()
    }
}
