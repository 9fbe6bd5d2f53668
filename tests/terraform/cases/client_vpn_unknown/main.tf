# The endpoint and the groups' SIDs come from another resource of the same configuration, so
# the first plan sees them as unknown. `terraform_data` stands in for that resource: its
# `output` is known only once it is applied.
variable "ids" {
  type = object({
    client_vpn_endpoint_id = string
    engineers_sid          = string
    operations_sid         = string
  })
}

resource "terraform_data" "ids" {
  input = var.ids
}

resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = terraform_data.ids.output.client_vpn_endpoint_id

  groups = {
    engineers = {
      sid      = terraform_data.ids.output.engineers_sid
      networks = ["10.10.0.0/16", "192.168.0.0/16"]
    }
    operations = {
      sid      = terraform_data.ids.output.operations_sid
      networks = ["192.168.0.0/16"]
    }
  }
}
