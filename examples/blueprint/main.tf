# The migration connectivity blueprint across two accounts: in the hub account, one Transit
# Gateway hub shared over RAM, the staging and target VPCs, the data center over Direct Connect,
# routes from every network to every other, Client VPN access per Active Directory group, and
# the replication staging area of Application Migration Service in the staging VPC; in the
# spoke account, a VPC that joins the hub (provider alias `migration.spoke`, versions.tf).

resource "migration_hub_network" "hub" {
  name        = var.hub_name
  description = "Migration hub: staging, target and the source data center"
  share_with  = [var.spoke_account_id] # more accounts, or an organization/OU ARN, join here

  vpc_attachments = {
    staging = {
      vpc_id          = var.staging_vpc_id
      subnet_ids      = var.staging_subnet_ids
      route_table_ids = var.staging_route_table_ids
    }
    target = {
      vpc_id          = var.target_vpc_id
      subnet_ids      = var.target_subnet_ids
      route_table_ids = var.target_route_table_ids
    }
  }

  data_center = {
    cidr_blocks               = [var.data_center_cidr]
    direct_connect_gateway_id = var.direct_connect_gateway_id
  }

  # The other accounts' VPCs that join (migration_hub_spoke below): the hub routes its VPCs to
  # their CIDRs, advertises them to the data center and checks them for overlaps. With
  # auto-accept (the default), AWS connects a spoke's attachment to the hub route table the
  # moment it is made, so one apply connects both sides.
  spokes = {
    spoke = {
      account_id  = var.spoke_account_id
      cidr_blocks = [var.spoke_cidr]
    }
  }

  tags = {
    Project = "datacenter-exit"
  }
}

locals {
  # The hub's networks and what each Client VPN group is given, written once: the resources
  # below build them, and checks.tf asks the reachability of the design before any deploy.
  networks = {
    staging     = [var.staging_cidr]
    target      = [var.target_cidr]
    data_center = [var.data_center_cidr]
    spoke       = [var.spoke_cidr]
  }
  group_networks = {
    migration_engineers = [var.staging_cidr, var.data_center_cidr]
    internal_it         = [var.data_center_cidr, var.target_cidr]
  }
}

# The Active Directory groups by name; their SIDs come from the directory (AWS Managed
# Microsoft AD, through Directory Service Data).
data "migration_directory_groups" "staff" {
  directory_id = var.directory_id
  names        = [var.migration_engineers_group, var.internal_it_group]
}

resource "migration_client_vpn_group_access" "staff" {
  client_vpn_endpoint_id = var.client_vpn_endpoint_id
  directory_id           = var.directory_id

  groups = {
    migration_engineers = {
      sid         = data.migration_directory_groups.staff.sids[var.migration_engineers_group]
      networks    = local.group_networks.migration_engineers
      description = "Migration engineers: staging and the source data center"
    }
    internal_it = {
      sid         = data.migration_directory_groups.staff.sids[var.internal_it_group]
      networks    = local.group_networks.internal_it
      description = "Internal IT: the source data center and the target VPC"
    }
  }
}

# The spoke account's side, in the same apply: accepts the share's invitation, waits until the
# Transit Gateway is visible in its account, attaches its VPC and routes its route tables to
# the hub's networks. Without a second account, remove this resource and the `spoke` provider
# (README.md).
resource "migration_hub_spoke" "spoke" {
  provider = migration.spoke

  transit_gateway_id = migration_hub_network.hub.id
  resource_share_arn = migration_hub_network.hub.resource_share_arn
  vpc_id             = var.spoke_vpc_id
  route_table_ids    = var.spoke_route_table_ids
  hub_cidr_blocks    = [var.staging_cidr, var.target_cidr, var.data_center_cidr]
}

# The hub as AWS holds it, once it exists and has no change pending: until then (the apply that
# creates it, or one that repairs its routes) the read waits for the apply, so the staging
# area's plan-time check that the data center is routed back runs when the hub's routes are
# there.
data "migration_hub_network" "hub" {
  transit_gateway_id = migration_hub_network.hub.id

  depends_on = [migration_hub_network.hub]
}

# The replication side: AWS Application Migration Service (MGN) runs its replication servers in
# the staging VPC's replication subnet. NAT mode: they reach MGN, EC2 and S3 on 443 through a
# NAT gateway in the public subnet, and the data center's servers send them their disks on TCP
# 1500 through the hub.
resource "migration_replication_staging_area" "replication" {
  vpc_id            = var.staging_vpc_id
  staging_subnet_id = var.staging_replication_subnet_id # on the staging route table
  nat_subnet_id     = var.staging_nat_subnet_id         # public: 0.0.0.0/0 to an internet gateway

  # The data center's networks as the hub holds them in AWS: the security group lets them in on
  # TCP 1500, and the plan checks that the staging subnet's route table routes them back
  # through the hub (PRIVATE_IP data plane routing).
  source_cidr_blocks = data.migration_hub_network.hub.data_center_cidr_blocks

  bandwidth_throttling = 200 # Mbps per source server
  staging_area_tags = {
    Purpose = "mgn-replication"
  }
  tags = {
    Project = "datacenter-exit"
  }
}
