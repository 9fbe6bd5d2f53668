terraform {
  # Provider-defined functions need Terraform 1.8 or later.
  required_version = ">= 1.8"

  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "migrated_networks" {
  description = "The networks already migrated, as the migration waves listed them."
  type        = list(string)
  default     = ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/23", "10.1.3.0/24", "10.9.0.5", "fd00::/64", "fd00:0:0:1::/64"]
}

output "routes" {
  # ["10.1.0.0/22", "10.9.0.5/32", "fd00::/63"]: one route per block instead of seven.
  value = provider::migration::cidr_summarize(var.migrated_networks)
}
