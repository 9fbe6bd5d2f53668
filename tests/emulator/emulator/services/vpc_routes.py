"""VPC routes whose target is a transit gateway.

moto accepted any `TransitGatewayId` (an unknown one produced a route without a target) and
only found TGWs of the caller's own account. Here the TGW must exist and be `available`, or be
RAM-shared with the caller and usable there (a spoke VPC routing to the hub's TGW, after the
share is associated and `ram_share.propagation` has passed); otherwise the answer is AWS's
`InvalidTransitGatewayID.NotFound` with AWS's text — the error users see right after sharing
(terraform-provider-aws #10025). The route itself is still created by moto (RouteAlreadyExists
and ReplaceRoute are right there).
"""

from __future__ import annotations

from typing import Any

from ..errors import AwsError
from . import Call, Delegate, handles
from .transit_gateways import backend, find_transit_gateway


def _routed_to_transit_gateway(call: Call) -> Delegate:
    tgw_id = call.params.get("TransitGatewayId")
    if not tgw_id:
        return Delegate()
    found = find_transit_gateway(call, tgw_id)
    if found is None or found[0].state not in ("available", "modifying"):
        raise AwsError("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw_id}' does not exist.")
    tgw, owner = found
    if owner.account_id == call.account:
        return Delegate()

    def attach_shared_target() -> None:
        # moto looked the TGW up in the caller's account only and left the target empty.
        table = backend(call.account, call.region).get_route_table(call.params.get("RouteTableId"))
        destination = call.params.get("DestinationCidrBlock") or call.params.get("DestinationIpv6CidrBlock")
        for route in table._routes.values():
            if destination in (route.destination_cidr_block, route.destination_ipv6_cidr_block):
                route.transit_gateway = tgw

    return Delegate(attach_shared_target)


@handles("ec2", "CreateRoute")
def create_route(call: Call) -> Any:
    return _routed_to_transit_gateway(call)


@handles("ec2", "ReplaceRoute")
def replace_route(call: Call) -> Any:
    return _routed_to_transit_gateway(call)
