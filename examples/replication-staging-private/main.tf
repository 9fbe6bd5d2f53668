# A replication staging area that never touches the internet: AWS Application Migration Service
# (MGN) runs the replication servers in the staging subnet, which reach MGN, EC2 and S3 through
# VPC endpoints, and the data center sends them its disks on TCP 1500 over private addresses.
resource "migration_replication_staging_area" "private" {
  network_mode      = "PRIVATE"
  vpc_id            = var.vpc_id
  staging_subnet_id = var.staging_subnet_id

  # TCP 1500 in from the data center; the plan checks that the staging subnet's route table
  # routes each of them back (PRIVATE_IP, the only data plane routing private mode allows).
  source_cidr_blocks = var.data_center_cidrs

  replication_server_instance_type = "t3.small"
  default_large_staging_disk_type  = "GP3"
  staging_area_tags = {
    Purpose = "mgn-replication"
  }
  tags = {
    Project = "datacenter-exit"
  }
}
