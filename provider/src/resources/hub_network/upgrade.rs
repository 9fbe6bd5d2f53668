//! State saved by older releases, brought to the current layout (UpgradeResourceState).
//!
//! Version 0 (release 0.1.0) kept `routes` as a list of `{route_table_id, destination, network,
//! state}` objects. A list is compared element by element, so one route missing out of band
//! shifted every later element and Terraform showed all of them as changed. Version 1 keys the
//! routes by route table, then destination: `{<table> = {vpc, destinations = {<cidr> = <network>}}}`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

/// Version 0's JSON state as version 1's.
pub(crate) fn from_v0(mut state: Json) -> Json {
    let Some(object) = state.as_object_mut() else {
        return state;
    };
    let hub_table = object
        .get("route_table_id")
        .and_then(Json::as_str)
        .map(str::to_string);
    let mut vpc_of_table: BTreeMap<String, String> = BTreeMap::new();
    if let Some(attachments) = object.get("vpc_attachments").and_then(Json::as_object) {
        for (key, attachment) in attachments {
            for table in attachment["route_table_ids"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(table) = table.as_str() {
                    vpc_of_table.insert(table.to_string(), key.clone());
                }
            }
        }
    }
    let routes = object.remove("routes");
    let mut tables: Map<String, Json> = Map::new();
    for route in routes
        .as_ref()
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(table), Some(destination)) = (
            route["route_table_id"].as_str(),
            route["destination"].as_str(),
        ) else {
            continue;
        };
        // Version 1 lists only routes that deliver; a blackhole is drift the next plan shows.
        if route["state"].as_str().is_some_and(|s| s != "active") {
            continue;
        }
        let vpc = if hub_table.as_deref() == Some(table) {
            Json::Null
        } else {
            vpc_of_table.get(table).map_or(Json::Null, |k| json!(k))
        };
        let entry = tables
            .entry(table.to_string())
            .or_insert_with(|| json!({"vpc": vpc, "destinations": {}}));
        entry["destinations"][destination] = route["network"].clone();
    }
    object.insert(
        "routes".into(),
        if routes.as_ref().is_none_or(Json::is_null) {
            Json::Null
        } else {
            Json::Object(tables)
        },
    );
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release_0_1_0() -> Json {
        crate::framework::upgrade::release_0_1_0_attributes("migration_hub_network")
    }

    #[test]
    fn routes_of_release_0_1_0_are_keyed_by_table_then_destination() {
        let upgraded = from_v0(release_0_1_0());
        assert_eq!(
            upgraded["routes"],
            json!({
                "rtb-67c7e7afc734aa99f": {
                    "vpc": "staging",
                    "destinations": {"10.20.0.0/16": "target", "192.168.0.0/16": "data_center"}
                },
                "rtb-ab1b3322fd27d511a": {
                    "vpc": "target",
                    "destinations": {"10.10.0.0/16": "staging", "192.168.0.0/16": "data_center"}
                }
            })
        );
        let before = release_0_1_0();
        for (name, value) in before.as_object().unwrap() {
            if name != "routes" {
                assert_eq!(&upgraded[name], value, "{name} is carried over as it was");
            }
        }
    }

    #[test]
    fn hub_table_routes_have_no_vpc_and_blackholes_are_dropped() {
        let v0 = json!({
            "route_table_id": "tgw-rtb-1",
            "vpc_attachments": {"a": {"route_table_ids": ["rtb-a"]}},
            "routes": [
                {"route_table_id": "rtb-a", "destination": "10.1.0.0/16", "network": "b", "state": "active"},
                {"route_table_id": "rtb-a", "destination": "10.2.0.0/16", "network": "c", "state": "blackhole"},
                {"route_table_id": "tgw-rtb-1", "destination": "192.168.0.0/16", "network": "data_center", "state": "active"}
            ]
        });
        assert_eq!(
            from_v0(v0)["routes"],
            json!({
                "rtb-a": {"vpc": "a", "destinations": {"10.1.0.0/16": "b"}},
                "tgw-rtb-1": {"vpc": null, "destinations": {"192.168.0.0/16": "data_center"}}
            })
        );
    }

    #[test]
    fn no_routes_stay_null_and_an_empty_list_becomes_an_empty_map() {
        assert_eq!(from_v0(json!({"routes": null}))["routes"], Json::Null);
        assert_eq!(from_v0(json!({"routes": []}))["routes"], json!({}));
    }
}
