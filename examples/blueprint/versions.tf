terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source  = "migration-hub/migration"
      version = "~> 0.1"
    }
  }
}

# Credentials, Region and (for the demo) endpoints come from the environment, so the same files
# run against AWS and against the local emulator.
provider "migration" {
  region = var.region
}
