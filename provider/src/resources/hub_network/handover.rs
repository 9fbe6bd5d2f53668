//! What one hub hands over to another when both reach the same networks: a replacement under
//! `create_before_destroy` (the new hub comes up beside the old one, then the old one is
//! destroyed), or two copies of a module routing the same VPC route tables.
//!
//! A VPC route has no tags, and its target already says who owns it: a hub owns the routes
//! that point at its own Transit Gateway. Taking a route over is re-targeting it in place
//! (ReplaceRoute): ownership moves in one call and the route never disappears. The previous
//! owner deletes only routes to its own gateway, so its destroy leaves the ones taken and says
//! so in its log. A new hub of the same `name` takes over with a warning (the replacement);
//! any other hub needs `take_over = true`, so that two copies of a module do not silently take
//! the routes from each other on every apply.
//!
//! The data center link cannot be handed over the same way when it is Direct Connect: one
//! Direct Connect gateway does not advertise overlapping allowed prefixes through two transit
//! gateway associations, so a second hub cannot associate beside the one holding the link.
//! The plan refuses that before anything is created. Spoke attachments belong to a Transit
//! Gateway and cannot move; the spoke accounts' `migration_hub_spoke` attach to the new one.
//! This module is the pure part: verdicts, the prefixes in the way, and what a destroy leaves.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::stored::Stored;
use super::topology::Topology;
use super::validate::LiveFacts;
use crate::aws::direct_connect::DirectConnectAssociation;
use crate::protocol::diagnostics::Diagnostics;

/// What a hub does about routes another migration hub owns in its route tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Re-target them to this hub's gateway (ReplaceRoute); the plan warns.
    TakeOver,
    /// Leave them and stop the plan: another instance owns them.
    Refuse,
}

/// The verdict for the routes of the hub named `other_name`. `new_hub`: this hub's gateway
/// does not exist yet or no state holds it (a create, or its retry).
pub(crate) fn verdict(own_name: &str, take_over: bool, new_hub: bool, other_name: &str) -> Verdict {
    if take_over || (new_hub && own_name == other_name) {
        Verdict::TakeOver
    } else {
        Verdict::Refuse
    }
}

/// Of `other_hubs` (gateway id → hub name), the hubs whose routes this hub takes over.
pub(crate) fn hubs_to_take_over_from(
    own_name: &str,
    take_over: bool,
    new_hub: bool,
    other_hubs: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    other_hubs
        .iter()
        .filter(|(_, name)| verdict(own_name, take_over, new_hub, name) == Verdict::TakeOver)
        .map(|(id, name)| (id.clone(), name.clone()))
        .collect()
}

/// The routes (table, destination) another migration hub holds that an existing hub leaves
/// alone: not told to `take_over`, it neither takes them (which would fight the other hub on
/// every apply) nor plans them (its state drops them). A new hub is refused instead (see
/// `validate`), or takes them over.
pub(crate) fn held_by_others(facts: &LiveFacts, take_over: bool) -> BTreeSet<(String, String)> {
    if facts.new_hub || take_over {
        return BTreeSet::new();
    }
    facts
        .networks
        .route_tables
        .values()
        .flat_map(|table| {
            table
                .routes
                .iter()
                .filter(|r| facts.other_hubs.contains_key(&r.target))
                .map(|r| (table.id.clone(), r.destination.clone()))
        })
        .collect()
}

/// An association of the Direct Connect gateway with another Transit Gateway whose allowed
/// prefixes overlap the ones this hub would advertise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrefixesInTheWay {
    pub association_id: String,
    pub transit_gateway_id: String,
    /// (theirs, ours) pairs that overlap.
    pub overlaps: Vec<(String, String)>,
}

/// The associations of the gateway, other than with `own_tgw`, that block an association
/// advertising `ours`.
pub(crate) fn prefixes_in_the_way(
    associations: &[DirectConnectAssociation],
    own_tgw: Option<&str>,
    ours: &BTreeSet<String>,
) -> Vec<PrefixesInTheWay> {
    let ours: Vec<(&String, IpNet)> = ours
        .iter()
        .filter_map(|c| Some((c, c.parse::<IpNet>().ok()?.trunc())))
        .collect();
    associations
        .iter()
        .filter(|a| Some(a.associated_gateway_id.as_str()) != own_tgw)
        .filter(|a| !a.state.starts_with("disassociat"))
        .filter_map(|a| {
            let overlaps: Vec<(String, String)> = a
                .allowed_prefixes
                .iter()
                .filter_map(|c| Some((c, c.parse::<IpNet>().ok()?.trunc())))
                .flat_map(|(theirs, t)| {
                    ours.iter()
                        .filter(move |(_, o)| t.contains(&o.network()) || o.contains(&t.network()))
                        .map(move |(our, _)| (theirs.clone(), (*our).clone()))
                })
                .collect();
            (!overlaps.is_empty()).then(|| PrefixesInTheWay {
                association_id: a.id.clone(),
                transit_gateway_id: a.associated_gateway_id.clone(),
                overlaps,
            })
        })
        .collect()
}

/// A route the hub had in its state that now points at another gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeftRoute {
    pub route_table_id: String,
    pub destination: String,
    pub target: String,
}

/// The routes of a state (`routes`: route table → destinations) that `observed` shows
/// pointing elsewhere than the hub's own gateway: taken over by another hub, so a destroy
/// leaves them (and logs them).
pub(crate) fn left_to_others(
    routes: &BTreeMap<String, BTreeSet<String>>,
    observed: &Topology,
) -> Vec<LeftRoute> {
    let Some(own) = observed.tgw_id() else {
        return Vec::new();
    };
    let mut left = Vec::new();
    for (table_id, destinations) in routes {
        let Some(table) = observed.route_tables.get(table_id) else {
            continue;
        };
        for destination in destinations {
            if let Some(route) = table
                .routes
                .iter()
                .find(|r| &r.destination == destination && r.target != own)
            {
                left.push(LeftRoute {
                    route_table_id: table_id.clone(),
                    destination: destination.clone(),
                    target: route.target.clone(),
                });
            }
        }
    }
    left
}

/// The destroy's warning about the routes it left to other hubs (none: no warning).
pub(crate) fn left_warning(left: &[LeftRoute]) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if left.is_empty() {
        return diagnostics;
    }
    let shown: Vec<String> = left
        .iter()
        .take(5)
        .map(|l| {
            format!(
                "{} {} (now to {})",
                l.route_table_id, l.destination, l.target
            )
        })
        .collect();
    let more = left.len().saturating_sub(shown.len());
    diagnostics.warning(
        "Left to another hub",
        format!(
            "{} route(s) this hub had are now routed to another Transit Gateway, which took them \
             over, so this destroy left them in place: {}{}.",
            left.len(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ),
    );
    diagnostics
}

/// The routes a stored state lists, by route table.
pub(crate) fn stored_routes(prior: &Stored) -> BTreeMap<String, BTreeSet<String>> {
    prior
        .routes
        .iter()
        .map(|(table, stored)| (table.clone(), stored.destinations.keys().cloned().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_hub_of_the_same_name_takes_over_and_nothing_else_does_unless_told() {
        assert_eq!(verdict("hub", false, true, "hub"), Verdict::TakeOver);
        assert_eq!(verdict("hub", false, false, "hub"), Verdict::Refuse);
        assert_eq!(verdict("hub", false, true, "other"), Verdict::Refuse);
        assert_eq!(verdict("hub", true, false, "other"), Verdict::TakeOver);
        let others = BTreeMap::from([
            ("tgw-old".to_string(), "hub".to_string()),
            ("tgw-copy".to_string(), "copy".to_string()),
        ]);
        assert_eq!(
            hubs_to_take_over_from("hub", false, true, &others)
                .keys()
                .collect::<Vec<_>>(),
            ["tgw-old"]
        );
        assert_eq!(hubs_to_take_over_from("hub", true, false, &others).len(), 2);
        assert!(hubs_to_take_over_from("hub", false, false, &others).is_empty());
    }

    fn association(
        id: &str,
        tgw: &str,
        state: &str,
        prefixes: &[&str],
    ) -> DirectConnectAssociation {
        DirectConnectAssociation {
            id: id.into(),
            direct_connect_gateway_id: "dxgw-1".into(),
            associated_gateway_id: tgw.into(),
            state: state.into(),
            allowed_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn overlapping_prefixes_of_another_association_are_in_the_way() {
        let ours: BTreeSet<String> = ["10.0.0.0/16".to_string(), "10.9.0.0/16".to_string()].into();
        let associations = [
            association("a-old", "tgw-old", "associated", &["10.0.0.0/8"]),
            association("a-own", "tgw-own", "associated", &["10.0.0.0/16"]),
            association("a-far", "tgw-far", "associated", &["172.16.0.0/12"]),
            association("a-gone", "tgw-gone", "disassociating", &["10.0.0.0/16"]),
        ];
        let found = prefixes_in_the_way(&associations, Some("tgw-own"), &ours);
        assert_eq!(
            found,
            [PrefixesInTheWay {
                association_id: "a-old".into(),
                transit_gateway_id: "tgw-old".into(),
                overlaps: vec![
                    ("10.0.0.0/8".into(), "10.0.0.0/16".into()),
                    ("10.0.0.0/8".into(), "10.9.0.0/16".into()),
                ],
            }]
        );
        // A new hub (no gateway yet) is blocked by its own name's association too.
        assert_eq!(prefixes_in_the_way(&associations, None, &ours).len(), 2);
    }

    #[test]
    fn a_destroy_leaves_the_routes_another_gateway_now_holds() {
        use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
        use crate::resources::hub_network::topology::available_gateway;
        let route = |destination: &str, target: &str| VpcRoute {
            destination: destination.into(),
            target: target.into(),
            state: "active".into(),
        };
        let mut observed = Topology {
            tgw: Some(available_gateway("tgw-old")),
            ..Topology::default()
        };
        observed.route_tables.insert(
            "rtb-1".into(),
            RouteTable {
                id: "rtb-1".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![
                    route("10.1.0.0/16", "tgw-new"),
                    route("10.2.0.0/16", "tgw-old"),
                    route("10.3.0.0/16", "pcx-1"),
                ],
            },
        );
        let routes = BTreeMap::from([(
            "rtb-1".to_string(),
            BTreeSet::from(["10.1.0.0/16".to_string(), "10.2.0.0/16".to_string()]),
        )]);
        assert_eq!(
            left_to_others(&routes, &observed),
            [LeftRoute {
                route_table_id: "rtb-1".into(),
                destination: "10.1.0.0/16".into(),
                target: "tgw-new".into(),
            }]
        );
        let warning = left_warning(&left_to_others(&routes, &observed));
        assert_eq!(warning.iter().count(), 1);
        assert!(warning.iter().all(|d| d.summary == "Left to another hub"
            && d.detail.contains("rtb-1 10.1.0.0/16 (now to tgw-new)")));
        observed.tgw = None;
        assert!(left_to_others(&routes, &observed).is_empty());
        assert!(left_warning(&[]).iter().next().is_none());
    }
}
