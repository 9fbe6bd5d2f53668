variable "spoke_account" {
  type = string
}

variable "spoke_access_key" {
  type = string
}

variable "hub_vpc" {
  type = object({
    vpc_id          = string
    subnet_ids      = set(string)
    route_table_ids = set(string)
  })
}

variable "data_center_cidrs" {
  type = list(string)
}

variable "direct_connect_gateway_id" {
  type = string
}

variable "spoke_vpc_id" {
  type = string
}

variable "spoke_route_table_ids" {
  type = set(string)
}
