"""VPC endpoints (interface and gateway), as a private replication staging area uses them.

moto keeps the endpoint objects (tags, DescribeRouteTables and DescribeVpcEndpointServices keep
working), but its handlers differ from AWS where a provider notices, so the extension serves
Create/Describe/Modify/DeleteVpcEndpoints:

* states: moto answered `available` at once and flipped to `deleted` at once; here an endpoint
  goes `pending → available` (delay `vpc_endpoint.pending`) and `deleting → deleted`
  (`vpc_endpoint.deleting`), and stays listed as `deleted`;
* the service name must be one DescribeVpcEndpointServices lists (`InvalidServiceName`), and the
  endpoint type one it offers (`InvalidParameter: Endpoint type (Gateway) does not match
  available service types ([Interface]).`, AWS's text); route tables only for gateway
  endpoints, subnets only for interface ones, one subnet per Availability Zone;
* a gateway endpoint keeps one route to the service's prefix list (`pl-…`, destination
  `DestinationPrefixListId`) in each associated route table: ModifyVpcEndpoint adds and removes
  them (moto did not), and deletion removes them (moto crashed when a table had been removed);
* an interface endpoint has one network interface per subnet and DNS entries per Availability
  Zone; without security groups it gets the VPC's default group;
* DescribeVpcEndpoints refuses unknown filters (moto: HTTP 500); DeleteVpcEndpoints reports
  unknown IDs as `Unsuccessful` items (`InvalidVpcEndpoint.NotFound`); ClientToken is honoured.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.utils import random_vpc_ep_id

from .. import ec2_filters, ids
from ..errors import AwsError
from ..idempotency import idempotent
from ..pagination import page
from . import Call, handles
from .transit_gateways import backend, tags_of

DEFAULT_POLICY = json.dumps({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
GONE_STATES = ("deleting", "deleted")
REGIONAL_ZONE_ID = "Z7HUB22UULQXV"
PRIVATE_ZONE_ID = "Z00000000EMULATORPRIV"


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameter", message)


def _set_state(endpoint: Any):
    return lambda state: setattr(endpoint, "state", state)


# ---------------------------------------------------------------------------------------------
# The services an endpoint can reach


def service_types(be: Any, region: str) -> dict[str, set[str]]:
    """Service name → the endpoint types it offers, as DescribeVpcEndpointServices lists them."""
    catalogue: dict[str, set[str]] = {}
    services = list(be._collect_default_endpoint_services(be.account_id, region))
    services += [config.to_dict() for config in be.configurations.values()]
    for service in services:
        kinds = {entry["ServiceType"] for entry in service.get("ServiceType") or []}
        catalogue.setdefault(service["ServiceName"], set()).update(kinds)
    return catalogue


def _check_service(be: Any, region: str, name: str | None, kind: str) -> None:
    if not name:
        raise AwsError("MissingParameter", "The request must contain the parameter ServiceName.")
    offered = service_types(be, region).get(name)
    if offered is None:
        raise AwsError("InvalidServiceName", f"The Vpc Endpoint Service '{name}' does not exist")
    if kind not in offered:
        raise _invalid(f"Endpoint type ({kind}) does not match available service types ([{', '.join(sorted(offered))}]).")


def _prefix_list_id(be: Any, service_name: str) -> str | None:
    for prefix_list in be.managed_prefix_lists.values():
        if prefix_list.prefix_list_name == service_name:
            return prefix_list.id
    return None


# ---------------------------------------------------------------------------------------------
# Validation of the network pieces


def _route_tables(be: Any, vpc_id: str, table_ids: list[str]) -> list[str]:
    for table_id in table_ids:
        table = be.get_route_table(table_id)  # InvalidRouteTableID.NotFound
        if table.vpc_id != vpc_id:
            raise _invalid(f"Route table {table_id} is not in VPC {vpc_id}.")
    return list(dict.fromkeys(table_ids))


def _subnets(be: Any, vpc_id: str, subnet_ids: list[str], existing: list[str]) -> list[str]:
    zones: dict[str, str] = {}
    for subnet_id in list(existing) + list(subnet_ids):
        subnet = be.get_subnet(subnet_id)  # InvalidSubnetID.NotFound
        if subnet.vpc_id != vpc_id:
            raise _invalid(f"The subnet ID '{subnet_id}' does not belong to VPC {vpc_id}.")
        other = zones.get(subnet.availability_zone)
        if other is not None and other != subnet_id:
            raise AwsError("DuplicateSubnetsInSameZone", f"Found another VPC endpoint subnet in the availability zone of {subnet_id}: {other}.")
        zones[subnet.availability_zone] = subnet_id
    return [s for s in dict.fromkeys(subnet_ids) if s not in existing]


def _security_groups(be: Any, vpc_id: str, group_ids: list[str]) -> list[str]:
    for group_id in group_ids:
        group = be.get_security_group_from_id(group_id)
        if group is None:
            raise AwsError("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")
        if group.vpc_id != vpc_id:
            raise _invalid(f"Security group {group_id} is not in VPC {vpc_id}.")
    return list(dict.fromkeys(group_ids))


def _check_type_members(kind: str, params: dict[str, Any], add: str = "", remove: str = "") -> None:
    """Route tables belong to gateway endpoints, subnets and groups to interface ones (AWS's texts)."""
    names = lambda base: [f"{add}{base}", f"{remove}{base}"] if add else [base]  # noqa: E731
    if kind != "Gateway" and any(params.get(n) for n in names("RouteTableIds")):
        raise _invalid("Route table IDs are only supported for Gateway type VPC Endpoint.")
    if kind == "Gateway" and any(params.get(n) for n in names("SubnetIds")):
        raise _invalid("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
    if kind == "Gateway" and any(params.get(n) for n in names("SecurityGroupIds")):
        raise _invalid("Security group IDs are only supported for Interface type VPC Endpoints.")
    if kind == "Gateway" and params.get("PrivateDnsEnabled"):
        raise _invalid("Private DNS can only be enabled for Interface type VPC Endpoints.")


# ---------------------------------------------------------------------------------------------
# Routes (gateway) and network interfaces (interface)


def _add_prefix_routes(be: Any, endpoint: Any, table_ids: list[str]) -> None:
    prefix_list = endpoint.destination_prefix_list_id
    if prefix_list is None:
        return
    for table_id in table_ids:
        table = be.get_route_table(table_id)
        if any(r.destination_prefix_list_id == prefix_list for r in table._routes.values()):
            raise AwsError("RouteAlreadyExists", f"The route identified by {prefix_list} already exists in {table_id}.")
    for table_id in table_ids:
        be.create_route(table_id, None, gateway_id=endpoint.id, destination_prefix_list_id=prefix_list)


def _remove_prefix_routes(be: Any, endpoint: Any, table_ids: list[str]) -> None:
    prefix_list = endpoint.destination_prefix_list_id
    for table_id in table_ids:
        table = be.route_tables.get(table_id)
        if table is None or prefix_list is None:
            continue  # the table is gone, and its routes with it
        for route_id, route in list(table._routes.items()):
            if route.destination_prefix_list_id == prefix_list and route.gateway_id == endpoint.id:
                del table._routes[route_id]


def _private_ip(subnet: Any) -> str:
    network = ipaddress.ip_network(subnet.cidr_block, strict=False)
    return str(network.network_address + ids.number(4, max(4, network.num_addresses - 2)))


def _add_interfaces(be: Any, endpoint: Any, subnet_ids: list[str]) -> None:
    for subnet_id in subnet_ids:
        subnet = be.get_subnet(subnet_id)
        eni = be.create_network_interface(
            subnet, _private_ip(subnet), group_ids=list(endpoint.security_group_ids), description=f"VPC Endpoint Interface {endpoint.id}"
        )
        endpoint.emulator_enis[subnet_id] = eni.id
        endpoint.subnet_ids.append(subnet_id)
    _refresh_interfaces(be, endpoint)


def _remove_interfaces(be: Any, endpoint: Any, subnet_ids: list[str]) -> None:
    for subnet_id in subnet_ids:
        be.enis.pop(endpoint.emulator_enis.pop(subnet_id, ""), None)
    endpoint.subnet_ids = [s for s in endpoint.subnet_ids if s not in subnet_ids]
    _refresh_interfaces(be, endpoint)


def _short_name(endpoint: Any) -> str:
    prefix = f"com.amazonaws.{endpoint.ec2_backend.region_name}."
    return endpoint.service_name[len(prefix):] if endpoint.service_name.startswith(prefix) else endpoint.service_name


def _refresh_interfaces(be: Any, endpoint: Any) -> None:
    """Network interface IDs and DNS entries follow the subnets (one zonal name per AZ)."""
    region = be.region_name
    endpoint.network_interface_ids = [endpoint.emulator_enis[s] for s in endpoint.subnet_ids]
    short = _short_name(endpoint)
    suffix = endpoint.emulator_dns_suffix
    entries = [{"DnsName": f"{endpoint.id}-{suffix}.{short}.{region}.vpce.amazonaws.com", "HostedZoneId": REGIONAL_ZONE_ID}]
    for subnet_id in endpoint.subnet_ids:
        zone = be.get_subnet(subnet_id).availability_zone
        entries.append({"DnsName": f"{endpoint.id}-{suffix}-{zone}.{short}.{region}.vpce.amazonaws.com", "HostedZoneId": REGIONAL_ZONE_ID})
    if endpoint.private_dns_enabled:
        entries.append({"DnsName": f"{short}.{region}.amazonaws.com", "HostedZoneId": PRIVATE_ZONE_ID})
    endpoint.dns_entries = entries


# ---------------------------------------------------------------------------------------------
# Shapes


def endpoint_shape(endpoint: Any) -> dict[str, Any]:
    interface = endpoint.vpc_endpoint_type == "Interface"
    groups = []
    for group_id in endpoint.security_group_ids:
        group = endpoint.ec2_backend.get_security_group_from_id(group_id)
        groups.append({"GroupId": group_id, "GroupName": group.name if group is not None else None})
    return {
        "VpcEndpointId": endpoint.id,
        "VpcEndpointType": endpoint.vpc_endpoint_type,
        "VpcId": endpoint.vpc_id,
        "ServiceName": endpoint.service_name,
        "State": endpoint.state,
        "PolicyDocument": endpoint.policy_document,
        "RouteTableIds": list(endpoint.route_table_ids),
        "SubnetIds": list(endpoint.subnet_ids or []),
        "Groups": groups,
        "IpAddressType": "ipv4",
        "DnsOptions": {"DnsRecordIpType": "ipv4"} if interface else None,
        "PrivateDnsEnabled": bool(endpoint.private_dns_enabled),
        "RequesterManaged": False,
        "NetworkInterfaceIds": list(endpoint.network_interface_ids),
        "DnsEntries": list(endpoint.dns_entries or []),
        "CreationTimestamp": endpoint.creation_timestamp,
        "Tags": ec2_filters.tag_list(tags_of(endpoint)) or None,
        "OwnerId": endpoint.ec2_backend.account_id,
        "ServiceRegion": endpoint.ec2_backend.region_name,
    }


# ---------------------------------------------------------------------------------------------
# Handlers


@handles("ec2", "CreateVpcEndpoint")
def create_endpoint(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        params = call.params
        be = backend(call.account, call.region)
        vpc_id = params.get("VpcId") or ""
        be.get_vpc(vpc_id)  # InvalidVpcID.NotFound
        kind = params.get("VpcEndpointType") or "Gateway"
        if kind not in ("Interface", "Gateway"):
            raise _invalid(f"The emulator serves Interface and Gateway endpoints only, not {kind}.")
        _check_service(be, call.region, params.get("ServiceName"), kind)
        _check_type_members(kind, params)
        interface = kind == "Interface"
        table_ids = _route_tables(be, vpc_id, list(params.get("RouteTableIds") or []))
        subnet_ids = _subnets(be, vpc_id, list(params.get("SubnetIds") or []), [])
        group_ids = _security_groups(be, vpc_id, list(params.get("SecurityGroupIds") or []))
        if interface and not group_ids:
            default = be.get_security_group_from_name("default", vpc_id=vpc_id)
            group_ids = [default.id] if default is not None else []
        endpoint = VPCEndPoint(
            be,
            random_vpc_ep_id(),
            vpc_id,
            params["ServiceName"],
            kind,
            params.get("PolicyDocument") or DEFAULT_POLICY,
            [],
            subnet_ids=[],
            network_interface_ids=[],
            dns_entries=[],
            client_token=params.get("ClientToken"),
            security_group_ids=group_ids,
            tags=ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "vpc-endpoint"),
            private_dns_enabled=bool(params.get("PrivateDnsEnabled", True)) if interface else False,
            destination_prefix_list_id=None if interface else _prefix_list_id(be, params["ServiceName"]),
        )
        endpoint.emulator_enis = {}
        endpoint.emulator_dns_suffix = ids.hex_id("x", 8)[2:]
        be.vpc_end_points[endpoint.id] = endpoint
        if interface:
            _add_interfaces(be, endpoint, subnet_ids)
        else:
            _add_prefix_routes(be, endpoint, table_ids)
            endpoint.route_table_ids = table_ids
        call.world.scheduler.phases(
            endpoint, _set_state(endpoint), [("pending", call.world.settings.delay("vpc_endpoint.pending"))], lambda: _set_state(endpoint)("available")
        )
        return {"VpcEndpoint": endpoint_shape(endpoint), "ClientToken": params.get("ClientToken")}

    return idempotent(call, produce)


ENDPOINT_FILTERS = {
    "ip-address-type": lambda e: "ipv4",
    "service-name": lambda e: e.service_name,
    "service-region": lambda e: e.ec2_backend.region_name,
    "vpc-id": lambda e: e.vpc_id,
    "vpc-endpoint-id": lambda e: e.id,
    "vpc-endpoint-state": lambda e: e.state,
    "vpc-endpoint-type": lambda e: e.vpc_endpoint_type,
}


@handles("ec2", "DescribeVpcEndpoints")
def describe_endpoints(call: Call) -> dict[str, Any]:
    params = call.params
    endpoints = list(backend(call.account, call.region).vpc_end_points.values())
    wanted = params.get("VpcEndpointIds") or []
    known = {e.id for e in endpoints}
    for endpoint_id in wanted:
        if endpoint_id not in known:
            raise AwsError("InvalidVpcEndpointId.NotFound", f"The VpcEndpoint ID '{endpoint_id}' does not exist")
    if wanted:
        endpoints = [e for e in endpoints if e.id in wanted]
    endpoints = ec2_filters.select(endpoints, params.get("Filters"), ENDPOINT_FILTERS, tags_of)
    chunk, token = page(endpoints, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[wanted, params.get("Filters")])
    return {"VpcEndpoints": [endpoint_shape(e) for e in chunk], "NextToken": token}


def _live_endpoint(call: Call, endpoint_id: str | None) -> Any:
    endpoint = backend(call.account, call.region).vpc_end_points.get(endpoint_id or "")
    if endpoint is None or endpoint.state in GONE_STATES:
        raise AwsError("InvalidVpcEndpointId.NotFound", f"The VpcEndpoint ID '{endpoint_id}' does not exist")
    return endpoint


def _modify_route_tables(be: Any, endpoint: Any, params: dict[str, Any]) -> None:
    add = [t for t in _route_tables(be, endpoint.vpc_id, list(params.get("AddRouteTableIds") or [])) if t not in endpoint.route_table_ids]
    remove = list(params.get("RemoveRouteTableIds") or [])
    for table_id in remove:
        if table_id not in endpoint.route_table_ids:
            raise _invalid(f"Route table {table_id} is not associated with {endpoint.id}.")
    _add_prefix_routes(be, endpoint, add)
    _remove_prefix_routes(be, endpoint, remove)
    endpoint.route_table_ids = [t for t in endpoint.route_table_ids if t not in remove] + add


def _modify_interfaces(be: Any, endpoint: Any, params: dict[str, Any]) -> None:
    remove = list(params.get("RemoveSubnetIds") or [])
    for subnet_id in remove:
        if subnet_id not in endpoint.subnet_ids:
            raise _invalid(f"Subnet {subnet_id} is not associated with {endpoint.id}.")
    remaining = [s for s in endpoint.subnet_ids if s not in remove]
    add = _subnets(be, endpoint.vpc_id, list(params.get("AddSubnetIds") or []), remaining)
    add_groups = _security_groups(be, endpoint.vpc_id, list(params.get("AddSecurityGroupIds") or []))
    remove_groups = list(params.get("RemoveSecurityGroupIds") or [])
    groups = [g for g in endpoint.security_group_ids if g not in remove_groups] + [g for g in add_groups if g not in endpoint.security_group_ids]
    if not groups:
        raise _invalid(f"An Interface endpoint needs at least one security group; {endpoint.id} would have none.")
    endpoint.security_group_ids = groups
    if params.get("PrivateDnsEnabled") is not None:
        endpoint.private_dns_enabled = bool(params["PrivateDnsEnabled"])
    _remove_interfaces(be, endpoint, remove)
    _add_interfaces(be, endpoint, add)


@handles("ec2", "ModifyVpcEndpoint")
def modify_endpoint(call: Call) -> dict[str, Any]:
    params = call.params
    endpoint = _live_endpoint(call, params.get("VpcEndpointId"))
    be = backend(call.account, call.region)
    _check_type_members(endpoint.vpc_endpoint_type, params, add="Add", remove="Remove")
    if endpoint.vpc_endpoint_type == "Gateway" and params.get("PrivateDnsEnabled"):
        raise _invalid("Private DNS can only be enabled for Interface type VPC Endpoints.")
    if params.get("ResetPolicy") and params.get("PolicyDocument"):
        raise AwsError("InvalidParameterCombination", "Specify either PolicyDocument or ResetPolicy, not both.")
    if endpoint.vpc_endpoint_type == "Gateway":
        _modify_route_tables(be, endpoint, params)
    else:
        _modify_interfaces(be, endpoint, params)
    if params.get("ResetPolicy"):
        endpoint.policy_document = DEFAULT_POLICY
    elif params.get("PolicyDocument"):
        endpoint.policy_document = params["PolicyDocument"]
    return {"Return": True}


def _finish_deletion(be: Any, endpoint: Any) -> None:
    endpoint.state = "deleted"
    if endpoint.vpc_endpoint_type == "Gateway":
        _remove_prefix_routes(be, endpoint, list(endpoint.route_table_ids))
    else:
        for eni_id in endpoint.emulator_enis.values():
            be.enis.pop(eni_id, None)


@handles("ec2", "DeleteVpcEndpoints")
def delete_endpoints(call: Call) -> dict[str, Any]:
    be = backend(call.account, call.region)
    unsuccessful = []
    for endpoint_id in call.params.get("VpcEndpointIds") or []:
        endpoint = be.vpc_end_points.get(endpoint_id)
        if endpoint is None or endpoint.state == "deleted":
            unsuccessful.append(
                {"Error": {"Code": "InvalidVpcEndpoint.NotFound", "Message": f"The VpcEndpoint Id '{endpoint_id}' does not exist"}, "ResourceId": endpoint_id}
            )
            continue
        if endpoint.state != "deleting":
            call.world.scheduler.phases(
                endpoint,
                _set_state(endpoint),
                [("deleting", call.world.settings.delay("vpc_endpoint.deleting"))],
                lambda e=endpoint: _finish_deletion(be, e),
            )
    return {"Unsuccessful": unsuccessful}


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    endpoints = []
    if account not in ec2_backends.keys():
        return {"vpc_endpoints": endpoints}
    for region_name, be in list(ec2_backends[account].items()):
        if region and region_name != region:
            continue
        for endpoint in be.vpc_end_points.values():
            if endpoint.state == "deleted":
                continue
            endpoints.append(
                {
                    "id": endpoint.id,
                    "region": region_name,
                    "vpc_id": endpoint.vpc_id,
                    "service_name": endpoint.service_name,
                    "type": endpoint.vpc_endpoint_type,
                    "state": endpoint.state,
                    "route_table_ids": list(endpoint.route_table_ids),
                    "subnet_ids": list(endpoint.subnet_ids or []),
                    "tags": tags_of(endpoint),
                }
            )
    return {"vpc_endpoints": endpoints}
