# The replication staging area of AWS Application Migration Service in the staging VPC the hub
# attaches: the replication servers run in the staging subnet, reach MGN, EC2 and S3 through
# the NAT gateway, and receive the data center's servers on TCP 1500 through the hub.
resource "migration_replication_staging_area" "staging" {
  vpc_id            = "vpc-0a1b2c3d4e5f60001"
  staging_subnet_id = "subnet-0a1b2c3d4e5f60011" # its own route table, routed to the hub
  nat_subnet_id     = "subnet-0a1b2c3d4e5f60012" # public: 0.0.0.0/0 → internet gateway

  # The data center's networks (for instance the hub's data_center cidr_blocks).
  source_cidr_blocks = ["192.168.0.0/16"]

  replication_server_instance_type = "m5.large"
  ebs_encryption_key_arn           = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  bandwidth_throttling             = 200 # Mbps per source server
  concurrent_source_servers        = 40

  staging_area_tags = {
    Purpose = "mgn-replication"
  }
  tags = {
    Project = "datacenter-exit"
  }
}
