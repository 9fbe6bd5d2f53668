# A replication staging area in NAT mode on a seeded staging VPC: a public subnet for the NAT
# gateway, a staging subnet with its own route table, and the data center as the source
# network; or, with additional_staging_subnet_ids and nat_subnet_ids, staging subnets in two
# zones, each leaving through a NAT gateway in a public subnet of its zone.
variable "staging" {
  type = object({
    vpc_id                        = string
    staging_subnet_id             = string
    nat_subnet_id                 = optional(string)
    additional_staging_subnet_ids = optional(set(string))
    nat_subnet_ids                = optional(set(string))
  })
}

variable "source_cidr_blocks" {
  type = list(string)
}

# Left null, the resource's defaults; the plan-time check scenario sets them.
variable "concurrent_source_servers" {
  type    = number
  default = null
}

variable "create_public_ip" {
  type    = bool
  default = null
}

variable "data_plane_routing" {
  type    = string
  default = null
}

resource "migration_replication_staging_area" "staging" {
  vpc_id             = var.staging.vpc_id
  staging_subnet_id  = var.staging.staging_subnet_id
  nat_subnet_id      = var.staging.nat_subnet_id
  source_cidr_blocks = var.source_cidr_blocks

  additional_staging_subnet_ids = var.staging.additional_staging_subnet_ids
  nat_subnet_ids                = var.staging.nat_subnet_ids

  concurrent_source_servers = var.concurrent_source_servers
  create_public_ip          = var.create_public_ip
  data_plane_routing        = var.data_plane_routing

  bandwidth_throttling = 100
  tags = {
    Project = "datacenter-exit"
  }
}

output "nat_public_ip" {
  value = migration_replication_staging_area.staging.nat_public_ip
}

output "nat_public_ips" {
  value = migration_replication_staging_area.staging.nat_public_ips
}
