variable "client_vpn_endpoint_id" {
  type = string
}

variable "directory_id" {
  type = string
}

variable "groups" {
  description = "Access per Active Directory group, keyed by a friendly name: the group's name and the networks it reaches."
  type = map(object({
    name     = string
    networks = set(string)
  }))
}
