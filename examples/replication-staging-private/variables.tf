# What exists before Terraform runs: the staging VPC and its staging subnet, routed to the
# data center (through the hub, a VPN or Direct Connect).

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "vpc_id" {
  description = "The staging VPC. It needs no internet gateway: nothing here leaves AWS's network."
  type        = string
}

variable "staging_subnet_id" {
  description = "The subnet of the replication servers and of the VPC endpoints, with a route table of its own that routes the data center's networks (the S3 gateway endpoint is added to that table)."
  type        = string
}

variable "data_center_cidrs" {
  description = "The source data center's networks: the replication servers let them in on TCP 1500."
  type        = list(string)
  default     = ["192.168.0.0/16"]
}
