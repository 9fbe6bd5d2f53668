# Migration engineers reach the staging VPC and the source data center; internal IT reaches the
# data center and the target VPC. Routes to every network go through the endpoint's subnets in
# two Availability Zones.
resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.migration.id

  groups = {
    migration_engineers = {
      sid         = "S-1-5-21-1004336348-1177238915-682003330-1104"
      networks    = ["10.10.0.0/16", "192.168.0.0/16"]
      description = "CloudEndure staging + source DC"
    }
    internal_it = {
      # Looked up in the endpoint's AWS Managed Microsoft AD directory.
      name     = "Internal IT"
      networks = ["192.168.0.0/16", "10.20.0.0/16"]
    }
  }

  route_subnet_ids = [
    aws_ec2_client_vpn_network_association.a.subnet_id,
    aws_ec2_client_vpn_network_association.b.subnet_id,
  ]

  timeouts = {
    create = "30m"
  }
}
