"""Transit gateway route tables: associations, propagations and routes, on moto's tables.

moto's versions broke the provider's mesh routing: disassociating the default association
crashed (HTTP 500), an attachment could propagate to one table only, static routes lost their
attachment and silently replaced duplicates, propagated routes did not exist, and
SearchTransitGatewayRoutes crashed on MaxResults. Here:

* association/propagation follow AWS's rules (`Resource.AlreadyAssociated`, `IncorrectState`
  while the attachment is not `available`, one association per attachment, many propagations);
* propagated routes are derived from each propagating VPC attachment's CIDR blocks, with static
  routes taking precedence for the same prefix;
* a second static route for a prefix gives `RouteAlreadyExists`; ReplaceTransitGatewayRoute
  changes it in place;
* search supports the documented filters, at most 1,000 results, `AdditionalRoutesAvailable`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from moto.ec2.models.transit_gateway_route_tables import RouteTableAssociation, RouteTablePropagation

from .. import ec2_filters
from ..errors import AwsError
from ..pagination import page
from . import Call, handles
from .transit_gateways import (
    GONE_ATTACHMENT_STATES,
    _absent_if_empty,
    _set_state,
    backend,
    require_attachment,
    require_transit_gateway,
    tags_of,
)

SEARCH_LIMIT = 1000


def _table_shape(table: Any) -> dict[str, Any]:
    return {
        "TransitGatewayRouteTableId": table.id,
        "TransitGatewayId": table.transit_gateway_id,
        "State": table.state,
        "DefaultAssociationRouteTable": table.default_association_route_table,
        "DefaultPropagationRouteTable": table.default_propagation_route_table,
        "CreationTime": table._created_at,
        "Tags": _absent_if_empty(ec2_filters.tag_list(tags_of(table))),
    }


def _require_table(call: Call, table_id: str | None, *, available: bool = False) -> Any:
    table = backend(call.account, call.region).transit_gateways_route_tables.get(table_id or "")
    if table is None or table.state == "deleted":
        raise AwsError("InvalidRouteTableID.NotFound", f"Transit Gateway Route Table {table_id} was deleted or does not exist.")
    if available and table.state != "available":
        raise AwsError("IncorrectState", f"{table.id} is in invalid state {table.state}.")
    return table


def _require_usable_attachment(call: Call, table: Any) -> Any:
    attachment = require_attachment(call, call.params.get("TransitGatewayAttachmentId"))
    if attachment.transit_gateway_id != table.transit_gateway_id:
        raise AwsError(
            "InvalidTransitGatewayAttachmentID.NotFound",
            f"Transit Gateway Attachment {attachment.id} does not belong to {table.transit_gateway_id}.",
        )
    return attachment


def _relation(table: Any, attachment: Any, state: str) -> dict[str, Any]:
    return {
        "TransitGatewayRouteTableId": table.id,
        "TransitGatewayAttachmentId": attachment.id,
        "ResourceId": attachment.resource_id,
        "ResourceType": attachment.resource_type,
        "State": state,
    }


# ---------------------------------------------------------------------------------------------
# Route tables


@handles("ec2", "CreateTransitGatewayRouteTable")
def create_route_table(call: Call) -> dict[str, Any]:
    params = call.params
    tgw, owner = require_transit_gateway(call, params.get("TransitGatewayId"))
    if owner.account_id != call.account:
        raise AwsError("InvalidTransitGatewayID.NotFound", f"Transit Gateway {tgw.id} was deleted or does not exist.")
    tags = ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "transit-gateway-route-table")
    table = owner.create_transit_gateway_route_table(transit_gateway_id=tgw.id, tags=tags)
    call.world.scheduler.phases(
        table, _set_state(table), [("pending", call.world.settings.delay("route_table.pending"))], lambda: _set_state(table)("available")
    )
    return {"TransitGatewayRouteTable": _table_shape(table)}


TABLE_FILTERS = {
    "default-association-route-table": lambda t: t.default_association_route_table,
    "default-propagation-route-table": lambda t: t.default_propagation_route_table,
    "state": lambda t: t.state,
    "transit-gateway-id": lambda t: t.transit_gateway_id,
    "transit-gateway-route-table-id": lambda t: t.id,
}


@handles("ec2", "DescribeTransitGatewayRouteTables")
def describe_route_tables(call: Call) -> dict[str, Any]:
    params = call.params
    tables = list(backend(call.account, call.region).transit_gateways_route_tables.values())
    ids = params.get("TransitGatewayRouteTableIds") or []
    if ids:
        known = {t.id for t in tables}
        for table_id in ids:
            if table_id not in known:
                raise AwsError("InvalidRouteTableID.NotFound", f"The transitGatewayRouteTable ID '{table_id}' does not exist")
        tables = [t for t in tables if t.id in ids]
    tables = ec2_filters.select(tables, params.get("Filters"), TABLE_FILTERS, tags_of)
    chunk, token = page(tables, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[ids, params.get("Filters")], minimum=5)
    return {"TransitGatewayRouteTables": [_table_shape(t) for t in chunk], "NextToken": token}


@handles("ec2", "DeleteTransitGatewayRouteTable")
def delete_route_table(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    if table.route_table_associations:
        raise AwsError(
            "IncorrectState",
            f"{table.id} has associations: {', '.join(sorted(table.route_table_associations))}. Disassociate them first.",
        )
    table.route_table_propagation = []
    tgw = backend(call.account, call.region).transit_gateways.get(table.transit_gateway_id)
    if tgw is not None:
        for key in ("AssociationDefaultRouteTableId", "PropagationDefaultRouteTableId"):
            if tgw.options.get(key) == table.id:
                tgw.options.pop(key)
    call.world.scheduler.phases(table, _set_state(table), [("deleting", 0)], lambda: _set_state(table)("deleted"))
    return {"TransitGatewayRouteTable": _table_shape(table)}


# ---------------------------------------------------------------------------------------------
# Associations and propagations


@handles("ec2", "AssociateTransitGatewayRouteTable")
def associate(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"), available=True)
    attachment = _require_usable_attachment(call, table)
    if attachment.state != "available":
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")
    if attachment.transit_gateway_route_table is not None:
        raise AwsError(
            "Resource.AlreadyAssociated",
            f"Transit Gateway Attachment {attachment.id} is already associated to a route table.",
        )
    attachment.transit_gateway_route_table = table
    table.route_table_associations[attachment.id] = RouteTableAssociation(attachment.resource_id, attachment.resource_type, "associated", attachment.id)
    return {"Association": _relation(table, attachment, "associating")}


@handles("ec2", "DisassociateTransitGatewayRouteTable")
def disassociate(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    attachment = _require_usable_attachment(call, table)
    if table.route_table_associations.pop(attachment.id, None) is None:
        raise AwsError("InvalidAssociation.NotFound", f"{attachment.id} is not associated with {table.id}.")
    attachment.transit_gateway_route_table = None
    return {"Association": _relation(table, attachment, "disassociating")}


@handles("ec2", "EnableTransitGatewayRouteTablePropagation")
def enable_propagation(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"), available=True)
    attachment = _require_usable_attachment(call, table)
    if attachment.state != "available":
        raise AwsError("IncorrectState", f"{attachment.id} is in invalid state {attachment.state}.")
    if any(p.transitGatewayAttachmentId == attachment.id for p in table.route_table_propagation):
        raise AwsError(
            "TransitGatewayRouteTablePropagation.Duplicate",
            f"Propagation of {attachment.id} to {table.id} is already enabled.",
        )
    table.route_table_propagation.append(RouteTablePropagation(attachment.resource_id, attachment.resource_type, "enabled", attachment.id))
    return {"Propagation": _relation(table, attachment, "enabling")}


@handles("ec2", "DisableTransitGatewayRouteTablePropagation")
def disable_propagation(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    attachment = _require_usable_attachment(call, table)
    before = len(table.route_table_propagation)
    table.route_table_propagation = [p for p in table.route_table_propagation if p.transitGatewayAttachmentId != attachment.id]
    if len(table.route_table_propagation) == before:
        raise AwsError(
            "TransitGatewayRouteTablePropagation.NotFound",
            f"Propagation of {attachment.id} to {table.id} is not enabled.",
        )
    return {"Propagation": _relation(table, attachment, "disabling")}


RELATION_FILTERS = {
    "resource-id": lambda r: r.resourceId,
    "resource-type": lambda r: r.resourceType,
    "transit-gateway-attachment-id": lambda r: r.transitGatewayAttachmentId,
}


def _relations(call: Call, items: list[Any]) -> tuple[list[dict[str, Any]], str | None]:
    params = call.params
    chosen = ec2_filters.select(items, params.get("Filters"), RELATION_FILTERS)
    chunk, token = page(chosen, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=params.get("Filters"), minimum=5)
    return [
        {"TransitGatewayAttachmentId": r.transitGatewayAttachmentId, "ResourceId": r.resourceId, "ResourceType": r.resourceType, "State": r.state}
        for r in chunk
    ], token


@handles("ec2", "GetTransitGatewayRouteTableAssociations")
def get_associations(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    items, token = _relations(call, list(table.route_table_associations.values()))
    return {"Associations": items, "NextToken": token}


@handles("ec2", "GetTransitGatewayRouteTablePropagations")
def get_propagations(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    items, token = _relations(call, list(table.route_table_propagation))
    return {"TransitGatewayRouteTablePropagations": items, "NextToken": token}


# ---------------------------------------------------------------------------------------------
# Routes


def _static_routes(table: Any) -> dict[str, dict[str, Any]]:
    if not hasattr(table, "emulator_routes"):
        table.emulator_routes = {}
    return table.emulator_routes


def _attachment_ref(attachment: Any) -> dict[str, str]:
    return {"ResourceId": attachment.resource_id, "TransitGatewayAttachmentId": attachment.id, "ResourceType": attachment.resource_type}


def _propagated_routes(table: Any) -> list[dict[str, Any]]:
    from .transit_gateways import backend as ec2_backend

    routes = []
    owner = table.ec2_backend
    for propagation in table.route_table_propagation:
        attachment = owner.transit_gateway_attachments.get(propagation.transitGatewayAttachmentId)
        if attachment is None or attachment.state in GONE_ATTACHMENT_STATES:
            continue
        for cidr in getattr(attachment, "emulator_propagated_cidrs", []):
            # A Client VPN attachment propagates the endpoint's client CIDR.
            routes.append({"DestinationCidrBlock": cidr, "TransitGatewayAttachments": [_attachment_ref(attachment)], "Type": "propagated", "State": "active"})
        if attachment.resource_type != "vpc":
            continue
        vpc_backend = ec2_backend(attachment.resource_owner_id, owner.region_name)
        vpc = vpc_backend.vpcs.get(attachment.vpc_id)
        if vpc is None:
            continue
        cidrs = [vpc.cidr_block] + [
            a["cidr_block"]
            for a in vpc.get_cidr_block_association_set(ipv6=False)
            if a.get("cidr_block_state", {}).get("state") == "associated" and a["cidr_block"] != vpc.cidr_block
        ]
        for cidr in cidrs:
            routes.append({"DestinationCidrBlock": cidr, "TransitGatewayAttachments": [_attachment_ref(attachment)], "Type": "propagated", "State": "active"})
    return routes


def routes_of(table: Any) -> list[dict[str, Any]]:
    """Static routes plus propagated ones; a static route wins over a propagated one of the same prefix."""
    static = _static_routes(table)
    merged = {cidr: route for cidr, route in static.items()}
    for route in _propagated_routes(table):
        merged.setdefault(route["DestinationCidrBlock"], route)
    return sorted(merged.values(), key=lambda r: (ipaddress.ip_network(r["DestinationCidrBlock"], strict=False).version, ipaddress.ip_network(r["DestinationCidrBlock"], strict=False)))


def _route_target(call: Call, table: Any) -> tuple[list[dict[str, str]], str]:
    params = call.params
    blackhole = bool(params.get("Blackhole"))
    attachment_id = params.get("TransitGatewayAttachmentId")
    if blackhole and attachment_id:
        raise AwsError("InvalidParameterCombination", "Specify either TransitGatewayAttachmentId or Blackhole, not both.")
    if blackhole:
        return [], "blackhole"
    if not attachment_id:
        raise AwsError("MissingParameter", "Either TransitGatewayAttachmentId or Blackhole must be specified.")
    attachment = _require_usable_attachment(call, table)
    return [_attachment_ref(attachment)], "active"


def _destination(call: Call) -> str:
    cidr = call.params.get("DestinationCidrBlock") or ""
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        raise AwsError("InvalidParameterValue", f"Value ({cidr}) for parameter destinationCidrBlock is invalid.") from None
    return cidr


@handles("ec2", "CreateTransitGatewayRoute")
def create_route(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"), available=True)
    cidr = _destination(call)
    routes = _static_routes(table)
    if cidr in routes:
        raise AwsError("RouteAlreadyExists", f"Route {cidr} already exists in Transit Gateway Route Table {table.id}.")
    attachments, state = _route_target(call, table)
    routes[cidr] = {"DestinationCidrBlock": cidr, "TransitGatewayAttachments": attachments, "Type": "static", "State": state}
    return {"Route": dict(routes[cidr])}


@handles("ec2", "ReplaceTransitGatewayRoute")
def replace_route(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"), available=True)
    cidr = _destination(call)
    routes = _static_routes(table)
    if cidr not in routes:
        raise AwsError("InvalidRoute.NotFound", f"No route with destination-cidr-block {cidr} in Transit Gateway Route Table {table.id}.")
    attachments, state = _route_target(call, table)
    routes[cidr].update({"TransitGatewayAttachments": attachments, "State": state})
    return {"Route": dict(routes[cidr])}


@handles("ec2", "DeleteTransitGatewayRoute")
def delete_route(call: Call) -> dict[str, Any]:
    table = _require_table(call, call.params.get("TransitGatewayRouteTableId"))
    cidr = call.params.get("DestinationCidrBlock") or ""
    route = _static_routes(table).pop(cidr, None)
    if route is None:
        raise AwsError("InvalidRoute.NotFound", f"No route with destination-cidr-block {cidr} in Transit Gateway Route Table {table.id}.")
    return {"Route": {**route, "State": "deleted"}}


def _net(cidr: str) -> Any:
    return ipaddress.ip_network(cidr, strict=False)


@handles("ec2", "SearchTransitGatewayRoutes")
def search_routes(call: Call) -> dict[str, Any]:
    params = call.params
    table = _require_table(call, params.get("TransitGatewayRouteTableId"))
    if not params.get("Filters"):
        raise AwsError("MissingParameter", "The request must contain the parameter Filters.")
    wanted = ec2_filters.normalise(params.get("Filters"))
    routes = routes_of(table)
    special = {
        "route-search.exact-match",
        "route-search.longest-prefix-match",
        "route-search.subnet-of-match",
        "route-search.supernet-of-match",
    }
    for name, values in wanted.items():
        if name == "route-search.exact-match":
            routes = [r for r in routes if any(_net(r["DestinationCidrBlock"]) == _net(v) for v in values)]
        elif name == "route-search.subnet-of-match":
            routes = [r for r in routes if any(_net(r["DestinationCidrBlock"]).version == _net(v).version and _net(r["DestinationCidrBlock"]).subnet_of(_net(v)) for v in values)]
        elif name == "route-search.supernet-of-match":
            routes = [r for r in routes if any(_net(r["DestinationCidrBlock"]).version == _net(v).version and _net(r["DestinationCidrBlock"]).supernet_of(_net(v)) for v in values)]
        elif name == "route-search.longest-prefix-match":
            best = []
            for value in values:
                covering = [r for r in routes if _net(r["DestinationCidrBlock"]).version == _net(value).version and _net(value).subnet_of(_net(r["DestinationCidrBlock"]))]
                if covering:
                    best.append(max(covering, key=lambda r: _net(r["DestinationCidrBlock"]).prefixlen))
            routes = [r for r in routes if r in best]
    plain = {k: v for k, v in wanted.items() if k not in special}
    fields = {
        "type": lambda r: r["Type"],
        "state": lambda r: r["State"],
        "prefix-list-id": lambda r: r.get("PrefixListId"),
        "attachment.transit-gateway-attachment-id": lambda r: [a["TransitGatewayAttachmentId"] for a in r["TransitGatewayAttachments"]],
        "attachment.resource-id": lambda r: [a["ResourceId"] for a in r["TransitGatewayAttachments"]],
        "attachment.resource-type": lambda r: [a["ResourceType"] for a in r["TransitGatewayAttachments"]],
    }
    routes = ec2_filters.select(routes, [{"Name": k, "Values": v} for k, v in plain.items()], fields)
    limit = SEARCH_LIMIT
    if params.get("MaxResults") is not None:
        limit = int(params["MaxResults"])
        if not 5 <= limit <= SEARCH_LIMIT:
            raise AwsError("InvalidParameterValue", f"MaxResults must be between 5 and {SEARCH_LIMIT}, got {limit}")
    return {
        "Routes": [dict(r) for r in routes[:limit]],
        "AdditionalRoutesAvailable": len(routes) > limit,
    }
