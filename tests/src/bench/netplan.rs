//! Suite 4, plan-time validation at scale: the overlap check and the route matrix (desired
//! routes and their classification against the routes observed in the tables) for 1k, 10k and
//! 100k prefixes. The last column divides the time by n·log2(n): flat means O(n log n).

use std::time::Instant;

use ipnet::{IpNet, Ipv4Net};
use terraform_provider_migration::netplan::Labelled;
use terraform_provider_migration::netplan::mesh::{
    Network, ObservedRoute, desired_routes, route_conflicts,
};
use terraform_provider_migration::netplan::overlap::find_overlaps;

use super::{Table, median};

/// Deterministic pseudo-random prefixes: mostly disjoint /24s and /16s, with one planted
/// overlap per thousand.
fn prefixes(n: usize, seed: u64) -> Vec<Labelled<usize>> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let length = if i % 1000 == 999 { 16 } else { 24 };
            let address = (next() as u32) & (u32::MAX << (32 - length));
            Labelled {
                label: i,
                prefix: IpNet::V4(Ipv4Net::new(address.into(), length).unwrap()),
            }
        })
        .collect()
}

fn n_log_n(n: usize) -> f64 {
    n as f64 * (n as f64).log2()
}

pub fn run() -> Table {
    let mut table = Table::new("netplan", &["check", "n", "median ms", "ns per n·log2 n"]);
    for n in [1_000usize, 10_000, 100_000] {
        let items = prefixes(n, 0x9e37_79b9_7f4a_7c15 ^ n as u64);
        let times: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let found = find_overlaps(&items, |a, b| a != b);
                std::hint::black_box(found.len());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        let ms = median(times);
        table.row(vec![
            "overlap sweep".into(),
            n.to_string(),
            format!("{ms:.2}"),
            format!("{:.1}", ms * 1e6 / n_log_n(n)),
        ]);
    }
    for n in [1_000usize, 10_000, 100_000] {
        // k networks of one /24 and one route table each give k·(k−1) ≈ n routes.
        let k = ((n as f64).sqrt().ceil() as usize).max(2);
        let networks: Vec<Network> = (0..k)
            .map(|i| Network {
                key: format!("n{i}"),
                cidrs: vec![IpNet::V4(
                    Ipv4Net::new([10, (i / 256) as u8, (i % 256) as u8, 0].into(), 24).unwrap(),
                )],
                route_tables: vec![format!("rtb-{i:08x}")],
            })
            .collect();
        let routes = desired_routes(&networks).len();
        // Half the routes already exist (adopted), one in a hundred points elsewhere.
        let observed: Vec<ObservedRoute> = desired_routes(&networks)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(i, r)| ObservedRoute {
                route_table: r.route_table,
                destination: r.destination,
                target: if i % 100 == 0 {
                    "pcx-1".into()
                } else {
                    "tgw-1".into()
                },
            })
            .collect();
        let times: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let desired = desired_routes(&networks);
                let plan = route_conflicts(&desired, &observed, "tgw-1");
                std::hint::black_box(plan.missing.len());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        let ms = median(times);
        table.row(vec![
            format!("route matrix ({k} networks)"),
            routes.to_string(),
            format!("{ms:.2}"),
            format!("{:.1}", ms * 1e6 / n_log_n(routes)),
        ]);
    }
    table
}
