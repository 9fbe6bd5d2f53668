# Region, credentials and the endpoint come from the environment (AWS_REGION,
# AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL), as in a CI job.
terraform {
  required_version = ">= 1.6"
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

provider "migration" {}
