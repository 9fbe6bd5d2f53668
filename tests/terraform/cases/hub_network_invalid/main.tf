# A hub with mistakes the plan must catch, each reported on the line of the argument at fault.
# The scenario seeds which mistakes there are: a VPC whose CIDR overlaps staging's (`overlap`),
# a subnet of the staging VPC listed under `target`, and a route in staging's table that
# already sends the target VPC's CIDR elsewhere.
variable "staging" {
  type = object({
    vpc_id          = string
    subnet_ids      = list(string)
    route_table_ids = list(string)
  })
}

variable "target" {
  type = object({
    vpc_id          = string
    subnet_ids      = list(string)
    route_table_ids = list(string)
  })
}

variable "overlap" {
  type = object({
    vpc_id     = string
    subnet_ids = list(string)
  })
}

resource "migration_hub_network" "hub" {
  name = "invalid"

  vpc_attachments = {
    staging = {
      vpc_id          = var.staging.vpc_id
      subnet_ids      = var.staging.subnet_ids
      route_table_ids = var.staging.route_table_ids
    }
    target = {
      vpc_id          = var.target.vpc_id
      subnet_ids      = var.target.subnet_ids
      route_table_ids = var.target.route_table_ids
    }
    overlap = {
      vpc_id     = var.overlap.vpc_id
      subnet_ids = var.overlap.subnet_ids
    }
  }
}
