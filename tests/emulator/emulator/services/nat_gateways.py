"""NAT gateways and Elastic IPs, as a replication staging area uses them, on moto's objects.

moto keeps the objects (so CreateTags, DescribeTags, CreateRoute and DescribeRouteTables keep
seeing them), but its NAT gateway and address handlers differ from AWS where a provider notices:

* a NAT gateway is `available` at once and `deleted` at once (the EIP stays associated); here it
  goes `pending → available` and `deleting → deleted` with the delays `nat_gateway.pending` /
  `nat_gateway.deleting`, stays listed as `deleted`, and only then lets go of its EIP and ENI;
* DescribeNatGateways ignored `tag:*` filters and unknown filters, and answered an empty list for
  unknown IDs; DeleteNatGateway of an unknown ID crashed (HTTP 500). AWS answers
  `NatGatewayNotFound` for both;
* ClientToken was ignored (a retried create failed with `Resource.AlreadyAssociated` instead of
  returning the first NAT gateway); a public NAT gateway could be created without an EIP;
* ReleaseAddress released an EIP that a NAT gateway still used (AWS: `AuthFailure`, the error
  users meet when they release before the NAT gateway is fully deleted) or that is associated
  (AWS: `InvalidIPAddress.InUse`);
* DescribeAddresses reported `InstanceId`/`NetworkInterfaceId` as empty strings on unassociated
  addresses instead of leaving them out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from moto.ec2.models import ec2_backends

from .. import ec2_filters
from ..errors import AwsError
from ..idempotency import idempotent
from ..pagination import page
from . import Call, Delegate, handles
from .transit_gateways import _absent_if_empty, backend, tags_of

LIVE_NAT_STATES = ("pending", "available", "deleting")
_ADDRESS_STATUS = {"pending": "associating", "available": "succeeded", "deleting": "disassociating", "deleted": "succeeded", "failed": "failed"}


# ---------------------------------------------------------------------------------------------
# Lookups shared with the VPC route module


def find_nat_gateway(call: Call, nat_gateway_id: str | None) -> Any:
    """The caller's NAT gateway, or None (deleted ones included: callers decide)."""
    return backend(call.account, call.region).nat_gateways.get(nat_gateway_id or "")


def _require_nat_gateway(call: Call, nat_gateway_id: str | None) -> Any:
    if not nat_gateway_id:
        raise AwsError("MissingParameter", "The request must contain the parameter NatGatewayId.")
    nat = find_nat_gateway(call, nat_gateway_id)
    if nat is None:
        raise AwsError("NatGatewayNotFound", f"NAT gateway {nat_gateway_id} was not found")
    return nat


def _address_by_allocation(be: Any, allocation_id: str) -> Any:
    for address in be.addresses:
        if address.allocation_id == allocation_id:
            return address
    raise AwsError("InvalidAllocationID.NotFound", f"The allocation ID '{allocation_id}' does not exist")


def _nat_using(be: Any, allocation_id: str | None) -> Any:
    """The NAT gateway that still holds an EIP (anything not yet fully deleted)."""
    if not allocation_id:
        return None
    for nat in be.nat_gateways.values():
        if nat.state != "deleted" and any(a.get("allocationId") == allocation_id for a in nat.address_set):
            return nat
    return None


# ---------------------------------------------------------------------------------------------
# NAT gateways


def nat_gateway_shape(nat: Any) -> dict[str, Any]:
    addresses = []
    for address in nat.address_set:
        entry = {
            "AllocationId": address.get("allocationId"),
            "NetworkInterfaceId": address.get("networkInterfaceId"),
            "PrivateIp": address.get("privateIp"),
            "PublicIp": address.get("publicIp"),
            "AssociationId": address.get("associationId") if nat.state != "deleted" else None,
            "IsPrimary": True,
            "Status": _ADDRESS_STATUS.get(nat.state, "succeeded"),
        }
        addresses.append({k: v for k, v in entry.items() if v is not None})
    return {
        "CreateTime": nat._created_at,
        "DeleteTime": getattr(nat, "emulator_deleted_at", None),
        "NatGatewayAddresses": addresses,
        "NatGatewayId": nat.id,
        "State": nat.state,
        "SubnetId": nat.subnet_id,
        "VpcId": nat.vpc_id,
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_of(nat))),
        "ConnectivityType": nat.connectivity_type or "public",
    }


def _set_state(nat: Any):
    return lambda state: setattr(nat, "state", state)


@handles("ec2", "CreateNatGateway")
def create_nat_gateway(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        params = call.params
        be = backend(call.account, call.region)
        subnet_id = params.get("SubnetId")
        if not subnet_id:
            raise AwsError("MissingParameter", "The request must contain the parameter SubnetId.")
        be.get_subnet(subnet_id)  # InvalidSubnetID.NotFound
        connectivity = params.get("ConnectivityType") or "public"
        if connectivity not in ("public", "private"):
            raise AwsError("InvalidParameterValue", f"Value ({connectivity}) for parameter ConnectivityType is invalid.")
        allocation_id = params.get("AllocationId")
        if connectivity == "public" and not allocation_id:
            raise AwsError("MissingParameter", "A public NAT gateway needs an Elastic IP: the request must contain the parameter AllocationId.")
        if connectivity == "private" and allocation_id:
            raise AwsError("InvalidParameterCombination", "A private NAT gateway takes no AllocationId.")
        if allocation_id:
            address = _address_by_allocation(be, allocation_id)
            if address.association_id or address.eni is not None or address.instance is not None:
                raise AwsError("Resource.AlreadyAssociated", f"Elastic IP address [{allocation_id}] is already associated")
        tags = ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "natgateway")
        nat = be.create_nat_gateway(subnet_id=subnet_id, allocation_id=allocation_id, tags=tags, connectivity_type=connectivity)
        call.world.scheduler.phases(
            nat, _set_state(nat), [("pending", call.world.settings.delay("nat_gateway.pending"))], lambda: _set_state(nat)("available")
        )
        return {"ClientToken": params.get("ClientToken"), "NatGateway": nat_gateway_shape(nat)}

    return idempotent(call, produce)


NAT_FILTERS = {
    "nat-gateway-id": lambda n: n.id,
    "state": lambda n: n.state,
    "subnet-id": lambda n: n.subnet_id,
    "vpc-id": lambda n: n.vpc_id,
}


@handles("ec2", "DescribeNatGateways")
def describe_nat_gateways(call: Call) -> dict[str, Any]:
    params = call.params
    nats = list(backend(call.account, call.region).nat_gateways.values())
    wanted = params.get("NatGatewayIds") or []
    known = {n.id for n in nats}
    for nat_id in wanted:
        if nat_id not in known:
            raise AwsError("NatGatewayNotFound", f"NAT gateway {nat_id} was not found")
    if wanted:
        nats = [n for n in nats if n.id in wanted]
    nats = ec2_filters.select(nats, params.get("Filter"), NAT_FILTERS, tags_of)
    chunk, token = page(nats, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[wanted, params.get("Filter")], minimum=5)
    return {"NatGateways": [nat_gateway_shape(n) for n in chunk], "NextToken": token}


def _release_resources(be: Any, nat: Any) -> None:
    """What AWS does once a NAT gateway is fully deleted: its EIP and ENI are let go."""
    nat.state = "deleted"
    nat.emulator_deleted_at = dt.datetime.now(dt.timezone.utc)
    for entry in nat.address_set:
        allocation_id = entry.get("allocationId")
        if allocation_id:
            for address in be.addresses:
                if address.allocation_id == allocation_id:
                    address.eni = None
                    address.instance = None
                    address.association_id = None
    be.enis.pop(nat._eni.id, None)


@handles("ec2", "DeleteNatGateway")
def delete_nat_gateway(call: Call) -> dict[str, Any]:
    nat = _require_nat_gateway(call, call.params.get("NatGatewayId"))
    if nat.state in ("pending", "available", "failed"):
        be = backend(call.account, call.region)
        call.world.scheduler.phases(
            nat, _set_state(nat), [("deleting", call.world.settings.delay("nat_gateway.deleting"))], lambda: _release_resources(be, nat)
        )
    # A repeated delete (deleting/deleted) succeeds again, as the provider's retries expect.
    return {"NatGatewayId": nat.id}


# ---------------------------------------------------------------------------------------------
# Elastic IPs


def address_shape(address: Any, region: str) -> dict[str, Any]:
    shape = {
        "AllocationId": address.allocation_id,
        "AssociationId": address.association_id,
        "Domain": address.domain,
        "NetworkInterfaceId": address.eni.id if address.eni is not None else None,
        "NetworkInterfaceOwnerId": address.eni.owner_id if address.eni is not None else None,
        "PrivateIpAddress": address.eni.private_ip_address if address.eni is not None else None,
        "InstanceId": address.instance.id if address.instance is not None else None,
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_of(address))),
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": region,
        "PublicIp": address.public_ip,
    }
    return {k: v for k, v in shape.items() if v is not None}


ADDRESS_FILTERS = {
    "allocation-id": lambda a: a.allocation_id,
    "association-id": lambda a: a.association_id,
    "domain": lambda a: a.domain,
    "instance-id": lambda a: a.instance.id if a.instance is not None else None,
    "network-border-group": lambda a: a.ec2_backend.region_name,
    "network-interface-id": lambda a: a.eni.id if a.eni is not None else None,
    "network-interface-owner-id": lambda a: a.eni.owner_id if a.eni is not None else None,
    "private-ip-address": lambda a: a.eni.private_ip_address if a.eni is not None else None,
    "public-ip": lambda a: a.public_ip,
    "public-ipv4-pool": lambda a: "amazon",
}


@handles("ec2", "DescribeAddresses")
def describe_addresses(call: Call) -> dict[str, Any]:
    params = call.params
    be = backend(call.account, call.region)
    addresses = list(be.addresses)
    allocation_ids = params.get("AllocationIds") or []
    for allocation_id in allocation_ids:
        _address_by_allocation(be, allocation_id)
    public_ips = params.get("PublicIps") or []
    for public_ip in public_ips:
        if not any(a.public_ip == public_ip for a in addresses):
            raise AwsError("InvalidAddress.NotFound", f"Address '{public_ip}' not found.")
    if allocation_ids:
        addresses = [a for a in addresses if a.allocation_id in allocation_ids]
    if public_ips:
        addresses = [a for a in addresses if a.public_ip in public_ips]
    addresses = ec2_filters.select(addresses, params.get("Filters"), ADDRESS_FILTERS, tags_of)
    return {"Addresses": [address_shape(a, call.region) for a in addresses]}


@handles("ec2", "ReleaseAddress")
def release_address(call: Call) -> Any:
    """Refuses what AWS refuses, then lets moto release the address."""
    params = call.params
    be = backend(call.account, call.region)
    if params.get("AllocationId"):
        address = _address_by_allocation(be, params["AllocationId"])
    elif params.get("PublicIp"):
        address = next((a for a in be.addresses if a.public_ip == params["PublicIp"]), None)
        if address is None:
            raise AwsError("InvalidAddress.NotFound", f"Address '{params['PublicIp']}' not found.")
    else:
        raise AwsError("MissingParameter", "The request must contain the parameter AllocationId or PublicIp.")
    if _nat_using(be, address.allocation_id) is not None:
        # What AWS answers while a NAT gateway (even one being deleted) still holds the address.
        raise AwsError("AuthFailure", "You do not have permission to access the specified resource.")
    if address.association_id or address.eni is not None or address.instance is not None:
        raise AwsError("InvalidIPAddress.InUse", f"Address {address.public_ip} is in use.")
    return Delegate()


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {"nat_gateways": [], "elastic_ips": [], "vpc_routes_to_nat_gateways": []}
    if account not in ec2_backends.keys():
        return result
    for region_name, be in list(ec2_backends[account].items()):
        if region and region_name != region:
            continue
        for nat in be.nat_gateways.values():
            if nat.state in LIVE_NAT_STATES:
                result["nat_gateways"].append(
                    {
                        "id": nat.id,
                        "region": region_name,
                        "vpc_id": nat.vpc_id,
                        "subnet_id": nat.subnet_id,
                        "connectivity_type": nat.connectivity_type or "public",
                        "allocation_ids": [a["allocationId"] for a in nat.address_set if a.get("allocationId")],
                        "state": nat.state,
                        "tags": tags_of(nat),
                    }
                )
        for address in be.addresses:
            result["elastic_ips"].append(
                {
                    "allocation_id": address.allocation_id,
                    "public_ip": address.public_ip,
                    "region": region_name,
                    "association_id": address.association_id,
                    "network_interface_id": address.eni.id if address.eni is not None else None,
                    "tags": tags_of(address),
                }
            )
        for route_table in be.route_tables.values():
            for route in route_table._routes.values():
                if getattr(route, "nat_gateway", None) is not None:
                    result["vpc_routes_to_nat_gateways"].append(
                        {
                            "route_table_id": route_table.id,
                            "region": region_name,
                            "vpc_id": route_table.vpc_id,
                            "destination": route.destination_cidr_block or route.destination_ipv6_cidr_block,
                            "nat_gateway_id": route.nat_gateway.id,
                            "state": route.state,
                        }
                    )
    return result
