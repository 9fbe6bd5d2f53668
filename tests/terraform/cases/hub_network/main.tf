# One migration hub whose every argument is an input variable: a scenario changes one argument
# at a time by rewriting terraform.tfvars.json, and nothing else in the working directory.
# A variable left null leaves the argument unset (the provider's default applies).
resource "migration_hub_network" "hub" {
  name                           = var.name
  description                    = var.description
  amazon_side_asn                = var.amazon_side_asn
  auto_accept_shared_attachments = var.auto_accept_shared_attachments
  dns_support                    = var.dns_support
  vpn_ecmp_support               = var.vpn_ecmp_support
  transit_gateway_cidr_blocks    = var.transit_gateway_cidr_blocks
  share_with                     = var.share_with
  allow_external_principals      = var.allow_external_principals
  vpc_attachments                = var.vpc_attachments
  data_center                    = var.data_center
  spokes                         = var.spokes
  route_propagation              = var.route_propagation
  mesh_routes                    = var.mesh_routes
  take_over                      = var.take_over
  tags                           = var.tags
}
