# Before anything is deployed: the same questions of the design, answered in the first plan.
# Internal IT is given all of 10.0.0.0/8, the engineers staging's /16: by longest prefix,
# staging is the engineers' alone, which `reachable` shows before any rule exists.
data "migration_reachability" "design" {
  planned = {
    networks = {
      staging     = ["10.10.0.0/16"]
      target      = ["10.20.0.0/16"]
      data_center = ["192.168.0.0/16"]
    }
    client_vpn = {
      network = "staging"
      groups = {
        migration_engineers = ["10.10.0.0/16", "192.168.0.0/16"]
        internal_it         = ["10.0.0.0/8"]
      }
    }
  }
}

check "internal_it_reaches_the_target_only" {
  assert {
    condition     = data.migration_reachability.design.reachable["internal_it"] == toset(["target"])
    error_message = data.migration_reachability.design.table
  }
}
