# A spoke workspace owned by another team: the hub is read with the hub account's credentials
# (a read-only role), the spoke is built with the spoke account's own (the default provider
# configuration, as in examples/provider).
provider "migration" {
  alias  = "hub"
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::111122223333:role/migration-hub-read-only"
  }
}

# Exactly one of transit_gateway_id, resource_share_arn or name.
data "migration_hub_network" "hub" {
  provider = migration.hub
  name     = "migration-hub"
}

resource "migration_hub_spoke" "workloads" {
  transit_gateway_id = data.migration_hub_network.hub.transit_gateway_id
  resource_share_arn = data.migration_hub_network.hub.resource_share_arn
  vpc_id             = "vpc-0123456789abcdef0"
  route_table_ids    = ["rtb-0123456789abcdef0"]
  hub_cidr_blocks    = data.migration_hub_network.hub.cidr_blocks
}

output "hub_networks" {
  # { staging = ["10.10.0.0/16"], target = ["10.20.0.0/16"] }
  value = { for name, network in data.migration_hub_network.hub.networks : name => network.cidr_blocks }
}
