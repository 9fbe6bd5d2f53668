terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source  = "migration-hub/migration"
      version = "~> 0.1"
    }
  }
}

# One provider configuration per account. The hub account's credentials, Region and (for the
# demo) endpoints come from the environment, so the same files run against AWS and against the
# local emulator.
provider "migration" {
  region = var.region
}

# The spoke account: the hub account's credentials assume a role in it (the role must trust the
# hub account). Without a second account, see README.md: remove this block and main.tf's
# migration_hub_spoke.
provider "migration" {
  alias  = "spoke"
  region = var.region

  assume_role {
    role_arn     = "arn:aws:iam::${var.spoke_account_id}:role/${var.spoke_role_name}"
    session_name = "migration-blueprint"
  }
}
