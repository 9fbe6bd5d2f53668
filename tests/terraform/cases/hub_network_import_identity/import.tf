# Added to the configuration of `hub_network`: adopt an existing hub by its resource identity
# (Terraform 1.12 and later). `account_id` and `region` are optional: the provider's own by
# default.
variable "import_id" {
  type = string
}

variable "import_account_id" {
  type    = string
  default = null
}

import {
  to = migration_hub_network.hub
  identity = {
    account_id = var.import_account_id
    id         = var.import_id
  }
}
