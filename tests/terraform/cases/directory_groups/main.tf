# Client VPN access for Active Directory groups named in the configuration: their SIDs are read
# from the directory by name.
data "migration_directory_groups" "ad" {
  directory_id = var.directory_id
  names        = [for group in var.groups : group.name]
}

resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id
  directory_id           = var.directory_id

  groups = {
    for key, group in var.groups : key => {
      sid      = data.migration_directory_groups.ad.sids[group.name]
      networks = group.networks
    }
  }
}

output "engineers_dn" {
  value = data.migration_directory_groups.ad.groups["Migration Engineers"].distinguished_name
}
