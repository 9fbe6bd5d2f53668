variable "client_vpn_endpoint_id" {
  type = string
}

variable "directory_id" {
  type    = string
  default = null
}

variable "groups" {
  description = "Access per Active Directory group, keyed by a friendly name."
  type = map(object({
    sid         = optional(string)
    name        = optional(string)
    networks    = set(string)
    description = optional(string)
  }))
}

variable "route_subnet_ids" {
  type    = set(string)
  default = null
}

variable "manage_routes" {
  type    = bool
  default = null
}

variable "allow_internet" {
  type    = bool
  default = null
}
