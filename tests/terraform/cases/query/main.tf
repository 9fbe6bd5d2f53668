# An estate built with one configuration, which `terraform query` then finds from another
# working directory with no state: one hub attaching one VPC and shared with the spoke
# account, a spoke joining it from that account, and Client VPN access for one group on an
# existing endpoint.
resource "migration_hub_network" "hub" {
  name       = "queried-hub"
  share_with = [var.spoke_account]
  vpc_attachments = {
    staging = var.hub_vpc
  }
  tags = {
    team = "network"
  }
}

resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id
  groups = {
    engineers = {
      sid      = var.engineers_sid
      networks = [var.hub_vpc_cidr]
    }
  }
}

resource "migration_hub_spoke" "spoke" {
  provider = migration.spoke

  transit_gateway_id = migration_hub_network.hub.id
  resource_share_arn = migration_hub_network.hub.resource_share_arn
  vpc_id             = var.spoke_vpc_id
  route_table_ids    = var.spoke_route_table_ids
  hub_cidr_blocks    = [var.hub_vpc_cidr]
}
