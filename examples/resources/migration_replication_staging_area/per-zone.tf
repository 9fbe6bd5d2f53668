# Two staging subnets in two Availability Zones, each leaving through a NAT gateway (with an
# Elastic IP of its own) in a public subnet of its zone: a zone's outage leaves the other
# zone's replication running. The template puts servers in staging_subnet_id; a source
# server's own replication settings may name the other staging subnet.
resource "migration_replication_staging_area" "per_zone" {
  vpc_id                        = "vpc-0a1b2c3d4e5f60001"
  staging_subnet_id             = "subnet-0a1b2c3d4e5f60011"   # zone a
  additional_staging_subnet_ids = ["subnet-0a1b2c3d4e5f60021"] # zone b
  nat_subnet_ids = [
    "subnet-0a1b2c3d4e5f60012", # public, zone a
    "subnet-0a1b2c3d4e5f60022", # public, zone b
  ]
  source_cidr_blocks = ["192.168.0.0/16"]
}
