"""Security groups in the inventory, so a test can see the rules a provider made and that a
destroy deleted its groups. moto's own security group handlers serve the API unchanged.

Each VPC's `default` group is AWS's (it is made with the VPC and cannot be deleted), so like
VPCs, subnets and route tables it is not listed.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends

from .transit_gateways import tags_of


def _rules(rules: list[Any]) -> list[dict[str, Any]]:
    """One entry per rule and source: protocol, ports, and the CIDR, group or prefix list."""
    listed = []
    for rule in rules:
        listed.append(
            {
                "protocol": rule.ip_protocol,
                "from_port": rule.from_port,
                "to_port": rule.to_port,
                "cidr": rule.ip_range.get("CidrIp") or rule.ip_range.get("CidrIpv6"),
                "group_id": rule.source_group.get("GroupId"),
                "prefix_list_id": rule.prefix_list_id,
            }
        )
    return listed


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    groups: list[dict[str, Any]] = []
    if account not in ec2_backends.keys():
        return {"security_groups": groups}
    for region_name, be in list(ec2_backends[account].items()):
        if region and region_name != region:
            continue
        for vpc_groups in list(be.groups.values()):
            for group in list(vpc_groups.values()):
                if group.name == "default":
                    continue
                groups.append(
                    {
                        "id": group.id,
                        "region": region_name,
                        "vpc_id": group.vpc_id,
                        "name": group.name,
                        "ingress": _rules(group.ingress_rules),
                        "egress": _rules(group.egress_rules),
                        "tags": tags_of(group),
                    }
                )
    return {"security_groups": groups}
