# What exists before Terraform runs, as a landing-zone module receives it.

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "hub_name" {
  type    = string
  default = "migration-hub"
}

variable "staging_vpc_id" {
  type = string
}

variable "staging_cidr" {
  type = string
}

variable "staging_subnet_ids" {
  description = "One subnet per Availability Zone for the Transit Gateway attachment."
  type        = list(string)
}

variable "staging_route_table_ids" {
  description = "The staging VPC's route tables that get routes to the other networks; the first is the replication subnet's."
  type        = list(string)
}

variable "staging_replication_subnet_id" {
  description = "The staging VPC's subnet for MGN's replication servers, associated with the first of `staging_route_table_ids` (the staging area adds its default route to the NAT gateway there)."
  type        = string
}

variable "staging_nat_subnet_id" {
  description = "A public subnet of the staging VPC (its route table sends 0.0.0.0/0 to an internet gateway) for the staging area's NAT gateway."
  type        = string
}

variable "target_vpc_id" {
  type = string
}

variable "target_cidr" {
  type = string
}

variable "target_subnet_ids" {
  type = list(string)
}

variable "target_route_table_ids" {
  type = list(string)
}

variable "data_center_cidr" {
  type    = string
  default = "192.168.0.0/16"
}

variable "direct_connect_gateway_id" {
  type = string
}

variable "client_vpn_endpoint_id" {
  type = string
}

variable "directory_id" {
  type = string
}

variable "migration_engineers_group" {
  description = "Name (sAMAccountName) of the Active Directory group of the migration engineers."
  type        = string
  default     = "MigrationEngineers"
}

variable "internal_it_group" {
  description = "Name (sAMAccountName) of the Active Directory group of internal IT."
  type        = string
  default     = "InternalIT"
}

# The spoke account (see versions.tf for its provider alias).

variable "spoke_account_id" {
  description = "The spoke account: the hub is shared with it, and its provider alias assumes a role in it."
  type        = string
}

variable "spoke_role_name" {
  description = "The role of the spoke account that the hub account's credentials assume (AWS Organizations creates OrganizationAccountAccessRole in the accounts it creates)."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "spoke_vpc_id" {
  description = "The spoke account's VPC that joins the hub (one subnet per Availability Zone is attached)."
  type        = string
}

variable "spoke_cidr" {
  description = "The spoke VPC's CIDR: the hub's VPCs route it through the Transit Gateway."
  type        = string
}

variable "spoke_route_table_ids" {
  description = "The spoke VPC's route tables that get routes to the hub's networks."
  type        = list(string)
}
