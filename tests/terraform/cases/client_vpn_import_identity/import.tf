# Added to the configuration of `client_vpn`: adopt the access rules of an existing endpoint by
# the resource identity (Terraform 1.12 and later); `account_id` and `region` default to the
# provider's.
variable "import_endpoint_id" {
  type = string
}

variable "import_region" {
  type    = string
  default = null
}

import {
  to = migration_client_vpn_group_access.access
  identity = {
    client_vpn_endpoint_id = var.import_endpoint_id
    region                 = var.import_region
  }
}
