//! The state layout of release 0.1.0 (schema version 0 of both resources), written from a state
//! of today's layout, so that a test can hand Terraform a state as 0.1.0 saved it for objects
//! the test has just created. `tests/terraform/cases/upgrade-release-0.1.0.tfstate` is a state
//! 0.1.0 really wrote; the unit tests below check that this module reproduces it exactly.

use serde_json::{Value as Json, json};

/// A CIDR's place in 0.1.0's listings: address family, address, then prefix length.
type CidrOrder = (Option<ipnet::IpNet>, String);

fn cidr_order(text: &str) -> CidrOrder {
    (text.parse().ok(), text.to_string())
}

/// Where 0.1.0 listed a route: VPC tables (by id) before the hub's table, then destination.
type RouteOrder = (bool, String, CidrOrder);

/// The attributes of a `migration_hub_network` in 0.1.0's layout: `routes` as a list of
/// `{route_table_id, destination, network, state}`, VPC route tables first (by id), then the
/// hub route table, each by destination.
pub fn hub_network(attributes: &Json) -> Json {
    let mut v0 = attributes.clone();
    // Attributes added since 0.1.0 were not in its schema, so its states do not hold them.
    if let Some(object) = v0.as_object_mut() {
        object.remove("spokes");
        object.remove("take_over");
    }
    let hub_table = attributes["route_table_id"].as_str().unwrap_or_default();
    let mut routes: Vec<(RouteOrder, Json)> = Vec::new();
    for (table, entry) in attributes["routes"].as_object().into_iter().flatten() {
        for (destination, network) in entry["destinations"].as_object().into_iter().flatten() {
            routes.push((
                (table == hub_table, table.clone(), cidr_order(destination)),
                json!({
                    "destination": destination,
                    "network": network,
                    "route_table_id": table,
                    "state": "active",
                }),
            ));
        }
    }
    routes.sort_by(|a, b| a.0.cmp(&b.0));
    v0["routes"] = if attributes["routes"].is_null() {
        Json::Null
    } else {
        Json::Array(routes.into_iter().map(|(_, r)| r).collect())
    };
    v0
}

/// The attributes of a `migration_client_vpn_group_access` in 0.1.0's layout:
/// `authorization_rules` as a list of `{group, sid, destination_cidr, description, status}` by
/// group then network, `routes` as a list of `{destination_cidr, subnet_id, status}` by
/// destination then subnet.
pub fn client_vpn_group_access(attributes: &Json) -> Json {
    let mut v0 = attributes.clone();
    // Attributes added since 0.1.0 were not in its schema, so its states do not hold them.
    if let Some(object) = v0.as_object_mut() {
        object.remove("take_over");
    }
    let mut rules = Vec::new();
    for (group, entry) in attributes["authorization_rules"]
        .as_object()
        .into_iter()
        .flatten()
    {
        for (cidr, rule) in entry["networks"].as_object().into_iter().flatten() {
            rules.push((
                (group.clone(), cidr_order(cidr), entry["sid"].to_string()),
                json!({
                    "description": rule["description"],
                    "destination_cidr": cidr,
                    "group": group,
                    "sid": entry["sid"],
                    "status": rule["status"],
                }),
            ));
        }
    }
    rules.sort_by(|a, b| a.0.cmp(&b.0));
    let mut routes = Vec::new();
    for (cidr, targets) in attributes["routes"].as_object().into_iter().flatten() {
        for (subnet, status) in targets.as_object().into_iter().flatten() {
            routes.push((
                (cidr_order(cidr), subnet.clone()),
                json!({"destination_cidr": cidr, "status": status, "subnet_id": subnet}),
            ));
        }
    }
    routes.sort_by(|a, b| a.0.cmp(&b.0));
    v0["authorization_rules"] = Json::Array(rules.into_iter().map(|(_, r)| r).collect());
    v0["routes"] = Json::Array(routes.into_iter().map(|(_, r)| r).collect());
    v0
}

/// A state file of today's layout rewritten as 0.1.0 would have saved it: both resources in the
/// version-0 layout, with `schema_version` 0.
pub fn state_file(state: &Json) -> Json {
    let mut v0 = state.clone();
    // 0.1.0 had no data source, so its state holds none.
    if let Some(resources) = v0["resources"].as_array_mut() {
        resources.retain(|r| r["mode"] != "data");
    }
    for resource in v0["resources"].as_array_mut().into_iter().flatten() {
        let rewrite: fn(&Json) -> Json = match resource["type"].as_str() {
            Some("migration_hub_network") => hub_network,
            Some("migration_client_vpn_group_access") => client_vpn_group_access,
            _ => continue,
        };
        for instance in resource["instances"].as_array_mut().into_iter().flatten() {
            instance["attributes"] = rewrite(&instance["attributes"]);
            instance["schema_version"] = json!(0);
        }
    }
    v0
}

#[cfg(test)]
mod tests {
    use super::*;
    use terraform_provider_migration::protocol::cty;
    use terraform_provider_migration::protocol::resource::Provider;
    use terraform_provider_migration::provider::MigrationProvider;

    fn fixture(kind: &str) -> Json {
        let file: Json = serde_json::from_str(include_str!(
            "../terraform/cases/upgrade-release-0.1.0.tfstate"
        ))
        .unwrap();
        file["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == kind)
            .unwrap()["instances"][0]["attributes"]
            .clone()
    }

    /// `saved` (schema version 0) as the provider upgrades it when Terraform asks
    /// (UpgradeResourceState), written back as state JSON.
    fn upgrade_from_v0(kind: &str, saved: &Json) -> Json {
        let provider = MigrationProvider::new();
        let resource = provider.resource(kind).unwrap();
        let value = resource
            .upgrade_state(0, &serde_json::to_vec(saved).unwrap())
            .unwrap();
        let ty = resource.schema().implied_type();
        serde_json::from_slice(&cty::to_json(&value, &ty).unwrap()).unwrap()
    }

    #[test]
    fn a_hub_upgraded_and_written_back_is_what_0_1_0_saved() {
        let saved = fixture("migration_hub_network");
        let upgraded = upgrade_from_v0("migration_hub_network", &saved);
        assert_eq!(hub_network(&upgraded), saved);
    }

    #[test]
    fn a_group_access_upgraded_and_written_back_is_what_0_1_0_saved() {
        let saved = fixture("migration_client_vpn_group_access");
        let upgraded = upgrade_from_v0("migration_client_vpn_group_access", &saved);
        assert_eq!(client_vpn_group_access(&upgraded), saved);
    }
}
