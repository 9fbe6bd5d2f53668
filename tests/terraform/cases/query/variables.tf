variable "hub_vpc" {
  type = object({
    vpc_id          = string
    subnet_ids      = set(string)
    route_table_ids = set(string)
  })
}

variable "hub_vpc_cidr" {
  type = string
}

variable "client_vpn_endpoint_id" {
  type = string
}

variable "engineers_sid" {
  type = string
}

variable "spoke_account" {
  type = string
}

variable "spoke_vpc_id" {
  type = string
}

variable "spoke_route_table_ids" {
  type = set(string)
}
