//! The computed collections of both resources, read from `terraform show -json`, in the shape
//! they are changing to: MAPS keyed by identity instead of nested LISTS, so that one object
//! changed outside Terraform shows as one change in a plan (a list shifts every later element).
//!
//! * `migration_hub_network.routes`: route table id → `{ vpc = <vpc_attachments key, or null
//!   for the hub's Transit Gateway route table>, destinations = { <CIDR> = <network: a
//!   vpc_attachments key, "data_center" or "transit_gateway_cidr_blocks"> } }`. No per-route
//!   state: a blackholed route is simply absent.
//! * `migration_client_vpn_group_access.authorization_rules`: group key → `{ sid, description,
//!   networks = { <CIDR> = <status> } }`; `routes`: destination CIDR → { subnet id → status }.
//!
//! Every state assertion on these attributes goes through the readers below, which panic with
//! [`NOT_LANDED`] when the state still has the list shape: until the provider's change lands,
//! the scenarios that use them fail for that reason alone.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// What a reader says when it finds the old list shape.
pub const NOT_LANDED: &str = "the list→map change of the computed collections has not landed";

/// One route table of a hub's `routes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubTable {
    /// The `vpc_attachments` key of the table's VPC; `None` for the hub's own route table.
    pub vpc: Option<String>,
    /// Destination CIDR → network name.
    pub destinations: BTreeMap<String, String>,
}

/// A hub's `routes`, keyed by route table id.
pub fn hub_routes(values: &Json) -> BTreeMap<String, HubTable> {
    let routes = &values["routes"];
    let map = routes.as_object().unwrap_or_else(|| {
        panic!("migration_hub_network.routes is not a map ({NOT_LANDED}): {routes:#}")
    });
    map.iter()
        .map(|(table, entry)| {
            let destinations = entry["destinations"]
                .as_object()
                .unwrap_or_else(|| panic!("routes[{table:?}].destinations is not a map: {entry:#}"))
                .iter()
                .map(|(cidr, network)| {
                    (
                        cidr.clone(),
                        network.as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let vpc = entry["vpc"].as_str().map(str::to_string);
            (table.clone(), HubTable { vpc, destinations })
        })
        .collect()
}

/// A hub's routes flattened to (route table, destination, network), sorted.
pub fn hub_route_triples(values: &Json) -> Vec<(String, String, String)> {
    let mut triples: Vec<_> = hub_routes(values)
        .into_iter()
        .flat_map(|(table, entry)| {
            entry
                .destinations
                .into_iter()
                .map(move |(cidr, network)| (table.clone(), cidr, network))
        })
        .collect();
    triples.sort();
    triples
}

/// One group of `authorization_rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRules {
    pub sid: String,
    pub description: Option<String>,
    /// CIDR → status (`active`, `authorizing`, …).
    pub networks: BTreeMap<String, String>,
}

/// A Client VPN access's `authorization_rules`, keyed by group key.
pub fn authorization_rules(values: &Json) -> BTreeMap<String, GroupRules> {
    let rules = &values["authorization_rules"];
    let map = rules.as_object().unwrap_or_else(|| {
        panic!(
            "migration_client_vpn_group_access.authorization_rules is not a map ({NOT_LANDED}): \
             {rules:#}"
        )
    });
    map.iter()
        .map(|(group, entry)| {
            let networks = string_map(&entry["networks"], &format!("[{group:?}].networks"));
            (
                group.clone(),
                GroupRules {
                    sid: entry["sid"].as_str().unwrap_or_default().to_string(),
                    description: entry["description"].as_str().map(str::to_string),
                    networks,
                },
            )
        })
        .collect()
}

/// A Client VPN access's `routes`: destination CIDR → subnet id → status.
pub fn client_routes(values: &Json) -> BTreeMap<String, BTreeMap<String, String>> {
    let routes = &values["routes"];
    let map = routes.as_object().unwrap_or_else(|| {
        panic!("migration_client_vpn_group_access.routes is not a map ({NOT_LANDED}): {routes:#}")
    });
    map.iter()
        .map(|(cidr, subnets)| (cidr.clone(), string_map(subnets, &format!("[{cidr:?}]"))))
        .collect()
}

fn string_map(value: &Json, what: &str) -> BTreeMap<String, String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not a map: {value:#}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The (SID, CIDR) pairs of a Client VPN access's `authorization_rules`, read from either
/// shape (the old list of `{sid, destination_cidr, …}` or the new map): for scenarios whose
/// subject is what the state holds, not how it is shaped.
pub fn rule_pairs(values: &Json) -> Vec<(String, String)> {
    let rules = &values["authorization_rules"];
    let mut pairs: Vec<(String, String)> = match rules {
        Json::Array(list) => list
            .iter()
            .map(|r| {
                (
                    r["sid"].as_str().unwrap_or_default().to_string(),
                    r["destination_cidr"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect(),
        Json::Object(_) => authorization_rules(values)
            .into_values()
            .flat_map(|group| {
                group
                    .networks
                    .into_keys()
                    .map(move |cidr| (group.sid.clone(), cidr))
            })
            .collect(),
        _ => Vec::new(),
    };
    pairs.sort();
    pairs
}
