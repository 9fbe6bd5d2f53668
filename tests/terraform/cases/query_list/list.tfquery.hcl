# Everything of the two accounts that the migration resources manage, in the provider's Region
# (Terraform 1.14 and later): the hubs and group accesses of the hub account, the spokes of the
# spoke account.
list "migration_hub_network" "hubs" {
  provider = migration
}

list "migration_client_vpn_group_access" "accesses" {
  provider = migration
}

list "migration_hub_spoke" "spokes" {
  provider = migration.spoke
}
