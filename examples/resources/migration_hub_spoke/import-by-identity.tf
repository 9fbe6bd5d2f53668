# Terraform 1.12 and later: import an existing spoke by its resource identity, with the spoke
# account's provider configuration (add `provider = migration.<alias>` when the spoke uses an
# alias). `account_id` and `region` may be left out (they default to the provider's, and must be
# the provider's).
import {
  to = migration_hub_spoke.workloads
  identity = {
    id = "tgw-attach-0b1c2d3e4f5a60031"
  }
}
