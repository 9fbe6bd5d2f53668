terraform {
  # Provider-defined functions need Terraform 1.8 or later.
  required_version = ">= 1.8"

  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "vpc_cidr" {
  description = "The VPC's CIDR block."
  type        = string
  default     = "10.0.0.0/16"
}

variable "subnets" {
  description = "The subnets already carved out of the VPC, by name."
  type        = map(string)
  default = {
    app = "10.0.0.0/24"
    db  = "10.0.1.0/24"
  }
}

output "free_blocks" {
  # ["10.0.2.0/23", "10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17"]
  value = provider::migration::cidr_subtract(var.vpc_cidr, values(var.subnets))
}
