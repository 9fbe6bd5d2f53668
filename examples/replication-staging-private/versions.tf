terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source  = "migration-hub/migration"
      version = "~> 0.1"
    }
  }
}

# Credentials (and, against the local emulator, the endpoint) come from the environment.
provider "migration" {
  region = var.region
}
