# The hub's inputs come from another resource of the same configuration, so the first plan sees
# them as unknown (as when the VPCs are created in the same run). `terraform_data` stands in for
# that resource: its `output` is known only once it is applied.
variable "ids" {
  type = object({
    staging = object({
      vpc_id          = string
      subnet_ids      = list(string)
      route_table_ids = list(string)
    })
    target = object({
      vpc_id          = string
      subnet_ids      = list(string)
      route_table_ids = list(string)
    })
    direct_connect_gateway_id = string
  })
}

resource "terraform_data" "ids" {
  input = var.ids
}

resource "migration_hub_network" "hub" {
  name = "unknown-inputs"

  vpc_attachments = {
    staging = {
      vpc_id          = terraform_data.ids.output.staging.vpc_id
      subnet_ids      = terraform_data.ids.output.staging.subnet_ids
      route_table_ids = terraform_data.ids.output.staging.route_table_ids
    }
    target = {
      vpc_id          = terraform_data.ids.output.target.vpc_id
      subnet_ids      = terraform_data.ids.output.target.subnet_ids
      route_table_ids = terraform_data.ids.output.target.route_table_ids
    }
  }

  data_center = {
    cidr_blocks               = ["192.168.0.0/16"]
    direct_connect_gateway_id = terraform_data.ids.output.direct_connect_gateway_id
  }
}
