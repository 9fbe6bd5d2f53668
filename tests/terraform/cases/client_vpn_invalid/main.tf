# Group access the plan must question, each finding reported on the line of the argument at
# fault. The scenario chooses the values: a SID that is not one, a network with host bits set,
# or two groups where the more specific network of one takes part of the other's.
variable "client_vpn_endpoint_id" {
  type = string
}

variable "engineers_sid" {
  type = string
}

variable "engineers_networks" {
  type = set(string)
}

variable "operations_sid" {
  type = string
}

variable "operations_networks" {
  type = set(string)
}

resource "migration_client_vpn_group_access" "access" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id

  groups = {
    engineers = {
      sid      = var.engineers_sid
      networks = var.engineers_networks
    }
    operations = {
      sid      = var.operations_sid
      networks = var.operations_networks
    }
  }
}
