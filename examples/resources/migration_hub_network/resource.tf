# A Transit Gateway hub connecting the staging VPC (replication servers), the migration target
# VPC and the source data center over Direct Connect, shared with workload accounts, one of
# them a declared spoke.
resource "migration_hub_network" "hub" {
  name        = "migration-hub"
  description = "Data center exit: staging, target and on-premises networks"

  share_with = [
    "222233334444",
    "arn:aws:organizations::111122223333:ou/o-exampleorg/ou-ab12-workloads",
  ]

  vpc_attachments = {
    staging = {
      vpc_id          = "vpc-0a1b2c3d4e5f60001"
      subnet_ids      = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
      route_table_ids = ["rtb-0a1b2c3d4e5f60021"]
    }
    target = {
      vpc_id          = "vpc-0a1b2c3d4e5f60002"
      subnet_ids      = ["subnet-0a1b2c3d4e5f60031", "subnet-0a1b2c3d4e5f60032"]
      route_table_ids = ["rtb-0a1b2c3d4e5f60041", "rtb-0a1b2c3d4e5f60042"]
    }
  }

  # A workload account's VPC that joins with migration_hub_spoke in that account: the share
  # includes the account, staging and target route to its network, and each apply accepts its
  # attachment if the Transit Gateway does not auto-accept.
  spokes = {
    payments = {
      account_id  = "333344445555"
      cidr_blocks = ["10.60.0.0/16"]
    }
  }

  data_center = {
    cidr_blocks               = ["192.168.0.0/16"]
    direct_connect_gateway_id = "5f2c3a6e-0d1b-4c6a-9a1e-0123456789ab"
  }

  tags = {
    Project = "datacenter-exit"
  }

  timeouts = {
    create = "45m"
  }
}
