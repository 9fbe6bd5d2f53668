//! The hub's state as Terraform stored it, read back typed: the attributes the resource reads
//! from a prior state (what to observe, what changed since, what an import found) have Rust
//! types; the others are kept as the values Terraform sent, for `state::planned` to echo.

use std::collections::BTreeMap;

use crate::framework::typed::{OrEmpty, Strings};
use crate::protocol::cty::{Number, Value};

crate::typed_object! {
    /// `vpc_attachments[key]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredAttachment {
        pub vpc_id: Option<String>,
        pub subnet_ids: Value,
        pub route_table_ids: Strings,
        pub appliance_mode_support: Value,
        pub dns_support: Value,
        pub attachment_id: Value,
        pub cidr_blocks: Value,
        pub owner_id: Value,
        pub state: Value,
    }
}

crate::typed_object! {
    /// `data_center.vpn` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredVpn {
        pub customer_gateway_id: Option<String>,
        pub static_routes_only: Value,
    }
}

crate::typed_object! {
    /// `data_center` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredDataCenter {
        pub cidr_blocks: Value,
        pub direct_connect_gateway_id: Option<String>,
        pub vpn: Option<StoredVpn>,
        pub allowed_prefixes: Value,
        pub attachment_id: Value,
        pub association_id: Value,
        pub vpn_connection_id: Option<String>,
    }
}

crate::typed_object! {
    /// `spokes[name]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredSpoke {
        pub account_id: Option<String>,
        pub cidr_blocks: Value,
        pub client_vpn_endpoint_id: Option<String>,
        pub attachment_ids: Value,
        pub status: Value,
    }
}

crate::typed_object! {
    /// `routes[route table id]` as stored.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct StoredRouteTable {
        pub vpc: Option<String>,
        /// Destination → network: null for a route to the hub that no network of the hub
        /// covers (one left by a network since removed, or made out of band).
        pub destinations: OrEmpty<BTreeMap<String, Option<String>>>,
    }
}

crate::typed_object! {
    /// The whole stored state; each field is the attribute of the same name.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub(crate) struct Stored {
        pub id: Option<String>,
        pub arn: Value,
        pub owner_id: Value,
        pub name: Value,
        pub description: Value,
        pub amazon_side_asn: Option<Number>,
        pub auto_accept_shared_attachments: Value,
        pub dns_support: Value,
        pub vpn_ecmp_support: Value,
        pub transit_gateway_cidr_blocks: Value,
        pub share_with: Value,
        pub allow_external_principals: Value,
        pub vpc_attachments: OrEmpty<BTreeMap<String, StoredAttachment>>,
        pub data_center: Option<StoredDataCenter>,
        pub spokes: OrEmpty<BTreeMap<String, StoredSpoke>>,
        pub route_propagation: Option<bool>,
        pub mesh_routes: Value,
        pub take_over: Value,
        pub tags: Value,
        pub tags_all: OrEmpty<BTreeMap<String, String>>,
        pub route_table_id: Option<String>,
        pub resource_share_arn: Option<String>,
        pub routes: OrEmpty<BTreeMap<String, StoredRouteTable>>,
        pub timeouts: Value,
    }
}

impl Stored {
    /// Destinations of the hub route table's static routes (to the data center).
    pub(crate) fn hub_route_destinations(&self) -> impl Iterator<Item = &String> {
        let hub_table = self.route_table_id.as_deref();
        self.routes
            .iter()
            .filter(move |(table, _)| Some(table.as_str()) == hub_table)
            .flat_map(|(_, entry)| entry.destinations.keys())
    }

    /// The VPC route tables the hub holds routes in (every table but the hub's own).
    pub(crate) fn vpc_route_tables(&self) -> impl Iterator<Item = &String> {
        let hub_table = self.route_table_id.as_deref();
        self.routes
            .keys()
            .filter(move |table| Some(table.as_str()) != hub_table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::typed::{FromValue, Holds, assert_matches_schema};

    #[test]
    fn the_typed_state_is_the_schema_s_attributes() {
        let block = super::super::schema::schema().block;
        assert_matches_schema::<Stored>(&block, &[], Holds::Everything);
        let everything = Holds::Everything;
        assert_matches_schema::<StoredAttachment>(&block, &["vpc_attachments"], everything);
        assert_matches_schema::<StoredDataCenter>(&block, &["data_center"], everything);
        assert_matches_schema::<StoredVpn>(&block, &["data_center", "vpn"], everything);
        assert_matches_schema::<StoredSpoke>(&block, &["spokes"], everything);
        assert_matches_schema::<StoredRouteTable>(&block, &["routes"], everything);
    }

    #[test]
    fn the_hub_route_table_s_routes_are_told_from_the_vpcs() {
        let table = |vpc: Value, destinations: &[&str]| {
            Value::object([
                ("vpc", vpc),
                (
                    "destinations",
                    Value::Map(
                        destinations
                            .iter()
                            .map(|d| (d.to_string(), Value::string("data_center")))
                            .collect(),
                    ),
                ),
            ])
        };
        let stored = Stored::from_value(&Value::object([
            ("route_table_id", Value::string("tgw-rtb-1")),
            (
                "routes",
                Value::Map(BTreeMap::from([
                    (
                        "tgw-rtb-1".to_string(),
                        table(Value::Null, &["192.168.0.0/16"]),
                    ),
                    (
                        "rtb-a".to_string(),
                        table(Value::string("a"), &["10.1.0.0/16"]),
                    ),
                ])),
            ),
        ]))
        .unwrap();
        assert_eq!(
            stored.hub_route_destinations().collect::<Vec<_>>(),
            ["192.168.0.0/16"]
        );
        assert_eq!(stored.vpc_route_tables().collect::<Vec<_>>(), ["rtb-a"]);
        // A route no network covers any more is saved with a null network, and read back.
        let orphan_route = Value::object([
            ("route_table_id", Value::string("tgw-rtb-1")),
            (
                "routes",
                Value::Map(BTreeMap::from([(
                    "rtb-a".to_string(),
                    Value::object([
                        ("vpc", Value::string("a")),
                        (
                            "destinations",
                            Value::Map(BTreeMap::from([("10.2.0.0/16".to_string(), Value::Null)])),
                        ),
                    ]),
                )])),
            ),
        ]);
        let read = Stored::from_value(&orphan_route).unwrap();
        assert_eq!(read.routes["rtb-a"].destinations["10.2.0.0/16"], None);
        assert_eq!(stored.data_center, None);
        assert!(stored.vpc_attachments.is_empty());
    }
}
