variable "hub_access_key" {
  type = string
}

variable "hub_name" {
  type = string
}

variable "spoke_vpc_id" {
  type = string
}

variable "spoke_route_table_ids" {
  type = set(string)
}
