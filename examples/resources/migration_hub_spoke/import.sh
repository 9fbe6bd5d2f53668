# A spoke is imported by the id of its Transit Gateway VPC attachment, with the spoke
# account's provider configuration.
terraform import migration_hub_spoke.workloads tgw-attach-0b1c2d3e4f5a60031
