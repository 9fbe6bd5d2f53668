# Terraform 1.12 and later: import an existing hub by its resource identity. `account_id` and
# `region` may be left out (they default to the provider's, and must be the provider's).
import {
  to = migration_hub_network.hub
  identity = {
    id = "tgw-0123456789abcdef0"
  }
}
