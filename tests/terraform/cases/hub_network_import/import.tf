# Added to the configuration of `hub_network` (or alone beside `provider`, for
# `-generate-config-out`): adopt an existing hub by its Transit Gateway id. An import block's id
# may be an expression since Terraform 1.6.
variable "import_id" {
  type = string
}

import {
  to = migration_hub_network.hub
  id = var.import_id
}
