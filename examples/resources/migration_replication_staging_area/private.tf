# A private staging area: no NAT gateway and no internet; the replication servers reach MGN, EC2
# and S3 through VPC endpoints, and the data center reaches them over the hub.
resource "migration_replication_staging_area" "private" {
  network_mode       = "PRIVATE"
  vpc_id             = "vpc-0a1b2c3d4e5f60002"
  staging_subnet_id  = "subnet-0a1b2c3d4e5f60031"
  source_cidr_blocks = ["192.168.0.0/16"]
}
