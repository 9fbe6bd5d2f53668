# The SIDs of two Active Directory groups of an AWS Managed Microsoft AD, read by name.
data "migration_directory_groups" "ad" {
  directory_id = "d-1234567890"
  names        = ["Migration Engineers", "Internal IT"]
}

# Client VPN access for those groups, by SID.
resource "migration_client_vpn_group_access" "staff" {
  client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0"
  directory_id           = data.migration_directory_groups.ad.directory_id

  groups = {
    engineers = {
      sid      = data.migration_directory_groups.ad.sids["Migration Engineers"]
      networks = ["10.10.0.0/16", "192.168.0.0/16"]
    }
    internal_it = {
      sid      = data.migration_directory_groups.ad.sids["Internal IT"]
      networks = ["192.168.0.0/16"]
    }
  }
}

output "engineers_dn" {
  value = data.migration_directory_groups.ad.groups["Migration Engineers"].distinguished_name
}
