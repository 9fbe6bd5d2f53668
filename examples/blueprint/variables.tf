# What exists before Terraform runs, as a landing-zone module receives it.

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "hub_name" {
  type    = string
  default = "migration-hub"
}

variable "shared_account_ids" {
  description = "Accounts (or organization/OU ARNs) that attach their own VPCs to the hub."
  type        = list(string)
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
  type = list(string)
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
