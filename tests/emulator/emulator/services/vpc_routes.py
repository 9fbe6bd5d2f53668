"""VPC routes whose target is a transit gateway or a NAT gateway.

moto accepted any `TransitGatewayId` or `NatGatewayId` (an unknown one produced a route without
a target) and only found TGWs of the caller's own account. Here the target must exist: the TGW
`available`, or RAM-shared with the caller and usable there (a spoke VPC routing to the hub's
TGW, after the share is associated and `ram_share.propagation` has passed); the NAT gateway not
deleted. Otherwise the answer is AWS's `InvalidTransitGatewayID.NotFound` /
`InvalidNatGatewayID.NotFound` with AWS's text — the first is what users see right after sharing
(terraform-provider-aws #10025). The route itself is still created by moto (RouteAlreadyExists
and ReplaceRoute are right there). A route to a NAT gateway turns `blackhole` once the NAT
gateway is deleted, as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.models.route_tables import Route

from ..errors import AwsError
from . import Call, Delegate, handles
from .nat_gateways import find_nat_gateway
from .transit_gateways import backend, find_transit_gateway


class NatGatewayRoute(Route):
    """moto's route, whose state follows its NAT gateway (moto's is always `active`)."""

    @property
    def state(self) -> str:
        nat = self.nat_gateway
        return "blackhole" if nat is not None and nat.state in ("deleted", "failed") else "active"


def _routes_for(call: Call) -> list[Any]:
    table = backend(call.account, call.region).get_route_table(call.params.get("RouteTableId"))
    destination = call.params.get("DestinationCidrBlock") or call.params.get("DestinationIpv6CidrBlock")
    return [r for r in table._routes.values() if destination in (r.destination_cidr_block, r.destination_ipv6_cidr_block)]


def _transit_gateway_target(call: Call) -> Callable[[], None] | None:
    tgw_id = call.params.get("TransitGatewayId")
    if not tgw_id:
        return None
    found = find_transit_gateway(call, tgw_id)
    if found is None or found[0].state not in ("available", "modifying"):
        raise AwsError("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw_id}' does not exist.")
    tgw, owner = found
    if owner.account_id == call.account:
        return None

    def attach_shared_target() -> None:
        # moto looked the TGW up in the caller's account only and left the target empty.
        for route in _routes_for(call):
            route.transit_gateway = tgw

    return attach_shared_target


def _nat_gateway_target(call: Call) -> Callable[[], None] | None:
    nat_id = call.params.get("NatGatewayId")
    if not nat_id:
        return None
    nat = find_nat_gateway(call, nat_id)
    if nat is None or nat.state not in ("pending", "available"):
        raise AwsError("InvalidNatGatewayID.NotFound", f"The natGateway ID '{nat_id}' does not exist")

    def follow_nat_state() -> None:
        for route in _routes_for(call):
            if route.nat_gateway is nat:
                route.__class__ = NatGatewayRoute

    return follow_nat_state


def _checked_route(call: Call) -> Delegate:
    follow_ups = [f for f in (_transit_gateway_target(call), _nat_gateway_target(call)) if f is not None]
    if not follow_ups:
        return Delegate()

    def after() -> None:
        for follow_up in follow_ups:
            follow_up()

    return Delegate(after)


@handles("ec2", "CreateRoute")
def create_route(call: Call) -> Any:
    return _checked_route(call)


@handles("ec2", "ReplaceRoute")
def replace_route(call: Call) -> Any:
    return _checked_route(call)
