//! State saved by older releases, brought to the current layout (UpgradeResourceState).
//!
//! Version 0 (release 0.1.0) kept `authorization_rules` and `routes` as lists, compared element
//! by element: one rule revoked out of band shifted every later rule and Terraform showed them
//! all as changed. Version 1 keys them by what identifies them on AWS:
//! `authorization_rules = {<group> = {sid, networks = {<cidr> = {description, status}}}}` and
//! `routes = {<cidr> = {<subnet> = <status>}}`. `directory_id` became optional and computed; the
//! refresh that follows every upgrade fills it in.

use serde_json::{Map, Value as Json, json};

/// Version 0's JSON state as version 1's.
pub(crate) fn from_v0(mut state: Json) -> Json {
    let Some(object) = state.as_object_mut() else {
        return state;
    };
    if let Some(rules) = object.remove("authorization_rules") {
        let mut groups: Map<String, Json> = Map::new();
        for rule in rules.as_array().into_iter().flatten() {
            let (Some(group), Some(sid), Some(cidr)) = (
                rule["group"].as_str(),
                rule["sid"].as_str(),
                rule["destination_cidr"].as_str(),
            ) else {
                continue;
            };
            // Two SIDs under one key (a group whose SID was changing): the second by its SID.
            let key = match groups.get(group) {
                Some(entry) if entry["sid"] != sid => sid,
                _ => group,
            };
            let entry = groups
                .entry(key.to_string())
                .or_insert_with(|| json!({"sid": sid, "networks": {}}));
            entry["networks"][cidr] =
                json!({"description": rule["description"], "status": rule["status"]});
        }
        object.insert(
            "authorization_rules".into(),
            if rules.is_null() {
                Json::Null
            } else {
                Json::Object(groups)
            },
        );
    }
    if let Some(routes) = object.remove("routes") {
        let mut destinations: Map<String, Json> = Map::new();
        for route in routes.as_array().into_iter().flatten() {
            let (Some(cidr), Some(subnet)) = (
                route["destination_cidr"].as_str(),
                route["subnet_id"].as_str(),
            ) else {
                continue;
            };
            destinations
                .entry(cidr.to_string())
                .or_insert_with(|| json!({}))[subnet] = route["status"].clone();
        }
        object.insert(
            "routes".into(),
            if routes.is_null() {
                Json::Null
            } else {
                Json::Object(destinations)
            },
        );
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release_0_1_0() -> Json {
        crate::framework::upgrade::release_0_1_0_attributes("migration_client_vpn_group_access")
    }

    #[test]
    fn rules_and_routes_of_release_0_1_0_are_keyed_by_identity() {
        let before = release_0_1_0();
        let upgraded = from_v0(before.clone());
        let it = upgraded["authorization_rules"]["internal_it"].clone();
        assert_eq!(it["sid"], "S-1-5-21-2792870568-2973531915-3860575467-1109");
        assert_eq!(
            it["networks"],
            json!({
                "10.20.0.0/16": {"description": "internal_it: Internal IT: the source data center and the target VPC", "status": "active"},
                "192.168.0.0/16": {"description": "internal_it: Internal IT: the source data center and the target VPC", "status": "active"}
            })
        );
        assert_eq!(
            upgraded["authorization_rules"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["internal_it", "migration_engineers"]
        );
        let routes = upgraded["routes"].as_object().unwrap();
        assert_eq!(routes.len(), 3, "three destinations: {routes:?}");
        assert_eq!(
            routes["10.10.0.0/16"],
            json!({"subnet-0de0f550b39527be2": "active", "subnet-ecd3500284cbeae90": "active"})
        );
        for (name, value) in before.as_object().unwrap() {
            if name != "routes" && name != "authorization_rules" {
                assert_eq!(&upgraded[name], value, "{name} is carried over as it was");
            }
        }
    }

    #[test]
    fn a_group_with_two_sids_keeps_both() {
        let v0 = json!({"authorization_rules": [
            {"group": "eng", "sid": "S-1", "destination_cidr": "10.0.0.0/16", "description": "eng", "status": "revoking"},
            {"group": "eng", "sid": "S-2", "destination_cidr": "10.0.0.0/16", "description": "eng", "status": "authorizing"}
        ], "routes": null});
        let upgraded = from_v0(v0);
        assert_eq!(upgraded["authorization_rules"]["eng"]["sid"], "S-1");
        assert_eq!(upgraded["authorization_rules"]["S-2"]["sid"], "S-2");
        assert_eq!(upgraded["routes"], Json::Null);
    }
}
