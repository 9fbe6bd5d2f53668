# provider::migration::cidr_overlaps in the places a configuration uses it: an output, a check
# block, and an output's precondition. Functions need no provider configuration (Terraform
# calls them on a provider it does not configure), so there is no provider block.

terraform {
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "networks" {
  description = "CIDR blocks by network name."
  type        = map(string)
}

variable "require_disjoint" {
  description = "Whether overlapping networks fail the plan (a precondition) instead of warning (a check)."
  type        = bool
  default     = false
}

locals {
  names    = keys(var.networks)
  overlaps = provider::migration::cidr_overlaps(values(var.networks))
  described = [
    for pair in local.overlaps :
    "${local.names[pair.narrower_index]} (${pair.narrower}) lies inside ${local.names[pair.wider_index]} (${pair.wider})"
  ]
}

output "overlaps" {
  value = local.overlaps
}

output "disjoint" {
  value = length(local.overlaps) == 0

  precondition {
    condition     = !var.require_disjoint || length(local.overlaps) == 0
    error_message = "Overlapping networks: ${join("; ", local.described)}."
  }
}

check "networks_do_not_overlap" {
  assert {
    condition     = length(local.overlaps) == 0
    error_message = "Overlapping networks: ${join("; ", local.described)}."
  }
}
