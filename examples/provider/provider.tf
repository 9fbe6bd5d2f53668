terraform {
  required_version = ">= 1.6"

  required_providers {
    migration = {
      source  = "migration-hub/migration"
      version = "~> 0.1"
    }
  }
}

# Credentials come from the standard AWS chain (environment, shared files, SSO, instance or
# container roles); the arguments mirror hashicorp/aws.
provider "migration" {
  region = "eu-west-1"

  assume_role {
    role_arn     = "arn:aws:iam::111122223333:role/migration-network-admin"
    session_name = "migration-hub"
  }

  default_tags {
    tags = {
      Project = "datacenter-exit"
    }
  }
}
