# Who can reach what through the hub, from the routes AWS holds now: every network to every other,
# and every Client VPN group to every network, there and back.
data "migration_reachability" "hub" {
  transit_gateway_id     = "tgw-0123456789abcdef0"           # migration_hub_network.hub.id
  client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0" # optional: the groups as sources
}

# Migration engineers reach staging and the data center, and nothing else.
check "migration_engineers_access" {
  assert {
    condition = data.migration_reachability.hub.reachable["migration_engineers"] == toset(["data_center", "staging"])
    error_message = join("\n", [
      for key in ["migration_engineers -> staging", "migration_engineers -> data_center"] :
      "${key}: ${coalesce(data.migration_reachability.hub.paths[key].missing_hop, "reachable")}"
    ])
  }
}

output "reachability" {
  value = data.migration_reachability.hub.table
}
