# Every Client VPN endpoint of the provider's account and Region with authorization rules per
# Active Directory group: one migration_client_vpn_group_access each.
list "migration_client_vpn_group_access" "all" {
  provider = migration
}

# Only these endpoints.
list "migration_client_vpn_group_access" "office" {
  provider = migration

  config {
    client_vpn_endpoint_ids = ["cvpn-endpoint-0123456789abcdef0"]
  }
}
