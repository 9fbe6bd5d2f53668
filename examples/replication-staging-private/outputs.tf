output "replication_configuration_template_id" {
  description = "The MGN replication configuration template."
  value       = migration_replication_staging_area.private.id
}

output "vpc_endpoint_ids" {
  description = "The VPC endpoints by service: the `mgn`, `ec2` and `s3` interface endpoints and the `s3-gateway` endpoint."
  value       = migration_replication_staging_area.private.vpc_endpoint_ids
}

output "security_group_id" {
  description = "The replication servers' security group (also the interface endpoints'): TCP 1500 in from the data center, 443 in from the VPC, 443 out."
  value       = migration_replication_staging_area.private.security_group_id
}
