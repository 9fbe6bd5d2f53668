//! The full-mesh route matrix of a hub and its reconciliation with what the
//! VPC route tables already hold.
//!
//! Every attached network must reach every other one through the Transit
//! Gateway, so each VPC route table gets a route to each CIDR of each other
//! network. The data center and the TGW CIDR blocks are destinations only:
//! they have no VPC route table. A destination that already has a route in
//! the table is `RouteAlreadyExists` at apply unless that route is ours (left by
//! a failed or partial apply, or lost from state: tf-aws PR #8417, #30244),
//! which is why observed routes are classified before anything is created.

use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};

/// One attached network as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Configuration key, for messages.
    pub key: String,
    /// Every CIDR of the network, secondary VPC CIDRs included.
    pub cidrs: Vec<IpNet>,
    /// Route tables that must reach the other networks; empty for networks
    /// that are only destinations.
    pub route_tables: Vec<String>,
}

/// A VPC route the hub wants: `destination` via the Transit Gateway.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Route {
    /// The VPC route table (`rtb-…`).
    pub route_table: String,
    /// The CIDR it routes to the Transit Gateway.
    pub destination: IpNet,
}

/// A route read from a table: `target` is whatever it points at, e.g.
/// `"tgw-0abc"`, `"local"`, `"pcx-1"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObservedRoute {
    /// The VPC route table (`rtb-…`).
    pub route_table: String,
    /// The CIDR it routes.
    pub destination: IpNet,
    /// What the route points at.
    pub target: String,
}

/// A desired route whose destination the table already routes elsewhere.
/// Creating it fails with `RouteAlreadyExists`; the user must remove or
/// re-target `existing_target`, or drop the overlapping CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConflict {
    /// The route the hub wants.
    pub route: Route,
    /// What the table routes the destination to today.
    pub existing_target: String,
}

/// What apply must do to the VPC route tables; each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutePlan {
    /// Desired and absent: create.
    pub missing: Vec<Route>,
    /// Desired and already via our TGW: adopt, no call.
    pub present: Vec<Route>,
    /// Desired but the destination is taken: report, do not create.
    pub conflicting: Vec<RouteConflict>,
    /// Via our TGW but no longer desired: delete.
    pub stale: Vec<Route>,
}

/// The desired routes, sorted and without duplicates: each route table of a
/// network to each CIDR of every other network. A CIDR that the table's own
/// network also lists is skipped: the table's `local` route already covers it,
/// and the overlap check reports the duplicate. O(n log n + routes).
pub fn desired_routes(networks: &[Network]) -> Vec<Route> {
    let mut destinations: Vec<(IpNet, usize)> = networks
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.cidrs.iter().map(move |c| (c.trunc(), i)))
        .collect();
    destinations.sort_unstable();
    destinations.dedup();
    let mut tables: Vec<(&str, usize)> = networks
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.route_tables.iter().map(move |t| (t.as_str(), i)))
        .collect();
    tables.sort_unstable();
    tables.dedup();

    let mut routes = Vec::new();
    // A table listed under several networks belongs to all of them.
    for owners in tables.chunk_by(|a, b| a.0 == b.0) {
        for holders in destinations.chunk_by(|a, b| a.0 == b.0) {
            let own = holders
                .iter()
                .any(|(_, h)| owners.iter().any(|(_, o)| h == o));
            if !own {
                routes.push(Route {
                    route_table: owners[0].0.to_owned(),
                    destination: holders[0].0,
                });
            }
        }
    }
    routes
}

/// Classifies `desired` against the `observed` routes of the tables, where
/// `our_target` is the hub's Transit Gateway id. Observed routes of other
/// targets that are not desired are none of our business and are ignored.
/// O((d + o) log o).
pub fn route_conflicts(
    desired: &[Route],
    observed: &[ObservedRoute],
    our_target: &str,
) -> RoutePlan {
    let wanted: BTreeSet<(&str, IpNet)> = desired
        .iter()
        .map(|r| (r.route_table.as_str(), r.destination.trunc()))
        .collect();
    let mut seen: BTreeMap<(&str, IpNet), BTreeSet<&str>> = BTreeMap::new();
    for o in observed {
        let key = (o.route_table.as_str(), o.destination.trunc());
        seen.entry(key).or_default().insert(o.target.as_str());
    }
    let route = |&(table, destination): &(&str, IpNet)| Route {
        route_table: table.to_owned(),
        destination,
    };

    let mut plan = RoutePlan::default();
    for key in &wanted {
        match seen
            .get(key)
            .map(|targets| (targets.contains(our_target), targets.first()))
        {
            Some((true, _)) => plan.present.push(route(key)),
            Some((false, Some(other))) => plan.conflicting.push(RouteConflict {
                route: route(key),
                existing_target: (*other).to_owned(),
            }),
            _ => plan.missing.push(route(key)),
        }
    }
    plan.stale = seen
        .iter()
        .filter(|(key, targets)| targets.contains(our_target) && !wanted.contains(*key))
        .map(|(key, _)| route(key))
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn network(key: &str, cidrs: &[&str], tables: &[&str]) -> Network {
        Network {
            key: key.to_owned(),
            cidrs: cidrs.iter().map(|c| c.parse().unwrap()).collect(),
            route_tables: tables.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn route(table: &str, dest: &str) -> Route {
        Route {
            route_table: table.to_owned(),
            destination: dest.parse().unwrap(),
        }
    }

    fn seen(table: &str, dest: &str, target: &str) -> ObservedRoute {
        ObservedRoute {
            route_table: table.to_owned(),
            destination: dest.parse().unwrap(),
            target: target.to_owned(),
        }
    }

    #[test]
    fn every_table_reaches_every_other_network_and_destinations_have_no_tables() {
        let networks = [
            network(
                "vpc-a",
                &["10.0.0.0/16", "100.64.0.0/24"],
                &["rtb-a1", "rtb-a2"],
            ),
            network("vpc-b", &["10.1.0.0/16"], &["rtb-b"]),
            network("dc", &["192.168.0.0/16", "10.1.0.0/16"], &[]),
            network("tgw-cidrs", &["fd00::/64"], &[]),
        ];
        let mut expected = Vec::new();
        for table in ["rtb-a1", "rtb-a2"] {
            for dest in ["10.1.0.0/16", "192.168.0.0/16", "fd00::/64"] {
                expected.push(route(table, dest));
            }
        }
        for dest in [
            "10.0.0.0/16",
            "100.64.0.0/24",
            "192.168.0.0/16",
            "fd00::/64",
        ] {
            expected.push(route("rtb-b", dest));
        }
        assert_eq!(desired_routes(&networks), expected);
    }

    #[test]
    fn observed_routes_are_adopted_conflicting_missing_or_stale() {
        let desired = [
            route("rtb-a", "10.1.0.0/16"),
            route("rtb-a", "10.2.0.0/16"),
            route("rtb-a", "10.3.0.0/16"),
            route("rtb-b", "10.0.0.0/16"),
            route("rtb-b", "10.1.0.0/16"),
            route("rtb-b", "10.0.0.0/16"),
        ];
        let observed = [
            seen("rtb-a", "10.0.0.0/16", "local"),
            seen("rtb-a", "10.1.0.0/16", "tgw-1"),
            seen("rtb-a", "10.1.0.0/16", "pcx-9"),
            seen("rtb-a", "10.2.0.0/16", "pcx-9"),
            seen("rtb-a", "10.9.0.0/16", "tgw-1"),
            seen("rtb-b", "10.0.0.0/16", "tgw-other"),
            seen("rtb-b", "10.1.0.0/16", "local"),
        ];
        let plan = route_conflicts(&desired, &observed, "tgw-1");
        assert_eq!(plan.present, vec![route("rtb-a", "10.1.0.0/16")]);
        assert_eq!(plan.missing, vec![route("rtb-a", "10.3.0.0/16")]);
        assert_eq!(plan.stale, vec![route("rtb-a", "10.9.0.0/16")]);
        assert_eq!(
            plan.conflicting,
            vec![
                RouteConflict {
                    route: route("rtb-a", "10.2.0.0/16"),
                    existing_target: "pcx-9".to_owned()
                },
                RouteConflict {
                    route: route("rtb-b", "10.0.0.0/16"),
                    existing_target: "tgw-other".to_owned()
                },
                RouteConflict {
                    route: route("rtb-b", "10.1.0.0/16"),
                    existing_target: "local".to_owned()
                },
            ]
        );
    }

    fn small_network() -> impl Strategy<Value = Network> {
        let cidr = (0u8..6).prop_map(|i| IpNet::new([10, i, 0, 0].into(), 16).unwrap());
        let table = (0u8..5).prop_map(|i| format!("rtb-{i}"));
        (
            proptest::collection::vec(cidr, 0..3),
            proptest::collection::vec(table, 0..3),
        )
            .prop_map(|(cidrs, route_tables)| Network {
                key: String::new(),
                cidrs,
                route_tables,
            })
    }

    proptest! {
        #[test]
        fn desired_routes_match_the_definition(networks in proptest::collection::vec(small_network(), 0..5)) {
            let mut expected = BTreeSet::new();
            for (a, net_a) in networks.iter().enumerate() {
                for table in &net_a.route_tables {
                    let owners: Vec<&Network> = networks.iter().filter(|n| n.route_tables.contains(table)).collect();
                    for (b, net_b) in networks.iter().enumerate() {
                        for cidr in net_b.cidrs.iter().filter(|c| b != a && !owners.iter().any(|o| o.cidrs.contains(c))) {
                            expected.insert(route(table, &cidr.to_string()));
                        }
                    }
                }
            }
            let got = desired_routes(&networks);
            prop_assert!(got.windows(2).all(|w| w[0] < w[1]), "not sorted and unique");
            prop_assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
        }
    }
}
