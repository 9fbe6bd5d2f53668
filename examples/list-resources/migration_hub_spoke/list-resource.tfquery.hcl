# The spokes of the account the provider acts as (run it with each spoke account's provider
# configuration), attached to one hub's shared Transit Gateway.
list "migration_hub_spoke" "on_the_hub" {
  provider = migration

  config {
    transit_gateway_id = "tgw-0123456789abcdef0"
  }
}
