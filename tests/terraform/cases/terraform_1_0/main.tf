# The smallest hub, for Terraform 1.0.x: no `required_version` (1.0 must get as far as
# planning) and no nested attribute set. Terraform 1.0.0–1.0.8 crash on the first plan of any
# resource whose schema has nested attributes, set or not (hashicorp/terraform#29697, fixed in
# 1.0.9 and 1.1.0 by hashicorp/terraform#29701): `data_center` and `timeouts` are single
# nested attributes of this schema.
terraform {
  required_providers {
    migration = {
      source = "migration-hub/migration"
    }
  }
}

provider "migration" {}

resource "migration_hub_network" "hub" {
  name = "terraform-1-0"
}
