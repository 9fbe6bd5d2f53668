terraform {
  # Provider-defined functions need Terraform 1.8 or later.
  required_version = ">= 1.8"

  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "networks" {
  description = "The CIDR block of every network the hub connects, by name."
  type        = map(string)
  default = {
    data_center = "10.0.0.0/8"
    staging     = "10.20.0.0/16"
    target      = "172.16.0.0/16"
  }
}

locals {
  names = keys(var.networks)
  # [{ wider = "10.0.0.0/8", wider_index = 0, narrower = "10.20.0.0/16", narrower_index = 1 }]
  overlaps = provider::migration::cidr_overlaps(values(var.networks))
}

output "overlapping_networks" {
  # ["staging (10.20.0.0/16) lies inside data_center (10.0.0.0/8)"]
  value = [
    for pair in local.overlaps :
    "${local.names[pair.narrower_index]} (${pair.narrower}) lies inside ${local.names[pair.wider_index]} (${pair.wider})"
  ]
}

# A warning on every plan while networks overlap; a `precondition` would fail the plan instead.
check "networks_do_not_overlap" {
  assert {
    condition     = length(local.overlaps) == 0
    error_message = "Overlapping networks: ${join("; ", [for pair in local.overlaps : "${pair.narrower} inside ${pair.wider}"])}."
  }
}
