# The access of `client_vpn/`, replaced create-before-destroy: on `terraform apply -replace`, the
# new instance takes the rules over before the old one is destroyed, so access never stops.
resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id
  directory_id           = var.directory_id
  groups                 = var.groups
  route_subnet_ids       = var.route_subnet_ids
  manage_routes          = var.manage_routes
  allow_internet         = var.allow_internet

  lifecycle {
    create_before_destroy = true
  }
}
