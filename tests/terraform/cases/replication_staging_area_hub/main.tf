# A NAT-mode staging area without source_cidr_blocks on a staging VPC that a hub made in the
# same apply attaches: its source networks default to the hub's data center, read from AWS once
# the hub (depends_on) has attached the VPC.
variable "staging" {
  type = object({
    vpc_id            = string
    staging_subnet_id = string
    nat_subnet_id     = string
    route_table_id    = string
  })
}

variable "direct_connect_gateway_id" {
  type = string
}

variable "data_center_cidrs" {
  type = list(string)
}

resource "migration_hub_network" "hub" {
  name = "staging-hub"

  vpc_attachments = {
    staging = {
      vpc_id          = var.staging.vpc_id
      subnet_ids      = [var.staging.staging_subnet_id]
      route_table_ids = [var.staging.route_table_id]
    }
  }

  data_center = {
    cidr_blocks               = var.data_center_cidrs
    direct_connect_gateway_id = var.direct_connect_gateway_id
  }
}

resource "migration_replication_staging_area" "staging" {
  vpc_id            = var.staging.vpc_id
  staging_subnet_id = var.staging.staging_subnet_id
  nat_subnet_id     = var.staging.nat_subnet_id

  depends_on = [migration_hub_network.hub]
}
