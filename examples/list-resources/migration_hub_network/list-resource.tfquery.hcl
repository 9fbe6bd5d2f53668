# Every hub of the provider's account and Region. `terraform query -generate-config-out=hubs.tf`
# writes an import block and the configuration of each.
list "migration_hub_network" "all" {
  provider = migration
}

# Only the hubs whose Transit Gateway carries these tags, each with its whole configuration
# in the output.
list "migration_hub_network" "network_team" {
  provider         = migration
  include_resource = true

  config {
    tags = {
      team = "network"
    }
  }
}
