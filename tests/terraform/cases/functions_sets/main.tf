# provider::migration::cidr_contains, cidr_subtract, cidr_summarize and
# client_vpn_effective_group in outputs, a check block and an output's precondition. Functions
# need no provider configuration, so there is no provider block.

terraform {
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "containment" {
  description = "Named questions: is the second element inside the first?"
  type        = map(list(string))
}

variable "vpc_cidr" {
  description = "The network cidr_subtract takes addresses out of."
  type        = string
}

variable "subnets" {
  description = "The networks and addresses taken out of vpc_cidr."
  type        = list(string)
}

variable "routes" {
  description = "The networks cidr_summarize summarizes."
  type        = list(string)
}

variable "rules" {
  description = "Each group's Client VPN authorization rule networks."
  type        = map(list(string))
}

variable "destinations" {
  description = "Named destinations for client_vpn_effective_group."
  type        = map(string)
}

variable "database" {
  description = "An address that must lie inside vpc_cidr (a check warns, require_inside fails the plan)."
  type        = string
}

variable "require_inside" {
  description = "Whether a database outside vpc_cidr fails the plan instead of warning."
  type        = bool
  default     = false
}

locals {
  database_inside = provider::migration::cidr_contains(var.vpc_cidr, var.database)
}

output "contains" {
  value = { for name, pair in var.containment : name => provider::migration::cidr_contains(pair[0], pair[1]) }
}

output "free" {
  value = provider::migration::cidr_subtract(var.vpc_cidr, var.subnets)
}

output "summary" {
  value = provider::migration::cidr_summarize(var.routes)
}

output "effective" {
  value = { for name, destination in var.destinations : name => provider::migration::client_vpn_effective_group(var.rules, destination) }
}

output "nobody_is_null" {
  value = one(provider::migration::client_vpn_effective_group(var.rules, "192.0.2.1")) == null
}

output "database_inside" {
  value = local.database_inside

  precondition {
    condition     = !var.require_inside || local.database_inside
    error_message = "The database ${var.database} is outside ${var.vpc_cidr}."
  }
}

check "database_in_vpc" {
  assert {
    condition     = local.database_inside
    error_message = "The database ${var.database} is outside ${var.vpc_cidr}."
  }
}
