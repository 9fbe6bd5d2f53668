# The spoke account's side of the hub. This configuration's provider acts as the spoke (workload)
# account: its own workspace, or, in one configuration with the hub, a provider alias (as the
# resource's documentation shows) and `provider = migration.workloads` on this resource.
resource "migration_hub_spoke" "workloads" {
  # The hub's outputs: migration_hub_network.hub.id and .resource_share_arn when both accounts
  # are in one configuration.
  transit_gateway_id = "tgw-0123456789abcdef0"
  resource_share_arn = "arn:aws:ram:eu-west-1:111122223333:resource-share/7ab63972-b505-4b2a-8a2c-0123456789ab"

  vpc_id          = "vpc-0b1c2d3e4f5a60001"
  route_table_ids = ["rtb-0b1c2d3e4f5a60021", "rtb-0b1c2d3e4f5a60022"]

  # Every network behind the hub: its VPCs and the data center.
  hub_cidr_blocks = ["10.1.0.0/16", "10.2.0.0/16", "192.168.0.0/16"]

  # The hub account accepts the attachment (or its gateway auto-accepts shared attachments).
  acceptance_timeout = "1h"

  tags = {
    Project = "datacenter-exit"
  }
}
