# The spoke team's workspace: its own account's provider (from the environment, as in its CI
# job) and an alias for the hub account, through which it only reads (with AWS, an assume_role
# block naming a read-only role in the hub account).
terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

provider "migration" {}

provider "migration" {
  alias      = "hub"
  access_key = var.hub_access_key
  secret_key = "hub-read-only-secret"
}
