//! The hub's networks and the routes between them: the one place that says which route
//! tables get which destinations, so the plan, the diff and the state agree.
//!
//! The networks are each VPC (all its CIDRs), the data center, and the Transit Gateway's own
//! CIDR blocks. Every route table of a VPC gets a route to every CIDR of every other network
//! (`netplan::mesh`). With a static VPN, the hub route table also gets a static route per
//! data-center CIDR.

use std::collections::BTreeSet;

use ipnet::IpNet;

use super::model::{DATA_CENTER, TGW_CIDR_BLOCKS, spoke_label};
use crate::netplan::mesh::{self, Network};

/// A route the hub manages, as shown in `routes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ManagedRoute {
    pub route_table_id: String,
    pub destination: String,
    /// Label of the network the destination belongs to.
    pub network: String,
}

/// One network of the hub: a label (`vpc_attachments` key, `data_center`,
/// `transit_gateway_cidr_blocks`), its CIDRs, and its route tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HubNetwork {
    pub label: String,
    pub cidrs: BTreeSet<String>,
    pub route_tables: BTreeSet<String>,
}

/// The networks of a hub; CIDRs that do not parse are left out (validation reports them).
/// Declared spokes are networks without route tables of the hub's (their own account routes
/// them, `migration_hub_spoke`), labelled [`spoke_label`].
pub(crate) fn networks<'a>(
    vpcs: impl IntoIterator<Item = (&'a str, &'a BTreeSet<String>, &'a BTreeSet<String>)>,
    data_center_cidrs: Option<&BTreeSet<String>>,
    tgw_cidr_blocks: &BTreeSet<String>,
    spokes: impl IntoIterator<Item = (&'a str, &'a BTreeSet<String>)>,
) -> Vec<HubNetwork> {
    let mut all: Vec<HubNetwork> = vpcs
        .into_iter()
        .map(|(label, cidrs, tables)| HubNetwork {
            label: label.to_string(),
            cidrs: cidrs.clone(),
            route_tables: tables.clone(),
        })
        .collect();
    if let Some(cidrs) = data_center_cidrs {
        all.push(HubNetwork {
            label: DATA_CENTER.to_string(),
            cidrs: cidrs.clone(),
            route_tables: BTreeSet::new(),
        });
    }
    if !tgw_cidr_blocks.is_empty() {
        all.push(HubNetwork {
            label: TGW_CIDR_BLOCKS.to_string(),
            cidrs: tgw_cidr_blocks.clone(),
            route_tables: BTreeSet::new(),
        });
    }
    all.extend(spokes.into_iter().map(|(name, cidrs)| HubNetwork {
        label: spoke_label(name),
        cidrs: cidrs.clone(),
        route_tables: BTreeSet::new(),
    }));
    all
}

fn parsed(cidrs: &BTreeSet<String>) -> Vec<IpNet> {
    cidrs.iter().filter_map(|c| c.parse().ok()).collect()
}

/// The network a destination belongs to (the first, in label order, if several claim it;
/// overlapping networks are a plan-time error anyway).
pub(crate) fn label_of(networks: &[HubNetwork], destination: &IpNet) -> Option<String> {
    let mut labels: Vec<&str> = networks
        .iter()
        .filter(|n| {
            parsed(&n.cidrs)
                .iter()
                .any(|c| c.trunc() == destination.trunc())
        })
        .map(|n| n.label.as_str())
        .collect();
    labels.sort_unstable();
    labels.first().map(|l| l.to_string())
}

/// Every VPC route of the mesh, sorted by route table then destination.
pub(crate) fn vpc_routes(networks: &[HubNetwork]) -> Vec<ManagedRoute> {
    let plain: Vec<Network> = networks
        .iter()
        .map(|n| Network {
            key: n.label.clone(),
            cidrs: parsed(&n.cidrs),
            route_tables: n.route_tables.iter().cloned().collect(),
        })
        .collect();
    mesh::desired_routes(&plain)
        .into_iter()
        .map(|route| ManagedRoute {
            network: label_of(networks, &route.destination).unwrap_or_default(),
            route_table_id: route.route_table,
            destination: route.destination.to_string(),
        })
        .collect()
}

/// Destinations by address family, address, then length (the order of every listing).
pub(crate) fn sorted_destinations(cidrs: &BTreeSet<String>) -> Vec<String> {
    let mut nets: Vec<IpNet> = parsed(cidrs);
    nets.sort();
    nets.dedup();
    nets.into_iter().map(|n| n.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_table_reaches_every_other_network_labelled() {
        let (a_cidrs, a_tables) = (set(&["10.0.0.0/16", "100.64.0.0/24"]), set(&["rtb-a"]));
        let (b_cidrs, b_tables) = (set(&["10.1.0.0/16"]), set(&["rtb-b"]));
        let dc = set(&["192.168.0.0/16"]);
        let nets = networks(
            [
                ("staging", &a_cidrs, &a_tables),
                ("target", &b_cidrs, &b_tables),
            ],
            Some(&dc),
            &set(&["10.99.0.0/24"]),
            [("branch", &set(&["10.50.0.0/16"]))],
        );
        let routes = vpc_routes(&nets);
        let shown: Vec<(String, String, String)> = routes
            .iter()
            .map(|r| {
                (
                    r.route_table_id.clone(),
                    r.destination.clone(),
                    r.network.clone(),
                )
            })
            .collect();
        let expect = |t: &str, d: &str, n: &str| (t.to_string(), d.to_string(), n.to_string());
        assert_eq!(
            shown,
            vec![
                expect("rtb-a", "10.1.0.0/16", "target"),
                expect("rtb-a", "10.50.0.0/16", "spokes[\"branch\"]"),
                expect("rtb-a", "10.99.0.0/24", TGW_CIDR_BLOCKS),
                expect("rtb-a", "192.168.0.0/16", DATA_CENTER),
                expect("rtb-b", "10.0.0.0/16", "staging"),
                expect("rtb-b", "10.50.0.0/16", "spokes[\"branch\"]"),
                expect("rtb-b", "10.99.0.0/24", TGW_CIDR_BLOCKS),
                expect("rtb-b", "100.64.0.0/24", "staging"),
                expect("rtb-b", "192.168.0.0/16", DATA_CENTER),
            ]
        );
    }

    #[test]
    fn destinations_sort_by_address_not_text() {
        let sorted = sorted_destinations(&set(&["10.10.0.0/16", "10.9.0.0/16", "fd00::/64"]));
        assert_eq!(sorted, vec!["10.9.0.0/16", "10.10.0.0/16", "fd00::/64"]);
    }
}
