//! Suite 6, the reachability matrix (`data "migration_reachability"`): the pure computation for
//! a hub of n VPCs, a data center over Direct Connect and a Client VPN endpoint with 10 groups,
//! as the data source builds it from what AWS holds. Every VPC route table holds the full mesh
//! (n + 1 routes and its local route), the hub route table every propagation, and each group a
//! rule on 10 networks, so every pair is decided by walking real tables both ways. One route in
//! a hundred is missing, so some pairs stop at a hop. The AWS reads are not included: they are
//! the hub's own observation (a fixed handful of calls whatever n, see the refresh suite).

use std::time::Instant;

use ipnet::{IpNet, Ipv4Net};
use terraform_provider_migration::netplan::reachability::{
    Attachment, Authorized, ClientVpn, Fabric, Group, Network, Side, TransitGatewayTable,
    VpcRouteTable, VpcTarget, render,
};

use super::{Table, median};

/// Client VPN groups of the benchmark hub (the figure the issue asks for: 100 VPCs, 10 groups).
pub const GROUPS: usize = 10;

/// `10.i.0.0/16`, then `11.(i − 256).0.0/16`.
fn vpc_cidr(i: usize) -> IpNet {
    let (first, second) = (10 + (i / 256) as u8, (i % 256) as u8);
    IpNet::V4(Ipv4Net::new([first, second, 0, 0].into(), 16).unwrap())
}

/// The hub: VPC i is `10.i.0.0/16` with one route table, the data center
/// `192.168.0.0/16`, every attachment in the hub route table.
pub fn fabric(vpcs: usize, groups: usize) -> Fabric {
    let data_center: IpNet = "192.168.0.0/16".parse().unwrap();
    let attachment = |name: &str| {
        Some(Attachment {
            id: format!("tgw-attach-{name}"),
            state: "available".into(),
            route_table: Some("tgw-rtb-hub".into()),
        })
    };
    let mut networks: Vec<Network> = (0..vpcs)
        .map(|i| {
            let mut routes = vec![(vpc_cidr(i), VpcTarget::Local)];
            routes.extend(
                (0..vpcs)
                    .filter(|&j| j != i)
                    // About one mesh route in a hundred deleted.
                    .filter(|&j| (31 * i + 17 * j) % 100 != 7)
                    .map(|j| (vpc_cidr(j), VpcTarget::TransitGateway)),
            );
            routes.push((data_center, VpcTarget::TransitGateway));
            Network {
                name: format!("vpc{i:03}"),
                cidrs: vec![vpc_cidr(i)],
                attachment: attachment(&format!("vpc{i:03}")),
                side: Side::Vpc {
                    vpc_id: format!("vpc-{i:08x}"),
                    route_tables: vec![VpcRouteTable {
                        id: format!("rtb-{i:08x}"),
                        routes,
                    }],
                },
            }
        })
        .collect();
    networks.push(Network {
        name: "data_center".into(),
        cidrs: vec![data_center],
        attachment: attachment("data_center"),
        side: Side::DataCenter {
            advertised: Some((0..vpcs).map(vpc_cidr).collect()),
        },
    });
    let hub_table = TransitGatewayTable {
        id: "tgw-rtb-hub".into(),
        propagations: networks
            .iter()
            .filter_map(|n| Some(n.attachment.as_ref()?.id.clone()))
            .collect(),
        static_routes: Vec::new(),
    };
    let sid = |g: usize| format!("S-1-5-21-1004336348-1177238915-682003330-{}", 1100 + g);
    // Group g is authorized on 10 networks from VPC 10·g on, wrapping, plus the data center.
    let mut rules: Vec<(IpNet, Authorized)> = Vec::new();
    for g in 0..groups {
        rules.push((data_center, Authorized::Group(sid(g))));
        for k in 0..10 {
            rules.push((vpc_cidr((10 * g + k) % vpcs), Authorized::Group(sid(g))));
        }
    }
    let client_vpn = ClientVpn {
        endpoint_id: "cvpn-endpoint-0123456789abcdef0".into(),
        vpc_id: format!("vpc-{:08x}", 0),
        groups: (0..groups)
            .map(|g| Group {
                name: format!("group{g:02}"),
                sid: sid(g),
            })
            .collect(),
        rules,
        routes: networks
            .iter()
            .flat_map(|n| {
                n.cidrs
                    .iter()
                    .map(|c| (*c, "subnet-0a1b2c3d4e5f60011".to_string()))
            })
            .collect(),
    };
    Fabric {
        networks,
        transit_gateway_tables: vec![hub_table],
        client_vpn: Some(client_vpn),
    }
}

pub fn run() -> Table {
    let mut table = Table::new(
        "reachability",
        &[
            "VPCs",
            "groups",
            "pairs",
            "unreachable",
            "matrix median ms",
            "with table ms",
        ],
    );
    for vpcs in [20usize, 50, 100, 200] {
        let fabric = fabric(vpcs, GROUPS);
        let paths = fabric.matrix();
        let unreachable = paths.iter().filter(|p| !p.reachable()).count();
        let matrix: Vec<f64> = (0..7)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(fabric.matrix().len());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        let rendered: Vec<f64> = (0..7)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(render(&fabric.matrix()).len());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        table.row(vec![
            vpcs.to_string(),
            GROUPS.to_string(),
            paths.len().to_string(),
            unreachable.to_string(),
            format!("{:.1}", median(matrix)),
            format!("{:.1}", median(rendered)),
        ]);
    }
    table
}
