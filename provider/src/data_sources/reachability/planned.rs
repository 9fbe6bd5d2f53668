//! The matrix before anything is deployed: `planned` describes the networks and the Client VPN
//! groups as the configuration gives them to `migration_hub_network` and
//! `migration_client_vpn_group_access`, and the fabric is what those two resources build from
//! it — every VPC routing every other network to the Transit Gateway, every attachment
//! propagating into the one hub route table, one authorization rule per group and network, and
//! a Client VPN route for every authorized network. No AWS call is made, so a `check` on it runs
//! during the first plan. What such a fabric can still get wrong is what the configuration
//! alone decides: which group reaches what once longest-prefix matching has chosen between
//! overlapping rules, and a network outside every group's rules.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use crate::framework::typed::{Maybe, Strings};
use crate::netplan::cidr::parse_canonical;
use crate::netplan::overlap::overlapping_pairs;
use crate::netplan::reachability::{
    Attachment, Authorized, ClientVpn, Fabric, Group, Network, Side, TransitGatewayTable,
    VpcRouteTable, VpcTarget,
};
use crate::protocol::cty::Path as AttributePath;
use crate::protocol::cty::Type;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::schema::{Attribute, Nesting, Presence};
use crate::resources::hub_network::model::DATA_CENTER;
use crate::typed_object;

typed_object! {
    /// `planned.client_vpn`.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct PlannedClientVpn {
        pub network: String,
        pub groups: BTreeMap<String, Strings>,
    }
}

typed_object! {
    /// `planned`: the networks and groups as the configuration gives them.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Planned {
        pub networks: BTreeMap<String, Strings>,
        pub client_vpn: Option<PlannedClientVpn>,
    }
}

/// The `planned` attribute.
pub(crate) fn attribute() -> Attribute {
    let client_vpn = vec![
        Attribute::required("network", Type::String).describe(
            "The network (a key of `networks`) whose VPC holds the endpoint's target networks: \
             client traffic enters the hub from there.",
        ),
        Attribute::required("groups", Type::map(Type::set(Type::String))).describe(
            "Each group's authorized networks by its key, as in \
             `migration_client_vpn_group_access`'s `groups[*].networks`: \
             `{ for k, g in local.groups : k => g.networks }`.",
        ),
    ];
    let planned = vec![
        Attribute::required("networks", Type::map(Type::set(Type::String))).describe(
            "The hub's networks by name, each with its CIDR blocks: the keys of \
             `vpc_attachments` with their VPCs' CIDRs, and `data_center` with \
             `data_center.cidr_blocks`.",
        ),
        Attribute::nested(
            "client_vpn",
            Nesting::Single,
            Presence::Optional,
            client_vpn,
        )
        .describe("The Client VPN groups to answer for."),
    ];
    Attribute::nested("planned", Nesting::Single, Presence::Optional, planned).describe(
        "Instead of `transit_gateway_id`: the networks and groups as the configuration gives \
         them, to answer before anything is deployed (no AWS call is made; the answer is what \
         `migration_hub_network` and `migration_client_vpn_group_access` build from these \
         values). Known values from variables and locals make it known during the first plan.",
    )
}

/// Offline checks of `planned`: canonical CIDRs, networks that do not overlap (the hub refuses
/// them), and a Client VPN network among the networks.
pub(crate) fn validate(planned: &Maybe<Option<Planned>>, diagnostics: &mut Diagnostics) {
    let Maybe::Known(Some(planned)) = planned else {
        return;
    };
    let root = AttributePath::root().attr("planned");
    let mut named: Vec<(String, IpNet)> = Vec::new();
    for (name, cidrs) in &planned.networks {
        let path = root.clone().attr("networks").key(name.clone());
        if cidrs.is_empty() {
            diagnostics.error_at(
                path.clone(),
                "Network without CIDR blocks",
                format!("planned.networks[{name:?}] has no CIDR block; give the network's address space."),
            );
        }
        for cidr in cidrs {
            match parse_canonical(cidr) {
                Ok(net) => named.push((name.clone(), net)),
                Err(error) => {
                    diagnostics.error_at(path.clone(), "Invalid CIDR block", error.to_string())
                }
            }
        }
    }
    let prefixes: Vec<IpNet> = named.iter().map(|(_, net)| *net).collect();
    for (wider, narrower) in overlapping_pairs(&prefixes) {
        let ((a, a_net), (b, b_net)) = (&named[wider], &named[narrower]);
        diagnostics.error_at(
            root.clone().attr("networks").key(b.clone()),
            "Networks overlap",
            if a == b {
                format!("{a}'s CIDR blocks {a_net} and {b_net} overlap; give each address once.")
            } else {
                format!(
                    "{b_net} of {b} overlaps {a_net} of {a}: a hub cannot route both \
                     (migration_hub_network refuses them). Give the networks distinct address \
                     space."
                )
            },
        );
    }
    let Some(vpn) = &planned.client_vpn else {
        return;
    };
    let vpn_path = root.attr("client_vpn");
    if !planned.networks.contains_key(&vpn.network) || vpn.network == DATA_CENTER {
        diagnostics.error_at(
            vpn_path.clone().attr("network"),
            "Not a VPC of the hub",
            format!(
                "{:?} is not one of the VPC networks in planned.networks ({}); name the one \
                 whose VPC holds the endpoint's target networks.",
                vpn.network,
                planned
                    .networks
                    .keys()
                    .filter(|k| *k != DATA_CENTER)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for (group, cidrs) in &vpn.groups {
        for cidr in cidrs {
            if let Err(error) = parse_canonical(cidr) {
                diagnostics.error_at(
                    vpn_path.clone().attr("groups").key(group.clone()),
                    "Invalid CIDR block",
                    error.to_string(),
                );
            }
        }
    }
}

/// The hub's route table in the planned fabric (one, as `migration_hub_network` makes it).
const HUB_TABLE: &str = "the hub route table";

fn parsed(cidrs: &Strings) -> Vec<IpNet> {
    let mut nets: Vec<IpNet> = cidrs
        .iter()
        .filter_map(|c| parse_canonical(c).ok())
        .collect();
    nets.sort();
    nets.dedup();
    nets
}

fn vpc_id(name: &str) -> String {
    format!("the VPC of {name}")
}

/// What `migration_hub_network` and `migration_client_vpn_group_access` build from these
/// values, as routing facts. `validate` has refused what they would refuse.
pub(crate) fn fabric(planned: &Planned) -> Fabric {
    let all: Vec<(&String, Vec<IpNet>)> = planned
        .networks
        .iter()
        .map(|(name, cidrs)| (name, parsed(cidrs)))
        .collect();
    let attachment = |name: &str| Attachment {
        id: format!("the attachment of {name}"),
        state: "available".to_string(),
        route_table: Some(HUB_TABLE.to_string()),
    };
    let networks: Vec<Network> = all
        .iter()
        .map(|(name, cidrs)| {
            let side = if name.as_str() == DATA_CENTER {
                // The data center's own routing is not ours to see; Direct Connect advertises
                // what the hub allows, which covers every VPC.
                Side::DataCenter { advertised: None }
            } else {
                let mut routes: Vec<(IpNet, VpcTarget)> =
                    cidrs.iter().map(|c| (*c, VpcTarget::Local)).collect();
                for (other, other_cidrs) in &all {
                    if other != name {
                        routes.extend(other_cidrs.iter().map(|c| (*c, VpcTarget::TransitGateway)));
                    }
                }
                Side::Vpc {
                    vpc_id: vpc_id(name),
                    route_tables: vec![VpcRouteTable {
                        id: format!("the route tables of {name}"),
                        routes,
                    }],
                }
            };
            Network {
                name: (*name).clone(),
                cidrs: cidrs.clone(),
                attachment: Some(attachment(name)),
                side,
            }
        })
        .collect();
    let hub_table = TransitGatewayTable {
        id: HUB_TABLE.to_string(),
        propagations: networks
            .iter()
            .filter_map(|n| Some(n.attachment.as_ref()?.id.clone()))
            .collect(),
        static_routes: Vec::new(),
    };
    let client_vpn = planned.client_vpn.as_ref().map(|vpn| {
        let mut rules: Vec<(IpNet, Authorized)> = Vec::new();
        for (group, cidrs) in &vpn.groups {
            rules.extend(
                parsed(cidrs)
                    .into_iter()
                    .map(|c| (c, Authorized::Group(group.clone()))),
            );
        }
        let routed: BTreeSet<IpNet> = rules.iter().map(|(c, _)| *c).collect();
        ClientVpn {
            endpoint_id: "the Client VPN endpoint".to_string(),
            vpc_id: vpc_id(&vpn.network),
            // In the plan a group is its key: the key is what rules of the resource carry.
            groups: vpn
                .groups
                .keys()
                .map(|key| Group {
                    name: key.clone(),
                    sid: key.clone(),
                })
                .collect(),
            rules,
            routes: routed
                .into_iter()
                .map(|c| (c, "a route subnet".to_string()))
                .collect(),
        }
    });
    Fabric {
        networks,
        transit_gateway_tables: vec![hub_table],
        client_vpn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netplan::reachability::{Hop, Way};

    fn strings(items: &[&str]) -> Strings {
        Strings(items.iter().map(|s| s.to_string()).collect())
    }

    fn blueprint(engineers: &[&str], it: &[&str]) -> Planned {
        Planned {
            networks: BTreeMap::from([
                ("staging".to_string(), strings(&["10.10.0.0/16"])),
                ("target".to_string(), strings(&["10.20.0.0/16"])),
                ("data_center".to_string(), strings(&["192.168.0.0/16"])),
            ]),
            client_vpn: Some(PlannedClientVpn {
                network: "staging".into(),
                groups: BTreeMap::from([
                    ("migration_engineers".to_string(), strings(engineers)),
                    ("internal_it".to_string(), strings(it)),
                ]),
            }),
        }
    }

    fn reached(fabric: &Fabric, source: &str) -> Vec<String> {
        fabric
            .matrix()
            .into_iter()
            .filter(|p| p.source == source && p.reachable())
            .map(|p| p.destination)
            .collect()
    }

    #[test]
    fn the_blueprint_by_design_every_network_reaches_every_other_and_each_group_its_own() {
        let fabric = fabric(&blueprint(
            &["10.10.0.0/16", "192.168.0.0/16"],
            &["192.168.0.0/16", "10.20.0.0/16"],
        ));
        let paths = fabric.matrix();
        assert!(
            paths
                .iter()
                .filter(|p| ["staging", "target", "data_center"].contains(&p.source.as_str()))
                .all(|p| p.reachable()),
            "{paths:#?}"
        );
        assert_eq!(
            reached(&fabric, "migration_engineers"),
            ["data_center", "staging"]
        );
        assert_eq!(reached(&fabric, "internal_it"), ["data_center", "target"]);
        let refused = paths
            .iter()
            .find(|p| p.source == "migration_engineers" && p.destination == "target")
            .unwrap();
        let missing = refused.missing.as_ref().unwrap();
        assert_eq!(missing.way, Way::There);
        assert!(
            matches!(missing.hop, Hop::NoAuthorization { .. }),
            "{missing:?}"
        );
    }

    #[test]
    fn a_wider_rule_of_one_group_loses_to_a_narrower_rule_of_another_before_any_deploy() {
        // Internal IT is given the whole 10.0.0.0/8, the engineers staging's /16: by longest
        // prefix, staging is the engineers' alone.
        let fabric = fabric(&blueprint(&["10.10.0.0/16"], &["10.0.0.0/8"]));
        assert_eq!(reached(&fabric, "internal_it"), ["target"]);
        let lost = fabric
            .matrix()
            .into_iter()
            .find(|p| p.source == "internal_it" && p.destination == "staging")
            .unwrap();
        let missing = lost.missing.unwrap();
        assert!(matches!(missing.hop, Hop::Shadowed { .. }), "{missing:?}");
        assert!(
            missing.to_string().contains("migration_engineers"),
            "{missing}"
        );
    }

    #[test]
    fn bad_values_are_errors_on_their_attribute() {
        let mut planned = blueprint(&["10.10.0.0/16"], &["10.20.0.0/16", "10.20.0.1/16"]);
        planned
            .networks
            .insert("copy".to_string(), strings(&["10.10.128.0/17"]));
        planned.client_vpn.as_mut().unwrap().network = "data_center".into();
        let mut diagnostics = Diagnostics::new();
        validate(&Maybe::Known(Some(planned)), &mut diagnostics);
        let found: Vec<(String, String)> = diagnostics
            .iter()
            .map(|d| (d.attribute.as_ref().unwrap().to_string(), d.summary.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "planned.networks[\"copy\"]".to_string(),
                    "Networks overlap".to_string()
                ),
                (
                    "planned.client_vpn.network".to_string(),
                    "Not a VPC of the hub".to_string()
                ),
                (
                    "planned.client_vpn.groups[\"internal_it\"]".to_string(),
                    "Invalid CIDR block".to_string()
                ),
            ],
            "{diagnostics:#?}"
        );
        let mut clean = Diagnostics::new();
        validate(
            &Maybe::Known(Some(blueprint(&["10.10.0.0/16"], &["10.20.0.0/16"]))),
            &mut clean,
        );
        assert!(clean.is_empty(), "{clean:#?}");
    }
}
