"""Transit gateways and their attachments, served by the extension on top of moto's models.

moto keeps the objects (so CreateTags, DescribeTags, RAM and VPN code keep seeing them), but its
handlers for these actions are wrong in ways the provider notices, so the extension serves them:

* states: moto creates everything `available` at once and deletes by forgetting; here a TGW goes
  `pending → available`, `modifying → available`, `deleting → deleted` (and stays visible as
  `deleted`), an attachment `pending → [pendingAcceptance →] available`, `modifying`, `deleting →
  deleted`, with the configured delays;
* DeleteTransitGateway fails with `IncorrectState` while attachments are not fully deleted, and
  unknown IDs give `InvalidTransitGatewayID.NotFound` (moto: HTTP 500 or an empty list);
* DescribeTransitGatewayAttachments/VpcAttachments honour every documented filter, `tag:` filters
  included (moto ignored most and returned everything), and VpcAttachments lists VPC ones only;
* CreateTransitGatewayVpcAttachment keeps its tags (moto read the wrong resource type), checks
  subnets (one per AZ, same VPC) and the TGW's state, and honours the TGW's default route table
  association/propagation options;
* RAM-shared TGWs are visible to and attachable from the accounts they are shared with, once the
  share is associated and `ram_share.propagation` has passed (`InvalidTransitGatewayID.NotFound`
  before, as users meet it on AWS); only the owner may modify or delete them or attach VPNs;
* cross-account attachments are listed in both accounts, wait in `pendingAcceptance` unless the
  TGW auto-accepts, and only the TGW owner accepts or rejects them; either side may delete them;
* tags are per account, as on AWS: each side of a shared TGW or attachment sees only the tags
  it set itself (moto keeps a tag store per account, so reads pick the caller's);
* CreateVpnConnection keeps the connection's options (moto dropped them, so StaticRoutesOnly was
  never reported) and gives its TGW attachment the same lifecycle.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachment, TransitGatewayVpcAttachment
from moto.ec2.models.transit_gateway_route_tables import RouteTableAssociation, RouteTablePropagation

from .. import ec2_filters
from ..errors import AwsError
from ..pagination import page
from . import Call, handles

GONE_ATTACHMENT_STATES = ("deleted", "failed", "rejected")


# ---------------------------------------------------------------------------------------------
# Lookups shared with the route table, VPC route, RAM and Direct Connect modules


def backend(account: str, region: str) -> Any:
    return ec2_backends[account][region]


def tags_of(resource: Any) -> dict[str, str]:
    """Tags of a resource as its own account sees them."""
    return {t["key"]: t["value"] for t in resource.get_tags()}


def tags_seen_by(viewer: Any, resource: Any) -> dict[str, str]:
    """Tags of a resource as the account of backend `viewer` sees them: on AWS, the owner and
    the accounts a TGW is shared with tag it (and the attachments between them) separately."""
    return dict(viewer.tags.get(resource.id) or {})


def viewer_of(call: Call) -> Any:
    return backend(call.account, call.region)


def find_transit_gateway(call: Call, tgw_id: str) -> tuple[Any, Any] | None:
    """(TGW, owner backend) for a TGW the caller owns or that is RAM-shared with it."""
    own = backend(call.account, call.region)
    if tgw_id in own.transit_gateways:
        return own.transit_gateways[tgw_id], own
    from .ram import shared_resource_arns

    for arn in shared_resource_arns(call.world, call.account, call.region):
        if arn.endswith(f":transit-gateway/{tgw_id}"):
            owner_account = arn.split(":")[4]
            owner = backend(owner_account, call.region)
            if tgw_id in owner.transit_gateways:
                return owner.transit_gateways[tgw_id], owner
    return None


def require_transit_gateway(call: Call, tgw_id: str | None, *, available: bool = True) -> tuple[Any, Any]:
    found = find_transit_gateway(call, tgw_id or "") if tgw_id else None
    if found is None or found[0].state == "deleted":
        raise AwsError("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw_id} was deleted or does not exist.")
    if available and found[0].state != "available":
        raise AwsError("IncorrectState", f"{tgw_id} is in invalid state {found[0].state}.")
    return found


def require_attachment(call: Call, attachment_id: str | None) -> Any:
    attachments = backend(call.account, call.region).transit_gateway_attachments
    attachment = attachments.get(attachment_id or "")
    if attachment is None or attachment.state == "deleted":
        raise AwsError(
            "InvalidTransitGatewayAttachmentID.NotFound",
            f"Transit Gateway Attachment {attachment_id} was deleted or does not exist.",
        )
    return attachment


def owner_backend_of(attachment: Any) -> Any:
    """The backend of the TGW an attachment belongs to (may be another account's)."""
    owner = getattr(attachment, "emulator_tgw_owner", None) or attachment.ec2_backend.account_id
    return backend(owner, attachment.ec2_backend.region_name)


def attachment_backends(attachment: Any) -> list[Any]:
    """Every backend that lists an attachment: the resource owner's and the TGW owner's."""
    first = attachment.ec2_backend
    second = owner_backend_of(attachment)
    return [first] if first is second else [first, second]


# ---------------------------------------------------------------------------------------------
# Renderings in the API's shapes


def _absent_if_empty(items: list[Any]) -> list[Any] | None:
    return items or None


def tgw_shape(tgw: Any, viewer: Any) -> dict[str, Any]:
    options = tgw.options
    return {
        "TransitGatewayId": tgw.id,
        "TransitGatewayArn": tgw.arn,
        "State": tgw.state,
        "OwnerId": tgw.owner_id,
        "Description": tgw.description,
        "CreationTime": tgw._created_at,
        "Options": {
            "AmazonSideAsn": int(options.get("AmazonSideAsn", 64512)),
            "TransitGatewayCidrBlocks": _absent_if_empty(list(options.get("TransitGatewayCidrBlocks") or [])),
            "AutoAcceptSharedAttachments": options.get("AutoAcceptSharedAttachments"),
            "DefaultRouteTableAssociation": options.get("DefaultRouteTableAssociation"),
            "AssociationDefaultRouteTableId": options.get("AssociationDefaultRouteTableId"),
            "DefaultRouteTablePropagation": options.get("DefaultRouteTablePropagation"),
            "PropagationDefaultRouteTableId": options.get("PropagationDefaultRouteTableId"),
            "VpnEcmpSupport": options.get("VpnEcmpSupport"),
            "DnsSupport": options.get("DnsSupport"),
            "SecurityGroupReferencingSupport": options.get("SecurityGroupReferencingSupport", "disable"),
            "MulticastSupport": options.get("MulticastSupport"),
        },
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_seen_by(viewer, tgw))),
    }


def vpc_attachment_shape(attachment: Any, viewer: Any) -> dict[str, Any]:
    return {
        "TransitGatewayAttachmentId": attachment.id,
        "TransitGatewayId": attachment.transit_gateway_id,
        "VpcId": attachment.vpc_id,
        "VpcOwnerId": attachment.resource_owner_id,
        "State": attachment.state,
        "SubnetIds": list(attachment.subnet_ids),
        "CreationTime": attachment._created_at,
        "Options": dict(attachment.options),
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_seen_by(viewer, attachment))),
    }


def association_of(attachment: Any) -> dict[str, Any] | None:
    table = attachment.transit_gateway_route_table
    if table is None or attachment.state in GONE_ATTACHMENT_STATES:
        return None
    return {"TransitGatewayRouteTableId": table.id, "State": "associated"}


def tgw_owner_of(attachment: Any) -> str:
    return getattr(attachment, "emulator_tgw_owner", None) or attachment.ec2_backend.account_id


def attachment_shape(attachment: Any, viewer: Any) -> dict[str, Any]:
    return {
        "TransitGatewayAttachmentId": attachment.id,
        "TransitGatewayId": attachment.transit_gateway_id,
        "TransitGatewayOwnerId": tgw_owner_of(attachment),
        "ResourceOwnerId": attachment.resource_owner_id,
        "ResourceType": attachment.resource_type,
        "ResourceId": attachment.resource_id,
        "State": attachment.state,
        "Association": association_of(attachment),
        "CreationTime": attachment._created_at,
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_seen_by(viewer, attachment))),
    }


# ---------------------------------------------------------------------------------------------
# Validation helpers


def _validate_asn(asn: Any) -> int:
    try:
        value = int(asn)
    except (TypeError, ValueError):
        raise AwsError("InvalidParameterValue", f"AmazonSideAsn {asn!r} is not a number.") from None
    if not (64512 <= value <= 65534 or 4200000000 <= value <= 4294967294):
        raise AwsError(
            "InvalidParameterValue",
            f"AmazonSideAsn {value} is invalid: use 64512-65534 or 4200000000-4294967294.",
        )
    return value


def _validate_cidr_blocks(blocks: list[str]) -> list[str]:
    if len(blocks) > 5:
        raise AwsError("InvalidParameterValue", "A transit gateway can have at most 5 CIDR blocks.")
    for block in blocks:
        try:
            network = ipaddress.ip_network(block, strict=True)
        except ValueError:
            raise AwsError("InvalidParameterValue", f"Transit gateway CIDR block {block} is not a valid CIDR.") from None
        if network.version == 4 and (network.prefixlen > 24 or network.subnet_of(ipaddress.ip_network("169.254.0.0/16"))):
            raise AwsError("InvalidParameterValue", f"Transit gateway CIDR block {block} must be /24 or larger and outside 169.254.0.0/16.")
        if network.version == 6 and network.prefixlen > 64:
            raise AwsError("InvalidParameterValue", f"Transit gateway CIDR block {block} must be /64 or larger.")
    return blocks


def _set_state(obj: Any):
    return lambda state: setattr(obj, "state", state)


# ---------------------------------------------------------------------------------------------
# Transit gateways


@handles("ec2", "CreateTransitGateway")
def create_transit_gateway(call: Call) -> dict[str, Any]:
    params = call.params
    requested = dict(params.get("Options") or {})
    options: dict[str, Any] = {k: v for k, v in requested.items() if v is not None}
    options["AmazonSideAsn"] = str(_validate_asn(requested.get("AmazonSideAsn", 64512)))
    options["TransitGatewayCidrBlocks"] = _validate_cidr_blocks(list(requested.get("TransitGatewayCidrBlocks") or []))
    tags = ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "transit-gateway")
    be = backend(call.account, call.region)
    tgw = be.create_transit_gateway(
        description=params.get("Description"),
        options=options,
        tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    tgw.options.setdefault("SecurityGroupReferencingSupport", "disable")
    if tgw.options.get("DefaultRouteTableAssociation") == "disable" and tgw.options.get("DefaultRouteTablePropagation") == "disable":
        # AWS creates no default route table when neither default is used.
        be.transit_gateways_route_tables.pop(tgw.default_route_table.id, None)
        tgw.options.pop("AssociationDefaultRouteTableId", None)
        tgw.options.pop("PropagationDefaultRouteTableId", None)
    call.world.scheduler.phases(
        tgw, _set_state(tgw), [("pending", call.world.settings.delay("transit_gateway.pending"))], lambda: _set_state(tgw)("available")
    )
    return {"TransitGateway": tgw_shape(tgw, be)}


TGW_FILTERS = {
    "transit-gateway-id": lambda t: t.id,
    "state": lambda t: t.state,
    "owner-id": lambda t: t.owner_id,
    "options.amazon-side-asn": lambda t: t.options.get("AmazonSideAsn"),
    "options.auto-accept-shared-attachments": lambda t: t.options.get("AutoAcceptSharedAttachments"),
    "options.default-route-table-association": lambda t: t.options.get("DefaultRouteTableAssociation"),
    "options.default-route-table-propagation": lambda t: t.options.get("DefaultRouteTablePropagation"),
    "options.association-default-route-table-id": lambda t: t.options.get("AssociationDefaultRouteTableId"),
    "options.propagation-default-route-table-id": lambda t: t.options.get("PropagationDefaultRouteTableId"),
    "options.dns-support": lambda t: t.options.get("DnsSupport"),
    "options.vpn-ecmp-support": lambda t: t.options.get("VpnEcmpSupport"),
}


def visible_transit_gateways(call: Call) -> list[Any]:
    """The caller's TGWs plus those RAM-shared with it, once usable (after acceptance or the
    Organization association, and `ram_share.propagation`); another account's deleted TGW is
    not listed."""
    from .ram import shared_resource_arns

    found = list(backend(call.account, call.region).transit_gateways.values())
    for arn in shared_resource_arns(call.world, call.account, call.region):
        if ":transit-gateway/" in arn:
            owner = backend(arn.split(":")[4], call.region)
            tgw = owner.transit_gateways.get(arn.rsplit("/", 1)[-1])
            if tgw is not None and tgw.state != "deleted" and tgw not in found:
                found.append(tgw)
    return found


@handles("ec2", "DescribeTransitGateways")
def describe_transit_gateways(call: Call) -> dict[str, Any]:
    params = call.params
    tgws = visible_transit_gateways(call)
    ids = params.get("TransitGatewayIds") or []
    if ids:
        known = {t.id for t in tgws}
        for tgw_id in ids:
            if tgw_id not in known:
                raise AwsError("InvalidTransitGatewayID.NotFound", f"The transitGateway ID '{tgw_id}' does not exist")
        tgws = [t for t in tgws if t.id in ids]
    viewer = viewer_of(call)
    tgws = ec2_filters.select(tgws, params.get("Filters"), TGW_FILTERS, lambda t: tags_seen_by(viewer, t))
    chunk, token = page(tgws, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[ids, params.get("Filters")], minimum=5)
    return {"TransitGateways": [tgw_shape(t, viewer) for t in chunk], "NextToken": token}


@handles("ec2", "ModifyTransitGateway")
def modify_transit_gateway(call: Call) -> dict[str, Any]:
    params = call.params
    be = backend(call.account, call.region)
    tgw = be.transit_gateways.get(params.get("TransitGatewayId") or "")
    if tgw is None or tgw.state == "deleted":
        raise AwsError("InvalidTransitGatewayID.NotFound", f"Transit Gateway {params.get('TransitGatewayId')} was deleted or does not exist.")
    if tgw.state != "available":
        raise AwsError("IncorrectState", f"{tgw.id} is in invalid state {tgw.state}.")
    options = dict(params.get("Options") or {})
    blocks = list(tgw.options.get("TransitGatewayCidrBlocks") or [])
    for block in options.pop("AddTransitGatewayCidrBlocks", None) or []:
        if block not in blocks:
            blocks.append(block)
    removed = options.pop("RemoveTransitGatewayCidrBlocks", None) or []
    blocks = _validate_cidr_blocks([b for b in blocks if b not in removed])
    if "AmazonSideAsn" in options:
        options["AmazonSideAsn"] = str(_validate_asn(options["AmazonSideAsn"]))
    for key in ("AssociationDefaultRouteTableId", "PropagationDefaultRouteTableId"):
        if key in options and options[key] not in be.transit_gateways_route_tables:
            raise AwsError("InvalidRouteTableID.NotFound", f"The transitGatewayRouteTable ID '{options[key]}' does not exist")
    tgw.options.update({k: v for k, v in options.items() if v is not None})
    tgw.options["TransitGatewayCidrBlocks"] = blocks
    if params.get("Description") is not None:
        tgw.description = params["Description"]
    call.world.scheduler.phases(
        tgw, _set_state(tgw), [("modifying", call.world.settings.delay("transit_gateway.modifying"))], lambda: _set_state(tgw)("available")
    )
    return {"TransitGateway": tgw_shape(tgw, be)}


@handles("ec2", "DeleteTransitGateway")
def delete_transit_gateway(call: Call) -> dict[str, Any]:
    tgw_id = call.params.get("TransitGatewayId")
    be = backend(call.account, call.region)
    tgw = be.transit_gateways.get(tgw_id or "")
    if tgw is None or tgw.state == "deleted":
        raise AwsError("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw_id} was deleted or does not exist.")
    if tgw.state != "available":
        raise AwsError("IncorrectState", f"{tgw.id} is in invalid state {tgw.state}.")
    blocking = [
        a.id for a in be.transit_gateway_attachments.values() if a.transit_gateway_id == tgw.id and a.state not in GONE_ATTACHMENT_STATES
    ]
    if blocking:
        raise AwsError(
            "IncorrectState",
            f"{tgw.id} has non-deleted Transit Gateway Attachments: {', '.join(sorted(blocking))}.",
        )

    def finish() -> None:
        tgw.state = "deleted"
        for table in be.transit_gateways_route_tables.values():
            if table.transit_gateway_id == tgw.id:
                table.state = "deleted"

    call.world.scheduler.phases(tgw, _set_state(tgw), [("deleting", call.world.settings.delay("transit_gateway.deleting"))], finish)
    return {"TransitGateway": tgw_shape(tgw, be)}


# ---------------------------------------------------------------------------------------------
# Attachments


def start_attachment_lifecycle(
    call: Call, attachment: Any, tgw: Any, pending_key: str, *, cross_account: bool, on_available: Callable[[], None] | None = None
) -> None:
    """Default association/propagation per the TGW's options, then pending → … → available.

    `on_available` runs when the attachment becomes available (after acceptance if needed),
    for owners that follow it (a Client VPN endpoint becomes `available` then)."""
    owner = owner_backend_of(attachment)
    settings = call.world.settings
    steps = [("pending", settings.delay(pending_key))]
    needs_acceptance = cross_account and tgw.options.get("AutoAcceptSharedAttachments") != "enable"
    if needs_acceptance:
        steps.append(("pendingAcceptance", float("inf")))
    elif pending_key == "vpc_attachment.pending" and settings.phase_enabled("vpc_attachment.pendingAcceptance"):
        steps.append(("pendingAcceptance", settings.delay("vpc_attachment.pendingAcceptance")))

    def become_available() -> None:
        attachment.state = "available"
        apply_default_route_tables(owner, tgw, attachment)
        if on_available is not None:
            on_available()

    attachment.transit_gateway_route_table = None
    if needs_acceptance:
        # Stays in pendingAcceptance until AcceptTransitGatewayVpcAttachment by the TGW owner.
        attachment.emulator_on_accept = become_available
        call.world.scheduler.phases(attachment, _set_state(attachment), steps[:1], lambda: _set_state(attachment)("pendingAcceptance"))
    else:
        call.world.scheduler.phases(attachment, _set_state(attachment), steps, become_available)


def apply_default_route_tables(owner: Any, tgw: Any, attachment: Any) -> None:
    options = tgw.options
    if options.get("DefaultRouteTableAssociation") == "enable":
        table = owner.transit_gateways_route_tables.get(options.get("AssociationDefaultRouteTableId") or "")
        if table is not None and table.state != "deleted":
            attachment.transit_gateway_route_table = table
            table.route_table_associations[attachment.id] = RouteTableAssociation(
                attachment.resource_id, attachment.resource_type, "associated", attachment.id
            )
    if options.get("DefaultRouteTablePropagation") == "enable":
        table = owner.transit_gateways_route_tables.get(options.get("PropagationDefaultRouteTableId") or "")
        if table is not None and table.state != "deleted":
            if all(p.transitGatewayAttachmentId != attachment.id for p in table.route_table_propagation):
                table.route_table_propagation.append(
                    RouteTablePropagation(attachment.resource_id, attachment.resource_type, "enabled", attachment.id)
                )


def detach_from_route_tables(attachment: Any) -> None:
    """On deletion: drop associations and propagations; static routes to it become blackholes."""
    owner = owner_backend_of(attachment)
    attachment.transit_gateway_route_table = None
    for table in owner.transit_gateways_route_tables.values():
        table.route_table_associations.pop(attachment.id, None)
        table.route_table_propagation = [p for p in table.route_table_propagation if p.transitGatewayAttachmentId != attachment.id]
        for route in getattr(table, "emulator_routes", {}).values():
            if any(a["TransitGatewayAttachmentId"] == attachment.id for a in route["TransitGatewayAttachments"]):
                route["State"] = "blackhole"
                route["TransitGatewayAttachments"] = []


def _validate_subnets(be: Any, vpc_id: str, subnet_ids: list[str], existing: list[str] | None = None) -> None:
    zones: dict[str, str] = {}
    for subnet_id in list(existing or []) + list(subnet_ids):
        subnet = be.get_subnet(subnet_id)
        if subnet.vpc_id != vpc_id:
            raise AwsError("InvalidParameterValue", f"Subnet {subnet_id} does not belong to VPC {vpc_id}.")
        zone = subnet.availability_zone
        if zone in zones and zones[zone] != subnet_id:
            raise AwsError("DuplicateSubnetsInSameZone", f"Duplicate Subnets for same AZ: {zones[zone]} and {subnet_id} are both in {zone}.")
        zones[zone] = subnet_id


@handles("ec2", "CreateTransitGatewayVpcAttachment")
def create_vpc_attachment(call: Call) -> dict[str, Any]:
    params = call.params
    be = backend(call.account, call.region)
    tgw, owner = require_transit_gateway(call, params.get("TransitGatewayId"))
    vpc_id = params.get("VpcId") or ""
    be.get_vpc(vpc_id)
    subnet_ids = list(params.get("SubnetIds") or [])
    if not subnet_ids:
        raise AwsError("MissingParameter", "The request must contain the parameter SubnetIds.")
    _validate_subnets(be, vpc_id, subnet_ids)
    for other in be.transit_gateway_attachments.values():
        if (
            other.resource_type == "vpc"
            and other.transit_gateway_id == tgw.id
            and other.resource_id == vpc_id
            and other.state not in GONE_ATTACHMENT_STATES
        ):
            raise AwsError(
                "DuplicateTransitGatewayAttachment",
                f"{tgw.id} has non-deleted Transit Gateway Attachments with same VPC ID.",
            )
    tags = ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "transit-gateway-attachment")
    attachment = TransitGatewayVpcAttachment(
        be, transit_gateway=tgw, vpc_id=vpc_id, subnet_ids=subnet_ids, tags=tags, options=dict(params.get("Options") or {})
    )
    attachment.emulator_tgw_owner = owner.account_id
    be.transit_gateway_attachments[attachment.id] = attachment
    if owner is not be:
        owner.transit_gateway_attachments[attachment.id] = attachment
    start_attachment_lifecycle(call, attachment, tgw, "vpc_attachment.pending", cross_account=owner is not be)
    return {"TransitGatewayVpcAttachment": vpc_attachment_shape(attachment, viewer_of(call))}


VPC_ATTACHMENT_FILTERS = {
    "state": lambda a: a.state,
    "transit-gateway-attachment-id": lambda a: a.id,
    "transit-gateway-id": lambda a: a.transit_gateway_id,
    "vpc-id": lambda a: a.resource_id,
}

ATTACHMENT_FILTERS = {
    "association.state": lambda a: (association_of(a) or {}).get("State"),
    "association.transit-gateway-route-table-id": lambda a: (association_of(a) or {}).get("TransitGatewayRouteTableId"),
    "resource-id": lambda a: a.resource_id,
    "resource-owner-id": lambda a: a.resource_owner_id,
    "resource-type": lambda a: a.resource_type,
    "state": lambda a: a.state,
    "transit-gateway-attachment-id": lambda a: a.id,
    "transit-gateway-id": lambda a: a.transit_gateway_id,
    "transit-gateway-owner-id": tgw_owner_of,
}


def _listed_attachments(call: Call, ids: list[str], kind: str | None) -> list[Any]:
    attachments = [a for a in backend(call.account, call.region).transit_gateway_attachments.values() if kind is None or a.resource_type == kind]
    if ids:
        known = {a.id for a in attachments}
        for attachment_id in ids:
            if attachment_id not in known:
                raise AwsError("InvalidTransitGatewayAttachmentID.NotFound", f"Transit Gateway Attachment {attachment_id} was deleted or does not exist.")
        attachments = [a for a in attachments if a.id in ids]
    return attachments


@handles("ec2", "DescribeTransitGatewayVpcAttachments")
def describe_vpc_attachments(call: Call) -> dict[str, Any]:
    params = call.params
    ids = params.get("TransitGatewayAttachmentIds") or []
    viewer = viewer_of(call)
    attachments = ec2_filters.select(_listed_attachments(call, ids, "vpc"), params.get("Filters"), VPC_ATTACHMENT_FILTERS, lambda a: tags_seen_by(viewer, a))
    chunk, token = page(attachments, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[ids, params.get("Filters")], minimum=5)
    return {"TransitGatewayVpcAttachments": [vpc_attachment_shape(a, viewer) for a in chunk], "NextToken": token}


@handles("ec2", "DescribeTransitGatewayAttachments")
def describe_attachments(call: Call) -> dict[str, Any]:
    params = call.params
    ids = params.get("TransitGatewayAttachmentIds") or []
    viewer = viewer_of(call)
    attachments = ec2_filters.select(_listed_attachments(call, ids, None), params.get("Filters"), ATTACHMENT_FILTERS, lambda a: tags_seen_by(viewer, a))
    chunk, token = page(attachments, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[ids, params.get("Filters")], minimum=5)
    return {"TransitGatewayAttachments": [attachment_shape(a, viewer) for a in chunk], "NextToken": token}


def _require_vpc_attachment(call: Call) -> Any:
    attachment = require_attachment(call, call.params.get("TransitGatewayAttachmentId"))
    if attachment.resource_type != "vpc":
        raise AwsError("InvalidTransitGatewayAttachmentID.NotFound", f"{attachment.id} is not a VPC attachment.")
    return attachment


@handles("ec2", "ModifyTransitGatewayVpcAttachment")
def modify_vpc_attachment(call: Call) -> dict[str, Any]:
    params = call.params
    attachment = _require_vpc_attachment(call)
    if attachment.state != "available":
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")
    be = attachment.ec2_backend
    remove = list(params.get("RemoveSubnetIds") or [])
    add = list(params.get("AddSubnetIds") or [])
    for subnet_id in remove:
        if subnet_id not in attachment.subnet_ids:
            raise AwsError("InvalidParameterValue", f"Subnet {subnet_id} is not part of attachment {attachment.id}.")
    remaining = [s for s in attachment.subnet_ids if s not in remove]
    _validate_subnets(be, attachment.vpc_id, [s for s in add if s not in remaining], remaining)
    new_subnets = remaining + [s for s in add if s not in remaining]
    if not new_subnets:
        raise AwsError("InvalidParameterValue", "A VPC attachment needs at least one subnet.")
    attachment.subnet_ids = new_subnets
    attachment.options.update({k: v for k, v in (params.get("Options") or {}).items() if v is not None})
    call.world.scheduler.phases(
        attachment,
        _set_state(attachment),
        [("modifying", call.world.settings.delay("vpc_attachment.modifying"))],
        lambda: _set_state(attachment)("available"),
    )
    return {"TransitGatewayVpcAttachment": vpc_attachment_shape(attachment, viewer_of(call))}


@handles("ec2", "DeleteTransitGatewayVpcAttachment")
def delete_vpc_attachment(call: Call) -> dict[str, Any]:
    attachment = _require_vpc_attachment(call)
    if attachment.state in ("deleting", "pending", "modifying"):
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")

    def finish() -> None:
        attachment.state = "deleted"
        detach_from_route_tables(attachment)

    call.world.scheduler.phases(attachment, _set_state(attachment), [("deleting", call.world.settings.delay("vpc_attachment.deleting"))], finish)
    return {"TransitGatewayVpcAttachment": vpc_attachment_shape(attachment, viewer_of(call))}


def _pending_acceptance(call: Call, verb: str) -> Any:
    """The attachment the TGW owner answers. The requesting (resource owner) side gets
    `InvalidParameterValue`, the code AWS gives for accepting a TGW peering attachment from its
    requesting side; an account that sees no such attachment gets `…NotFound`."""
    attachment = require_attachment(call, call.params.get("TransitGatewayAttachmentId"))
    if owner_backend_of(attachment).account_id != call.account:
        raise AwsError(
            "InvalidParameterValue",
            f"Cannot {verb} {attachment.id} as the source of the attachment request; only the transit gateway owner "
            f"{tgw_owner_of(attachment)} can {verb} it.",
        )
    if attachment.state != "pendingAcceptance":
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")
    return attachment


@handles("ec2", "AcceptTransitGatewayVpcAttachment")
def accept_vpc_attachment(call: Call) -> dict[str, Any]:
    attachment = _pending_acceptance(call, "accept")
    on_accept = getattr(attachment, "emulator_on_accept", None) or (lambda: _set_state(attachment)("available"))
    call.world.scheduler.phases(attachment, _set_state(attachment), [("pending", call.world.settings.delay("vpc_attachment.pending"))], on_accept)
    return {"TransitGatewayVpcAttachment": vpc_attachment_shape(attachment, viewer_of(call))}


@handles("ec2", "RejectTransitGatewayVpcAttachment")
def reject_vpc_attachment(call: Call) -> dict[str, Any]:
    """`rejecting → rejected`; with `vpc_attachment.rejected` set, `deleted` after that many
    seconds (AWS removes rejected attachments after a while)."""
    attachment = _pending_acceptance(call, "reject")
    settings = call.world.settings
    steps = [("rejecting", 0.0)]
    finish = lambda: _set_state(attachment)("rejected")  # noqa: E731
    if settings.phase_enabled("vpc_attachment.rejected"):
        steps.append(("rejected", settings.delay("vpc_attachment.rejected")))
        finish = lambda: _set_state(attachment)("deleted")  # noqa: E731
    call.world.scheduler.phases(attachment, _set_state(attachment), steps, finish)
    return {"TransitGatewayVpcAttachment": vpc_attachment_shape(attachment, viewer_of(call))}


def _vpn_options(params: dict[str, Any]) -> dict[str, Any]:
    """The connection options AWS reports back; moto keeps none. Routing is dynamic (BGP)
    unless `StaticRoutesOnly` is asked for."""
    options = params.get("Options") or {}
    return {
        "EnableAcceleration": bool(options.get("EnableAcceleration", False)),
        "StaticRoutesOnly": bool(options.get("StaticRoutesOnly", False)),
        "LocalIpv4NetworkCidr": options.get("LocalIpv4NetworkCidr", "0.0.0.0/0"),
        "RemoteIpv4NetworkCidr": options.get("RemoteIpv4NetworkCidr", "0.0.0.0/0"),
        "TunnelInsideIpVersion": options.get("TunnelInsideIpVersion", "ipv4"),
    }


def vpn_connection_shape(vpn: Any) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "CustomerGatewayConfiguration": vpn.customer_gateway_configuration,
        "CustomerGatewayId": vpn.customer_gateway_id,
        "Category": "VPN",
        "State": vpn.state,
        "Type": vpn.type,
        "VpnConnectionId": vpn.id,
        "Options": vpn.options,
        "Tags": ec2_filters.tag_list(tags_of(vpn)),
    }
    if vpn.vpn_gateway_id:
        shape["VpnGatewayId"] = vpn.vpn_gateway_id
    if vpn.transit_gateway_id:
        shape["TransitGatewayId"] = vpn.transit_gateway_id
    return shape


@handles("ec2", "CreateVpnConnection")
def create_vpn_connection(call: Call) -> dict[str, Any]:
    """moto drops the connection's options (StaticRoutesOnly among them) and creates the TGW's
    VPN attachment `available` and unassociated: keep the options, give the attachment a
    lifecycle. DescribeVpnConnections stays moto's, which reports the options kept here."""
    params = call.params
    be = backend(call.account, call.region)
    tgw_id = params.get("TransitGatewayId")
    tgw = require_transit_gateway(call, tgw_id)[0] if tgw_id else None
    if tgw is not None and tgw.owner_id != call.account:
        # Accounts a TGW is shared with attach VPCs only; VPN attachments are the owner's.
        raise AwsError("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw_id} was deleted or does not exist.")
    tags = ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "vpn-connection")
    vpn = be.create_vpn_connection(
        params.get("Type"),
        params.get("CustomerGatewayId"),
        vpn_gateway_id=params.get("VpnGatewayId"),
        transit_gateway_id=tgw_id,
        tags=tags,
    )
    vpn.options = _vpn_options(params)
    if tgw is not None:
        attachment = be.create_transit_gateway_vpn_attachment(vpn_id=vpn.id, transit_gateway_id=tgw.id)
        start_attachment_lifecycle(call, attachment, tgw, "vpn_attachment.pending", cross_account=False)
    return {"VpnConnection": vpn_connection_shape(vpn)}


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {
        "transit_gateways": [],
        "transit_gateway_attachments": [],
        "transit_gateway_route_tables": [],
        "vpc_routes_to_transit_gateways": [],
    }
    if account not in ec2_backends.keys():
        return result
    from .tgw_route_tables import routes_of

    for region_name, be in list(ec2_backends[account].items()):
        if region and region_name != region:
            continue
        for tgw in be.transit_gateways.values():
            if tgw.state != "deleted":
                result["transit_gateways"].append({"id": tgw.id, "region": region_name, "state": tgw.state, "tags": tags_seen_by(be, tgw)})
        for attachment in be.transit_gateway_attachments.values():
            if attachment.state not in GONE_ATTACHMENT_STATES:
                result["transit_gateway_attachments"].append(
                    {
                        "id": attachment.id,
                        "region": region_name,
                        "transit_gateway_id": attachment.transit_gateway_id,
                        "transit_gateway_owner_id": tgw_owner_of(attachment),
                        "resource_owner_id": attachment.resource_owner_id,
                        "resource_type": attachment.resource_type,
                        "resource_id": attachment.resource_id,
                        "state": attachment.state,
                        "tags": tags_seen_by(be, attachment),
                    }
                )
        for table in be.transit_gateways_route_tables.values():
            if table.state != "deleted":
                result["transit_gateway_route_tables"].append(
                    {
                        "id": table.id,
                        "region": region_name,
                        "transit_gateway_id": table.transit_gateway_id,
                        "state": table.state,
                        "tags": tags_of(table),
                        "routes": [
                            {
                                "destination": r["DestinationCidrBlock"],
                                "type": r["Type"],
                                "state": r["State"],
                                "attachment_ids": [a["TransitGatewayAttachmentId"] for a in r["TransitGatewayAttachments"]],
                            }
                            for r in routes_of(table)
                        ],
                    }
                )
        for route_table in be.route_tables.values():
            for route in route_table._routes.values():
                if getattr(route, "transit_gateway", None) is not None:
                    result["vpc_routes_to_transit_gateways"].append(
                        {
                            "route_table_id": route_table.id,
                            "region": region_name,
                            "vpc_id": route_table.vpc_id,
                            "destination": route.destination_cidr_block or route.destination_ipv6_cidr_block,
                            "transit_gateway_id": route.transit_gateway.id,
                            "transit_gateway_owner_id": route.transit_gateway.owner_id,
                        }
                    )
    return result
