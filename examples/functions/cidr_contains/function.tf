terraform {
  # Provider-defined functions need Terraform 1.8 or later.
  required_version = ">= 1.8"

  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "vpc_cidrs" {
  description = "The CIDR blocks of the target VPC, IPv4 and IPv6."
  type        = list(string)
  default     = ["10.20.0.0/16", "fd00:20::/56"]
}

variable "database_address" {
  description = "Where the migrated database will listen."
  type        = string
  default     = "10.20.4.17"
}

output "database_in_vpc" {
  # true: 10.20.4.17 lies inside 10.20.0.0/16. An address of the other family is false, not an error.
  value = anytrue([for cidr in var.vpc_cidrs : provider::migration::cidr_contains(cidr, var.database_address)])
}

output "subnet_in_vpc" {
  # false: 10.21.0.0/24 is outside 10.20.0.0/16.
  value = provider::migration::cidr_contains("10.20.0.0/16", "10.21.0.0/24")
}
