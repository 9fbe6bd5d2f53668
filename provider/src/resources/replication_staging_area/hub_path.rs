//! PRIVATE_IP data plane routing through the hub: the source servers in the data center open
//! TCP 1500 to the replication servers' private addresses, so the data center must reach the
//! staging VPC through the Transit Gateway, and the staging subnet must answer back the same
//! way. The staging subnet's own route table is one hop of that; the Transit Gateway's route
//! tables (the staging attachment's, the data center attachment's) and, over Direct Connect,
//! the prefixes advertised to the data center are the others. They are judged by the same
//! longest-prefix walk `migration_reachability` uses (`netplan::reachability`), on a fabric of
//! two networks: the staging VPC (with the staging subnet's route table only: that is where
//! the replication servers run) and the data center (the source networks).
//!
//! Only a gateway this account owns shows its route tables; the walk is made when the staging
//! subnet routes the sources to such a gateway and the gateway has one data-center attachment
//! (Direct Connect or VPN). Anything else is left to the route-table check of `checks`.

use std::collections::BTreeSet;

use ipnet::IpNet;

use crate::aws::call::Aws;
use crate::aws::ec2::route_table::RouteTable;
use crate::aws::retry::OpError;
use crate::data_sources::reachability::{transit_gateway_tables, vpc_route_table};
use crate::netplan::cidr::parse_canonical;
use crate::netplan::reachability::{Attachment, Fabric, Missing, Network, Side};
use crate::protocol::diagnostics::Diagnostics;

/// The network names of the fabric, as the errors print them.
const STAGING: &str = "staging";
const DATA_CENTER: &str = "data_center";

fn prefixes<'a>(cidrs: impl IntoIterator<Item = &'a String>) -> Vec<IpNet> {
    cidrs
        .into_iter()
        .filter_map(|c| parse_canonical(c).ok())
        .collect()
}

/// The Transit Gateway a staging subnet's table sends the sources to, if one route sends any
/// there (the longest prefix covering the source decides, as in AWS).
fn gateway_of_sources(tables: &[RouteTable], sources: &BTreeSet<String>) -> Option<String> {
    tables
        .iter()
        .find_map(|table| gateway_in_table(table, sources))
}

fn gateway_in_table(table: &RouteTable, sources: &BTreeSet<String>) -> Option<String> {
    let routes: Vec<(IpNet, &str)> = table
        .routes
        .iter()
        .filter(|r| r.state != "blackhole")
        .filter_map(|r| Some((parse_canonical(&r.destination).ok()?, r.target.as_str())))
        .collect();
    sources.iter().find_map(|source| {
        let source = parse_canonical(source).ok()?;
        let (_, target) = routes
            .iter()
            .filter(|(net, _)| net.contains(&source))
            .max_by_key(|(net, _)| net.prefix_len())?;
        target.starts_with("tgw-").then(|| target.to_string())
    })
}

/// The staging VPC as a network of the fabric: its CIDRs, its attachment to `tgw`, and the
/// staging subnets' route tables (each must route the sources to the gateway: each serves
/// replication servers).
fn staging_network(
    tgw: &str,
    vpc_id: &str,
    vpc_cidrs: &BTreeSet<String>,
    tables: &[RouteTable],
    attachment: Option<Attachment>,
) -> Network {
    let route_tables = tables
        .iter()
        .map(|table| vpc_route_table(table, tgw))
        .collect();
    Network {
        name: STAGING.to_string(),
        cidrs: prefixes(vpc_cidrs),
        attachment,
        side: Side::Vpc {
            vpc_id: vpc_id.to_string(),
            route_tables,
        },
    }
}

/// Reads what the walk needs: `None` when the sources do not go through a gateway whose
/// routing this account can see with one data-center attachment on it.
pub(crate) async fn read(
    aws: &Aws<'_>,
    vpc_id: &str,
    vpc_cidrs: &BTreeSet<String>,
    tables: &[RouteTable],
    sources: &BTreeSet<String>,
) -> Result<Option<Fabric>, OpError> {
    let Some(tgw) = gateway_of_sources(tables, sources) else {
        return Ok(None);
    };
    let attachments = aws.transit_gateway_attachments(&tgw).await?;
    let as_fabric = |a: &crate::aws::ec2::attachment::AttachmentSummary| Attachment {
        id: a.id.clone(),
        state: a.state.clone(),
        route_table: a.associated_route_table.clone(),
    };
    let staging_attachment = attachments
        .iter()
        .find(|a| a.resource_type == "vpc" && a.resource_id == vpc_id)
        .map(as_fabric);
    let data_centers: Vec<_> = attachments
        .iter()
        .filter(|a| matches!(a.resource_type.as_str(), "direct-connect-gateway" | "vpn"))
        .collect();
    let [data_center] = data_centers.as_slice() else {
        return Ok(None);
    };
    let advertised = if data_center.resource_type == "vpn" {
        None
    } else {
        let associations = aws.direct_connect_associations(&tgw).await?;
        let association = associations
            .iter()
            .find(|a| a.direct_connect_gateway_id == data_center.resource_id);
        Some(association.map_or_else(Vec::new, |a| prefixes(&a.allowed_prefixes)))
    };
    let networks = vec![
        staging_network(&tgw, vpc_id, vpc_cidrs, tables, staging_attachment),
        Network {
            name: DATA_CENTER.to_string(),
            cidrs: prefixes(sources),
            attachment: Some(as_fabric(data_center)),
            side: Side::DataCenter { advertised },
        },
    ];
    // Warnings about a table too large to read whole do not concern the staging area: the
    // walk is then made on what was read.
    let mut ignored = Diagnostics::new();
    let transit_gateway_tables = transit_gateway_tables(aws, &networks, &mut ignored).await?;
    Ok(Some(Fabric {
        networks,
        transit_gateway_tables,
        client_vpn: None,
    }))
}

/// The first hop missing for the sources' connections to the staging VPC and the answers,
/// if any.
pub(crate) fn missing(fabric: &Fabric) -> Option<Missing> {
    fabric
        .matrix()
        .into_iter()
        .find(|p| p.source == DATA_CENTER && p.destination == STAGING)?
        .missing
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::aws::ec2::route_table::VpcRoute;
    use crate::netplan::reachability::{TransitGatewayTable, TransitGatewayTarget, Way};

    fn net(cidr: &str) -> IpNet {
        cidr.parse().unwrap()
    }

    fn table(routes: &[(&str, &str, &str)]) -> RouteTable {
        RouteTable {
            id: "rtb-staging".into(),
            vpc_id: "vpc-staging".into(),
            routes: routes
                .iter()
                .map(|(destination, target, state)| VpcRoute {
                    destination: destination.to_string(),
                    target: target.to_string(),
                    state: state.to_string(),
                })
                .collect(),
        }
    }

    /// The staging VPC routing the data center to `tgw-1`, both attached and associated with
    /// one table that propagates `propagations` and drops `blackholes`, Direct Connect
    /// advertising `advertised`.
    pub(crate) fn fabric(
        staging_routes: &[(&str, &str, &str)],
        propagations: &[&str],
        advertised: &[&str],
        blackholes: &[&str],
    ) -> Fabric {
        let cidrs = BTreeSet::from(["10.1.0.0/16".to_string()]);
        let attachment = |id: &str| Attachment {
            id: id.into(),
            state: "available".into(),
            route_table: Some("tgw-rtb-hub".into()),
        };
        Fabric {
            networks: vec![
                staging_network(
                    "tgw-1",
                    "vpc-staging",
                    &cidrs,
                    &[table(staging_routes)],
                    Some(attachment("tgw-attach-staging")),
                ),
                Network {
                    name: DATA_CENTER.into(),
                    cidrs: vec![net("192.168.0.0/16")],
                    attachment: Some(attachment("tgw-attach-dx")),
                    side: Side::DataCenter {
                        advertised: Some(advertised.iter().map(|c| net(c)).collect()),
                    },
                },
            ],
            transit_gateway_tables: vec![TransitGatewayTable {
                id: "tgw-rtb-hub".into(),
                propagations: propagations.iter().map(|p| p.to_string()).collect(),
                static_routes: blackholes
                    .iter()
                    .map(|c| (net(c), TransitGatewayTarget::Blackhole))
                    .collect(),
            }],
            client_vpn: None,
        }
    }

    pub(crate) const ROUTED: &[(&str, &str, &str)] = &[
        ("10.1.0.0/16", "local", "active"),
        ("192.168.0.0/16", "tgw-1", "active"),
        ("0.0.0.0/0", "nat-1", "active"),
    ];

    #[test]
    fn the_source_s_gateway_is_the_longest_prefix_target() {
        let sources = BTreeSet::from(["192.168.0.0/16".to_string()]);
        assert_eq!(
            gateway_of_sources(&[table(ROUTED)], &sources).as_deref(),
            Some("tgw-1")
        );
        let by_default = table(&[("0.0.0.0/0", "tgw-9", "active")]);
        assert_eq!(
            gateway_of_sources(&[by_default], &sources).as_deref(),
            Some("tgw-9")
        );
        let to_nat = table(&[("0.0.0.0/0", "nat-1", "active")]);
        assert_eq!(gateway_of_sources(&[to_nat], &sources), None);
    }

    #[test]
    fn a_complete_round_trip_has_nothing_missing() {
        let fabric = fabric(
            ROUTED,
            &["tgw-attach-staging", "tgw-attach-dx"],
            &["10.1.0.0/16"],
            &[],
        );
        assert_eq!(missing(&fabric), None);
    }

    #[test]
    fn each_missing_hop_is_named_on_its_way() {
        // The staging VPC does not propagate: the data center's packets find no route to it.
        let unpropagated = fabric(ROUTED, &["tgw-attach-dx"], &["10.1.0.0/16"], &[]);
        let found = missing(&unpropagated).expect("a hop is missing");
        assert_eq!(found.way, Way::There);
        assert!(found.to_string().contains("tgw-rtb-hub"), "{found}");
        // Direct Connect does not advertise the staging VPC to the data center.
        let unadvertised = fabric(
            ROUTED,
            &["tgw-attach-staging", "tgw-attach-dx"],
            &["10.2.0.0/16"],
            &[],
        );
        let found = missing(&unadvertised).expect("a hop is missing");
        assert!(found.to_string().contains("10.1.0.0/16"), "{found}");
        // The data center's networks do not propagate: the answers have no way back.
        let no_way_back = fabric(ROUTED, &["tgw-attach-staging"], &["10.1.0.0/16"], &[]);
        let found = missing(&no_way_back).expect("a hop is missing");
        assert_eq!(found.way, Way::Back, "{found}");
        // A blackhole for part of the data center drops some answers.
        let dropped = fabric(
            ROUTED,
            &["tgw-attach-staging", "tgw-attach-dx"],
            &["10.1.0.0/16"],
            &["192.168.99.0/24"],
        );
        let found = missing(&dropped).expect("a hop is missing");
        assert_eq!(found.way, Way::Back, "{found}");
        assert!(found.to_string().contains("192.168.99.0/24"), "{found}");
    }
}
