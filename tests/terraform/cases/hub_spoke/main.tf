# The blueprint across two accounts: the hub (its VPC and the data center, shared with the
# spoke account) and the spoke joining it, in one apply. The spoke learns everything it needs
# from the hub's attributes.
resource "migration_hub_network" "hub" {
  name       = "migration-hub"
  share_with = [var.spoke_account]
  vpc_attachments = {
    staging = var.hub_vpc
  }
  data_center = {
    cidr_blocks               = var.data_center_cidrs
    direct_connect_gateway_id = var.direct_connect_gateway_id
  }
}

resource "migration_hub_spoke" "spoke" {
  provider = migration.spoke

  transit_gateway_id = migration_hub_network.hub.id
  resource_share_arn = migration_hub_network.hub.resource_share_arn
  vpc_id             = var.spoke_vpc_id
  route_table_ids    = var.spoke_route_table_ids
  hub_cidr_blocks = concat(
    flatten([for attachment in values(migration_hub_network.hub.vpc_attachments) : attachment.cidr_blocks]),
    var.data_center_cidrs,
  )
}
