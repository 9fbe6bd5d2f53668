terraform {
  # Provider-defined functions need Terraform 1.8 or later.
  required_version = ">= 1.8"

  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

variable "rules" {
  description = "Each Active Directory group's key and the networks of its Client VPN authorization rules."
  type        = map(list(string))
  default = {
    ops = ["10.0.0.0/16"]
    dev = ["10.0.1.0/24"]
  }
}

locals {
  # ["dev"]: the /24 rule is more specific than ops' /16, so it decides for 10.0.1.0/24.
  who_reaches_build_server = provider::migration::client_vpn_effective_group(var.rules, "10.0.1.5")
}

output "build_server_group" {
  # "dev"; one() is null when no rule covers the destination.
  value = one(local.who_reaches_build_server)
}

# ops users do not reach 10.0.1.5 although their rule covers it: a warning on every plan.
check "ops_reach_the_build_server" {
  assert {
    condition     = contains(local.who_reaches_build_server, "ops")
    error_message = "Client VPN lets ${jsonencode(local.who_reaches_build_server)} through to 10.0.1.5, not ops: a more specific rule of another group decides."
  }
}
