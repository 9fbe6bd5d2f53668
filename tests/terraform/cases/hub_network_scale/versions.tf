# Replaces the `hub_network` case's versions.tf for a hub of 100 VPCs: an account whose EC2 API
# limits AWS raised says so, or a full mesh (10,000 CreateRoute calls) would be paced at AWS's
# default 5 mutations per second.
terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

provider "migration" {
  ec2_api_rate_limits {
    describe_burst        = 10000
    describe_per_second   = 10000
    mutating_burst        = 10000
    mutating_per_second   = 10000
    client_vpn_burst      = 10000
    client_vpn_per_second = 10000
    tags_burst            = 10000
    tags_per_second       = 10000
  }
}
