# Migration engineers reach the staging VPC and the data center; internal IT reaches the data
# center and the target VPC. Access is granted per Active Directory group SID, never to all groups.
resource "migration_client_vpn_group_access" "staff" {
  client_vpn_endpoint_id = "cvpn-endpoint-0123456789abcdef0"
  directory_id           = "d-1234567890"

  groups = {
    migration_engineers = {
      sid         = "S-1-5-21-1004336348-1177238915-682003330-1104"
      networks    = ["10.10.0.0/16", "192.168.0.0/16"]
      description = "Replication staging and the source data center"
    }
    internal_it = {
      name     = "InternalIT" # resolved to its SID through Directory Service Data (Managed AD)
      networks = ["192.168.0.0/16", "10.20.0.0/16"]
    }
  }

  # Routes to every authorized network through subnets in two Availability Zones.
  route_subnet_ids = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
}
