# Added to the configuration of `client_vpn` (or alone beside `provider`, for
# `-generate-config-out`): adopt the access rules of an existing endpoint by its id.
variable "import_id" {
  type = string
}

import {
  to = migration_client_vpn_group_access.access
  id = var.import_id
}
