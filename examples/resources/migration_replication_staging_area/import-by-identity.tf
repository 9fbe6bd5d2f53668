# Terraform 1.12 and later: import an existing staging area by its resource identity.
# `account_id` and `region` may be left out (they default to the provider's, and must be the
# provider's).
import {
  to = migration_replication_staging_area.staging
  identity = {
    id = "rct-0a1b2c3d4e5f60021"
  }
}
