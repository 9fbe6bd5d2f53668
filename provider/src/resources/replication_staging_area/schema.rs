//! The `migration_replication_staging_area` schema. Descriptions are Markdown and become the
//! registry page, so each says what the attribute does, its default, and what changing it does.

use crate::framework::timeouts;
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, Schema};

pub(crate) const TYPE_NAME: &str = "migration_replication_staging_area";

pub(crate) fn schema() -> Schema {
    let attributes = vec![
        Attribute::computed("id", Type::String)
            .describe("The MGN replication configuration template (`rct-…`), as in the import id."),
        Attribute::computed("arn", Type::String)
            .describe("The ARN of the replication configuration template."),
        Attribute::required("vpc_id", Type::String).describe(
            "The staging VPC, in this provider's account and Region, usually attached to the \
             hub. One staging area per VPC: its objects carry the VPC id as their owner tag. \
             Changing it replaces the staging area.",
        ),
        Attribute::required("staging_subnet_id", Type::String).describe(
            "The staging subnet the replication servers (and the conversion servers of test \
             and cut-over launches) run in: the template's staging area subnet. It needs a \
             route table of its own (an explicit association): the staging area adds the \
             default route `0.0.0.0/0` to the NAT gateway there. Changing it replaces the \
             staging area.",
        ),
        Attribute::optional("additional_staging_subnet_ids", Type::set(Type::String)).describe(
            "More staging subnets of the VPC, usually in other Availability Zones, for source \
             servers whose own replication settings name them (MGN's template takes one \
             subnet, `staging_subnet_id`). Each gets what the staging subnet gets: the same \
             checks (in the VPC, a route table of its own, the source networks routed back, \
             room for the servers), the default route to its NAT gateway (NAT mode), or the S3 \
             gateway endpoint on its route table and the interface endpoints in its \
             Availability Zone (private mode). In NAT mode it changes in place (a staging \
             subnet added gets its default route, one removed loses it); in private mode \
             changing it replaces the staging area.",
        ),
        Attribute::optional_computed("network_mode", Type::String).describe(
            "How the replication servers reach MGN, EC2 and S3 on TCP 443: `NAT` (a NAT gateway \
             shared in `nat_subnet_id`, or one per Availability Zone in `nat_subnet_ids`, and \
             each staging subnet's default route to its NAT gateway) or `PRIVATE` (no \
             internet: interface VPC endpoints for `mgn`, `ec2` and `s3` in the staging \
             subnets, one subnet per Availability Zone, sharing the replication servers' \
             security group, which then also lets the VPC in on 443, and the S3 gateway \
             endpoint on the staging subnets' route tables). Default: `NAT`. Changing it \
             replaces the staging area.",
        ),
        Attribute::optional("nat_subnet_id", Type::String).describe(
            "NAT mode with one shared NAT gateway (NAT mode takes this or `nat_subnet_ids`; \
             private mode neither): a public subnet of the VPC (its route table sends \
             `0.0.0.0/0` to an internet gateway) for the staging area's NAT gateway, through \
             which the replication servers reach MGN, EC2 and S3 on TCP 443. It serves every \
             staging subnet, whatever its Availability Zone. Changing it replaces the staging \
             area.",
        ),
        Attribute::optional("nat_subnet_ids", Type::set(Type::String)).describe(
            "NAT mode with one NAT gateway per Availability Zone (instead of `nat_subnet_id`): \
             one public subnet of the VPC in each Availability Zone of the staging subnets \
             (`staging_subnet_id` and `additional_staging_subnet_ids`), no two in one zone and \
             none in a zone without a staging subnet. Each gets a NAT gateway with an Elastic \
             IP of its own, and each staging subnet's default route goes to the NAT gateway of \
             its zone, so a zone's outage leaves the others' replication running. Changing it \
             replaces the staging area.",
        ),
        Attribute::optional_computed("source_cidr_blocks", Type::set(Type::String)).describe(
            "The source networks whose servers replicate: the replication servers' security \
             group lets them in on TCP 1500. With `data_plane_routing = \"PRIVATE_IP\"` each \
             must be routed from the staging subnet other than through the default route \
             (through the hub), which the plan checks. Default: the data center networks of \
             the hub the VPC is attached to, read from AWS (the networks \
             `migration_hub_network` tags its Direct Connect or VPN attachment with, on a \
             Transit Gateway of this account that has an attachment of `vpc_id`); unknown \
             while no such hub attaches the VPC, and an error at apply if none does by then \
             (give the staging area `depends_on` the hub made in the same configuration). \
             Changed in place, also when the hub's data center changes.",
        ),
        Attribute::optional_computed("replication_server_instance_type", Type::String)
            .describe("The replication servers' EC2 instance type. Default: `t3.small`."),
        Attribute::optional_computed("use_dedicated_replication_server", Type::Bool).describe(
            "Whether every source server gets a replication server of its own instead of \
             sharing one. Default: `false`.",
        ),
        Attribute::optional_computed("default_large_staging_disk_type", Type::String).describe(
            "The EBS volume type of staging disks larger than 500 GiB: `GP2`, `GP3` or `ST1`. \
             Default: `GP3`.",
        ),
        Attribute::optional("ebs_encryption_key_arn", Type::String).describe(
            "A KMS key ARN to encrypt the staging disks with (MGN's `CUSTOM` EBS encryption). \
             Unset: the account's default EBS key (`DEFAULT`).",
        ),
        Attribute::optional_computed("bandwidth_throttling", Type::Number).describe(
            "The most each source server may send, in Mbps; `0` is no limit. Default: `0`.",
        ),
        Attribute::optional_computed("data_plane_routing", Type::String).describe(
            "How the source servers reach the replication servers: `PRIVATE_IP` (through the \
             hub, VPN or Direct Connect) or `PUBLIC_IP` (over the internet to a public IP, \
             which needs `create_public_ip = true`). Default: `PRIVATE_IP`.",
        ),
        Attribute::optional_computed("create_public_ip", Type::Bool)
            .describe("Whether replication servers get a public IP. Default: `false`."),
        Attribute::optional("concurrent_source_servers", Type::Number).describe(
            "How many source servers replicate at the same time, for the plan's check that the \
             staging subnet has room: one replication server per source server when dedicated, \
             else one per 15 (the number of disks a shared replication server takes, counting \
             one disk per server), plus one conversion server per source server for launches. \
             Checked when the staging area is created. Default: `1`.",
        ),
        Attribute::optional("staging_area_tags", Type::map(Type::String))
            .describe("Tags MGN puts on the replication servers, their volumes and snapshots."),
        Attribute::optional("tags", Type::map(Type::String)).describe(
            "Tags for the security group, Elastic IPs, NAT gateways, VPC endpoints and template, merged over the \
             provider's `default_tags`. Keys starting with `aws:` or `migration:` are reserved.",
        ),
        Attribute::computed("tags_all", Type::map(Type::String)).describe(
            "The tags applied: the provider's `default_tags` overridden by `tags`. Every object \
             also carries the ownership tags `migration:owner` (the VPC id) and \
             `migration:managed-by`.",
        ),
        Attribute::computed("security_group_id", Type::String).describe(
            "The replication servers' security group: TCP 1500 in from `source_cidr_blocks`, \
             TCP 443 out.",
        ),
        Attribute::computed("nat_gateway_id", Type::String).describe(
            "The NAT gateway `staging_subnet_id` leaves through (null in private mode); every \
             NAT gateway is in `nat_gateway_ids`.",
        ),
        Attribute::computed("elastic_ip_allocation_id", Type::String).describe(
            "The Elastic IP `nat_gateway_id` holds, managed with it; every one is in \
             `elastic_ip_allocation_ids`.",
        ),
        Attribute::computed("nat_public_ip", Type::String).describe(
            "The public address of `nat_gateway_id`: what firewalls in front of MGN, EC2 and \
             S3 see of `staging_subnet_id`; every one is in `nat_public_ips`.",
        ),
        Attribute::computed("nat_gateway_ids", Type::map(Type::String)).describe(
            "Every NAT gateway of the staging area, by the id of its NAT subnet (null in \
             private mode).",
        ),
        Attribute::computed("elastic_ip_allocation_ids", Type::map(Type::String)).describe(
            "The Elastic IP each NAT gateway holds, by the id of its NAT subnet.",
        ),
        Attribute::computed("nat_public_ips", Type::map(Type::String)).describe(
            "Each NAT gateway's public address, by the id of its NAT subnet: what firewalls in \
             front of MGN, EC2 and S3 see.",
        ),
        Attribute::computed("vpc_endpoint_ids", Type::map(Type::String)).describe(
            "Private mode: the VPC endpoints by service (`mgn`, `ec2`, `s3` interface endpoints, \
             `s3-gateway`); null in NAT mode.",
        ),
        Attribute::computed("route_table_id", Type::String).describe(
            "The route table of `staging_subnet_id`, where its default route to the NAT \
             gateway is.",
        ),
        Attribute::computed("route_table_ids", Type::map(Type::String)).describe(
            "Every staging subnet's route table, by staging subnet id: in NAT mode those whose \
             default route goes to their NAT gateway (a route deleted out of band drops its \
             table, and the next apply puts the route back), in private mode those the S3 \
             gateway endpoint is on.",
        ),
        timeouts::attribute(),
    ];
    Schema {
        version: 0,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: "The replication staging area of AWS Application Migration Service \
                          (MGN) in a staging VPC: a security group for the replication servers \
                          (TCP 1500 in from the source networks, 443 out), a NAT gateway with \
                          its Elastic IP (shared, or one per Availability Zone) and each \
                          staging subnet's default route to it (or, in private mode, VPC \
                          endpoints for MGN, EC2 and S3), and the MGN \
                          replication configuration template. The plan checks that MGN is \
                          initialized in the Region, that the data plane routing can work, that \
                          the source networks are routed back from the staging subnet, and \
                          that the staging subnet has room for the replication servers."
                .to_string(),
            deprecated: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_sane_and_fully_documented() {
        let schema = schema();
        assert_eq!(schema.sanity_errors(), Vec::<String>::new());
        let undocumented: Vec<_> = schema
            .block
            .attributes
            .iter()
            .filter(|a| a.description.is_empty())
            .map(|a| a.name.clone())
            .collect();
        assert!(undocumented.is_empty(), "{undocumented:?}");
    }
}
