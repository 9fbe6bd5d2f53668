# Another team's spoke joins a hub it does not manage: everything it needs of the hub comes from
# the data source, found by the hub's name.
data "migration_hub_network" "hub" {
  provider = migration.hub
  name     = var.hub_name
}

resource "migration_hub_spoke" "spoke" {
  transit_gateway_id = data.migration_hub_network.hub.transit_gateway_id
  resource_share_arn = data.migration_hub_network.hub.resource_share_arn
  vpc_id             = var.spoke_vpc_id
  route_table_ids    = var.spoke_route_table_ids
  hub_cidr_blocks    = data.migration_hub_network.hub.cidr_blocks
}

output "hub_networks" {
  value = { for name, network in data.migration_hub_network.hub.networks : name => sort(network.cidr_blocks) }
}

output "hub_owner" {
  value = data.migration_hub_network.hub.owner_account_id
}
