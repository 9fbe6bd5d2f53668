# Who reaches what by design, from the configuration alone: no AWS call, so the checks below
# that read it run during the very first plan, before anything exists. It answers which group
# reaches what once longest-prefix matching has chosen between overlapping rules.
data "migration_reachability" "design" {
  planned = {
    networks = local.networks
    client_vpn = {
      network = "staging" # the VPC of the endpoint's target networks
      groups  = local.group_networks
    }
  }
}

# Who reaches what, from the routing AWS holds: read during plan once the hub exists (during the
# apply that creates it, after the spoke has joined), so drift fails these checks with the hop it
# broke. `spokes` names the spoke's attachment after the hub's declaration; the spoke's own route
# tables are not visible from the hub account, so its pairs are at best `unverified`.
data "migration_reachability" "hub" {
  transit_gateway_id     = migration_hub_network.hub.id
  client_vpn_endpoint_id = migration_client_vpn_group_access.staff.client_vpn_endpoint_id
  spokes                 = migration_hub_network.hub.spokes

  depends_on = [migration_hub_spoke.spoke]
}

locals {
  reachability = data.migration_reachability.hub
  # What each Client VPN group must reach, and nothing else.
  group_access = {
    migration_engineers = ["data_center", "staging"]
    internal_it         = ["data_center", "target"]
  }
}

check "client_vpn_groups_reach_their_networks_by_design" {
  assert {
    condition = alltrue([
      for group, networks in local.group_access :
      data.migration_reachability.design.reachable[group] == toset(networks)
    ])
    error_message = join("\n", flatten([
      for group, networks in local.group_access : concat(
        [
          for network in networks :
          "by design, ${group} cannot reach ${network}: ${data.migration_reachability.design.paths["${group} -> ${network}"].missing_hop}"
          if !data.migration_reachability.design.paths["${group} -> ${network}"].reachable
        ],
        [
          for network in setsubtract(data.migration_reachability.design.reachable[group], networks) :
          "by design, ${group} reaches ${network}, which it should not"
        ],
      )
    ]))
  }
}

check "client_vpn_groups_reach_their_networks_only" {
  assert {
    condition = alltrue([
      for group, networks in local.group_access :
      local.reachability.reachable[group] == toset(networks)
    ])
    error_message = join("\n", flatten([
      for group, networks in local.group_access : concat(
        [
          for network in networks :
          "${group} cannot reach ${network}: ${local.reachability.paths["${group} -> ${network}"].missing_hop}"
          if !local.reachability.paths["${group} -> ${network}"].reachable
        ],
        [
          for network in setsubtract(local.reachability.reachable[group], networks) :
          "${group} reaches ${network}, which it should not"
        ],
      )
    ]))
  }
}

# Every hop the hub account can see is there between every two networks, spoke included (a
# spoke's pairs are `unverified`: its own route tables are the spoke account's).
check "every_network_reaches_every_other" {
  assert {
    condition = alltrue([
      for pair in values(local.reachability.paths) :
      pair.status != "unreachable" if !contains(keys(local.group_access), pair.source)
    ])
    error_message = join("\n", [
      for key, pair in local.reachability.paths :
      "${key}: ${pair.missing_hop}"
      if pair.status == "unreachable" && !contains(keys(local.group_access), pair.source)
    ])
  }
}
