# Two accounts in one configuration, the Terraform convention: one provider configuration per
# account. The hub account's comes from the environment (AWS_REGION, AWS_ACCESS_KEY_ID,
# AWS_ENDPOINT_URL), as in a CI job; the spoke account's is an alias with its own credentials
# (with AWS, an assume_role block naming a role in the spoke account).
terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

provider "migration" {}

provider "migration" {
  alias      = "spoke"
  access_key = var.spoke_access_key
  secret_key = "spoke-secret"
}
