"""Client VPN endpoints attached to a transit gateway (CreateClientVpnEndpoint's
`TransitGatewayConfiguration`, AWS 2026) and their `client-vpn` TGW attachments.

Such an endpoint has no VPC and no subnet associations; AWS creates a TGW attachment of resource
type `client-vpn` for it. What the emulator does, from the EC2 API model and the Transit Gateway
guide ("Client VPN attachments"):

* the TGW must exist (`InvalidTransitGatewayID.NotFound`; a RAM-shared TGW counts), be
  `available` (`IncorrectState`) and have a CIDR block — the guide requires "an assigned IPv4 or
  IPv6 CIDR block"; neither it nor the model names the error, so the emulator answers
  `InvalidParameterValue`;
* the attachment follows the rules of VPC attachments: in the TGW owner's account it goes
  `pending → available` (delay `client_vpn_attachment.pending`); from an account the TGW is
  shared with it waits in `pendingAcceptance` unless the TGW auto-accepts shared attachments,
  until the owner calls AcceptTransitGatewayClientVpnAttachment (or Reject…). Once available it
  is associated with / propagates to the TGW's default route tables per the TGW options, and a
  propagation carries the endpoint's client CIDR;
* the endpoint is `pending` until its attachment is available, then `available`;
* the TGW owner may delete the attachment (DeleteTransitGatewayClientVpnAttachment,
  `deleting → deleted`, delay `client_vpn_attachment.deleting`); deleting the endpoint deletes
  its attachment too.

The TransitGatewayClientVpnAttachment shape spells its states `pending-acceptance | pending |
rejected | available | deleting | deleted`; DescribeTransitGatewayAttachments keeps the TGW
attachment spelling (`pendingAcceptance`), as the two enums in the model do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachment

from ..errors import AwsError
from ..wire import iso8601
from . import Call, handles
from .transit_gateways import (
    _pending_acceptance,
    _set_state,
    backend,
    detach_from_route_tables,
    owner_backend_of,
    require_attachment,
    require_transit_gateway,
    start_attachment_lifecycle,
)

RESOURCE_TYPE = "client-vpn"
_SHAPE_STATES = {"pendingAcceptance": "pending-acceptance", "rejecting": "rejected", "failed": "deleted", "failing": "deleting"}


@dataclass(frozen=True)
class Plan:
    """A validated TransitGatewayConfiguration, before the endpoint exists."""

    tgw: Any
    owner: Any
    zones: list[str]
    zone_ids: list[str]


def plan(call: Call, config: dict[str, Any]) -> Plan:
    """Checks the TGW and the Availability Zones of a TransitGatewayConfiguration."""
    tgw_id = config.get("TransitGatewayId")
    if not tgw_id:
        raise AwsError("MissingParameter", "TransitGatewayConfiguration needs a TransitGatewayId.")
    tgw, owner = require_transit_gateway(call, tgw_id)
    if not tgw.options.get("TransitGatewayCidrBlocks"):
        raise AwsError(
            "InvalidParameterValue",
            f"Transit gateway {tgw_id} has no CIDR block. Assign an IPv4 or IPv6 CIDR block (TransitGatewayCidrBlocks) before creating a Client VPN attachment.",
        )
    zones, zone_ids = _availability_zones(call, config)
    return Plan(tgw, owner, zones, zone_ids)


def _availability_zones(call: Call, config: dict[str, Any]) -> tuple[list[str], list[str]]:
    names = list(dict.fromkeys(config.get("AvailabilityZones") or []))
    zone_ids = list(dict.fromkeys(config.get("AvailabilityZoneIds") or []))
    if names and zone_ids:
        raise AwsError("InvalidParameterCombination", "You cannot specify both AvailabilityZones and AvailabilityZoneIds.")
    if not names and not zone_ids:
        raise AwsError("MissingParameter", "TransitGatewayConfiguration needs AvailabilityZones or AvailabilityZoneIds.")
    region_zones = backend(call.account, call.region).describe_availability_zones()
    by_name = {z.name: z.zone_id for z in region_zones}
    by_id = {z.zone_id: z.name for z in region_zones}
    unknown = [n for n in names if n not in by_name] + [i for i in zone_ids if i not in by_id]
    if unknown:
        raise AwsError("InvalidParameterValue", f"Invalid Availability Zone: [{', '.join(unknown)}]")
    if names:
        return names, [by_name[n] for n in names]
    return [by_id[i] for i in zone_ids], zone_ids


def attach(call: Call, endpoint: Any, chosen: Plan) -> Any:
    """Creates the endpoint's `client-vpn` attachment and starts its lifecycle."""
    be = backend(call.account, call.region)
    attachment = TransitGatewayAttachment(be, resource_id=endpoint.endpoint_id, resource_type=RESOURCE_TYPE, transit_gateway=chosen.tgw)
    attachment.emulator_tgw_owner = chosen.owner.account_id
    attachment.emulator_propagated_cidrs = [endpoint.client_cidr_block]
    attachment.emulator_client_vpn_endpoint = endpoint
    be.transit_gateway_attachments[attachment.id] = attachment
    if chosen.owner is not be:
        chosen.owner.transit_gateway_attachments[attachment.id] = attachment
    endpoint.status = "pending"
    start_attachment_lifecycle(
        call,
        attachment,
        chosen.tgw,
        "client_vpn_attachment.pending",
        cross_account=chosen.owner is not be,
        on_available=lambda: setattr(endpoint, "status", "available"),
    )
    return attachment


def _unusable(attachment: Any) -> None:
    """The endpoint can no longer route through its TGW: routes through it go, status resets."""
    endpoint = getattr(attachment, "emulator_client_vpn_endpoint", None)
    if endpoint is not None:
        endpoint.status = "pending-associate"
        endpoint.routes = [r for r in endpoint.routes if r.attachment_id != attachment.id]


def _start_deletion(call: Call, attachment: Any) -> None:
    def finish() -> None:
        attachment.state = "deleted"
        detach_from_route_tables(attachment)

    _unusable(attachment)
    call.world.scheduler.phases(attachment, _set_state(attachment), [("deleting", call.world.settings.delay("client_vpn_attachment.deleting"))], finish)


def detach(call: Call, endpoint: Any) -> None:
    """On DeleteClientVpnEndpoint: the endpoint's attachment is deleted with it."""
    attachment = endpoint.attachment
    if attachment is not None and attachment.state not in ("deleting", "deleted", "rejected"):
        _start_deletion(call, attachment)


def attachment_shape(attachment: Any) -> dict[str, Any]:
    return {
        "TransitGatewayAttachmentId": attachment.id,
        "TransitGatewayId": attachment.transit_gateway_id,
        "ClientVpnEndpointId": attachment.resource_id,
        "ClientVpnOwnerId": attachment.resource_owner_id,
        "State": _SHAPE_STATES.get(attachment.state, attachment.state),
        "CreationTime": iso8601(attachment._created_at),
    }


def _client_vpn_attachment(attachment: Any) -> Any:
    if attachment.resource_type != RESOURCE_TYPE:
        raise AwsError("InvalidTransitGatewayAttachmentID.NotFound", f"{attachment.id} is not a Client VPN attachment.")
    return attachment


@handles("ec2", "AcceptTransitGatewayClientVpnAttachment")
def accept_attachment(call: Call) -> dict[str, Any]:
    attachment = _client_vpn_attachment(_pending_acceptance(call, "accept"))
    on_accept = getattr(attachment, "emulator_on_accept", None) or (lambda: _set_state(attachment)("available"))
    call.world.scheduler.phases(attachment, _set_state(attachment), [("pending", call.world.settings.delay("client_vpn_attachment.pending"))], on_accept)
    return {"TransitGatewayClientVpnAttachment": attachment_shape(attachment)}


@handles("ec2", "RejectTransitGatewayClientVpnAttachment")
def reject_attachment(call: Call) -> dict[str, Any]:
    attachment = _client_vpn_attachment(_pending_acceptance(call, "reject"))
    _unusable(attachment)
    call.world.scheduler.phases(attachment, _set_state(attachment), [("rejecting", 0)], lambda: _set_state(attachment)("rejected"))
    return {"TransitGatewayClientVpnAttachment": attachment_shape(attachment)}


@handles("ec2", "DeleteTransitGatewayClientVpnAttachment")
def delete_attachment(call: Call) -> dict[str, Any]:
    attachment = _client_vpn_attachment(require_attachment(call, call.params.get("TransitGatewayAttachmentId")))
    if owner_backend_of(attachment).account_id != call.account:
        raise AwsError("InvalidTransitGatewayAttachmentID.NotFound", f"{attachment.id} can only be deleted by the transit gateway owner.")
    if attachment.state == "pending":
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")
    if attachment.state != "deleting":
        _start_deletion(call, attachment)
    return {"TransitGatewayClientVpnAttachment": attachment_shape(attachment)}
