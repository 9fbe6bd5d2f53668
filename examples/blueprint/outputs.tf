output "transit_gateway_id" {
  value = migration_hub_network.hub.id
}

output "resource_share_arn" {
  value = migration_hub_network.hub.resource_share_arn
}

output "routes" {
  value = migration_hub_network.hub.routes
}

output "client_vpn_authorization_rules" {
  value = migration_client_vpn_group_access.staff.authorization_rules
}

output "reachability" {
  description = "Who reaches what through the hub, and the first missing hop where not."
  value       = data.migration_reachability.hub.table
}

output "spoke_attachment_id" {
  description = "The spoke VPC's attachment to the hub's Transit Gateway (in the spoke account)."
  value       = migration_hub_spoke.spoke.id
}

output "replication_configuration_template_id" {
  description = "The MGN replication configuration template of the staging area."
  value       = migration_replication_staging_area.replication.id
}

output "replication_security_group_id" {
  description = "The replication servers' security group: TCP 1500 in from the data center, 443 out."
  value       = migration_replication_staging_area.replication.security_group_id
}

output "replication_nat_public_ip" {
  description = "The staging area's NAT gateway address, what MGN, EC2 and S3 see the replication servers come from."
  value       = migration_replication_staging_area.replication.nat_public_ip
}
