# The migration connectivity blueprint: one Transit Gateway hub shared over RAM, the staging
# and target VPCs, the data center over Direct Connect, routes from every network to every
# other, and Client VPN access per Active Directory group.

resource "migration_hub_network" "hub" {
  name        = var.hub_name
  description = "Migration hub: staging, target and the source data center"
  share_with  = var.shared_account_ids

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
