variable "name" {
  type    = string
  default = "migration-hub"
}

variable "description" {
  type    = string
  default = null
}

variable "amazon_side_asn" {
  type    = number
  default = null
}

variable "auto_accept_shared_attachments" {
  type    = bool
  default = null
}

variable "dns_support" {
  type    = bool
  default = null
}

variable "vpn_ecmp_support" {
  type    = bool
  default = null
}

variable "transit_gateway_cidr_blocks" {
  type    = set(string)
  default = null
}

variable "share_with" {
  type    = set(string)
  default = null
}

variable "allow_external_principals" {
  type    = bool
  default = null
}

variable "vpc_attachments" {
  description = "The hub's VPCs, keyed by network name."
  type = map(object({
    vpc_id                 = string
    subnet_ids             = set(string)
    route_table_ids        = optional(set(string))
    appliance_mode_support = optional(bool)
    dns_support            = optional(bool)
  }))
  default = null
}

variable "spokes" {
  description = "Other accounts' VPCs, and Client VPN endpoints on the gateway, that join the hub, keyed by spoke name."
  type = map(object({
    account_id             = optional(string)
    cidr_blocks            = set(string)
    client_vpn_endpoint_id = optional(string)
  }))
  default = null
}

variable "data_center" {
  description = "The source data center, over Direct Connect or a site-to-site VPN."
  type = object({
    cidr_blocks               = set(string)
    direct_connect_gateway_id = optional(string)
    allowed_prefixes          = optional(set(string))
    vpn = optional(object({
      customer_gateway_id = string
      static_routes_only  = optional(bool)
    }))
  })
  default = null
}

variable "route_propagation" {
  type    = bool
  default = null
}

variable "mesh_routes" {
  type    = bool
  default = null
}

variable "take_over" {
  type    = bool
  default = null
}

variable "tags" {
  type    = map(string)
  default = null
}
