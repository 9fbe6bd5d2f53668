# Spokes of other accounts, named as the hub declares them. From the hub account a spoke's
# attachment and the routes toward it are seen, not the spoke VPC's own route tables: a pair
# through a spoke with nothing missing is "unverified", never "reachable".
data "migration_reachability" "with_spokes" {
  transit_gateway_id = "tgw-0123456789abcdef0" # migration_hub_network.hub.id
  # migration_hub_network.hub.spokes: the hub's declaration, passed whole
  spokes = {
    branch = {
      account_id  = "222233334444"
      cidr_blocks = ["10.50.0.0/16"]
    }
  }
}

# Staging reaches the branch office as far as the hub account can see (the spoke account's
# migration_hub_spoke routes the branch VPC back to the hub).
check "staging_reaches_branch_as_far_as_the_hub_sees" {
  assert {
    condition     = data.migration_reachability.with_spokes.paths["staging -> branch"].status != "unreachable"
    error_message = "staging -> branch: ${coalesce(data.migration_reachability.with_spokes.paths["staging -> branch"].missing_hop, "unknown")}"
  }
}
