# Two accounts, one provider configuration each: the hub account's from the environment
# (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL), the spoke account's an alias with its own
# credentials. Shared by the estate's working directory (`query`) and the query's
# (`query_list`).
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

variable "spoke_access_key" {
  type = string
}
