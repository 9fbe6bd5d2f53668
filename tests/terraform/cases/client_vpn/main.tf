# Client VPN access per Active Directory group on an existing endpoint, every argument an input
# variable: a scenario changes one argument at a time by rewriting terraform.tfvars.json.
resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id
  directory_id           = var.directory_id
  groups                 = var.groups
  route_subnet_ids       = var.route_subnet_ids
  manage_routes          = var.manage_routes
  allow_internet         = var.allow_internet
}
