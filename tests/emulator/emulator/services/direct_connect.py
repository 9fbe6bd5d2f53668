"""Direct Connect gateways and their transit gateway associations.

moto's Direct Connect knows connections and LAGs only. The extension adds the gateway calls
(JSON 1.1, target prefix `OvertureService`) with AWS's behaviour:

* a Direct Connect gateway is global to its account (any Region's endpoint sees it);
* associating a TGW goes `associating → associated`, updating allowed prefixes
  `updating → associated` (refused while another change is in progress), deleting
  `disassociating → gone`, each with its configured delay;
* while associated, the TGW shows a `direct-connect-gateway` attachment in EC2
  (DescribeTransitGatewayAttachments), removed again when the association is deleted;
* the gateway's ASN must differ from the TGW's, and a gateway with associations cannot be
  deleted;
* one gateway advertises no prefix through two transit gateway associations: an allowed
  prefix that overlaps one of another (not disassociating) association of the same gateway is
  refused, on create and on update — why a hub replaced create-before-destroy cannot take the
  data center link over. Errors are `DirectConnectClientException`, as on AWS.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field
from typing import Any

from moto.ec2.models.transit_gateway_attachments import TransitGatewayAttachment

from .. import ids
from ..errors import AwsError
from ..pagination import page
from . import Call, handles
from .transit_gateways import apply_default_route_tables, backend, detach_from_route_tables

GLOBAL = "global"


def _client_error(message: str) -> AwsError:
    return AwsError("DirectConnectClientException", message)


@dataclass
class GatewayAssociation:
    association_id: str
    gateway_id: str
    gateway_owner: str
    tgw_id: str
    tgw_owner: str
    tgw_region: str
    prefixes: list[str]
    state: str
    attachment: Any = None


@dataclass
class DirectConnectGateway:
    gateway_id: str
    name: str
    asn: int
    owner: str
    tags: dict[str, str]
    state: str = "available"
    created: float = field(default_factory=time.time)


class DirectConnectStore:
    """Gateways and associations of one account (kept under the region key "global")."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.gateways: dict[str, DirectConnectGateway] = {}
        self.associations: dict[str, GatewayAssociation] = {}


def _store(call: Call) -> DirectConnectStore:
    return call.world.store(DirectConnectStore, call.account, GLOBAL)


def _gateway_shape(gateway: DirectConnectGateway) -> dict[str, Any]:
    return {
        "directConnectGatewayId": gateway.gateway_id,
        "directConnectGatewayName": gateway.name,
        "amazonSideAsn": gateway.asn,
        "ownerAccount": gateway.owner,
        "directConnectGatewayState": gateway.state,
        "tags": [{"key": k, "value": v} for k, v in sorted(gateway.tags.items())] or None,
    }


def _association_shape(association: GatewayAssociation) -> dict[str, Any]:
    return {
        "directConnectGatewayId": association.gateway_id,
        "directConnectGatewayOwnerAccount": association.gateway_owner,
        "associationState": association.state,
        "associatedGateway": {
            "id": association.tgw_id,
            "type": "transitGateway",
            "ownerAccount": association.tgw_owner,
            "region": association.tgw_region,
        },
        "associationId": association.association_id,
        "allowedPrefixesToDirectConnectGateway": [{"cidr": c} for c in association.prefixes],
    }


def _gateway(call: Call, gateway_id: str | None) -> DirectConnectGateway:
    gateway = _store(call).gateways.get(gateway_id or "")
    if gateway is None or gateway.state == "deleted":
        raise _client_error(f"Direct Connect Gateway {gateway_id} does not exist.")
    return gateway


def _prefixes(items: Any) -> list[str]:
    result = []
    for item in items or []:
        cidr = (item or {}).get("cidr")
        try:
            result.append(str(ipaddress.ip_network(cidr, strict=True)))
        except (TypeError, ValueError):
            raise _client_error(f"Allowed prefix {cidr!r} is not a valid CIDR.") from None
    return result


def _phases(call: Call, association: GatewayAssociation, state: str, key: str, finish: Any) -> None:
    call.world.scheduler.phases(
        association, lambda s: setattr(association, "state", s), [(state, call.world.settings.delay(key))], finish
    )


# ---------------------------------------------------------------------------------------------
# Gateways


@handles("directconnect", "CreateDirectConnectGateway")
def create_gateway(call: Call) -> dict[str, Any]:
    params = call.params
    name = params.get("directConnectGatewayName")
    if not name:
        raise _client_error("directConnectGatewayName is required.")
    asn = int(params.get("amazonSideAsn") or 64512)
    if not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
        raise _client_error(f"amazonSideAsn {asn} is invalid: use 64512-65534 or 4200000000-4294967294.")
    gateway = DirectConnectGateway(
        gateway_id=ids.uuid4(),
        name=name,
        asn=asn,
        owner=call.account,
        tags={t["key"]: t.get("value", "") for t in params.get("tags") or []},
    )
    _store(call).gateways[gateway.gateway_id] = gateway
    return {"directConnectGateway": _gateway_shape(gateway)}


@handles("directconnect", "DescribeDirectConnectGateways")
def describe_gateways(call: Call) -> dict[str, Any]:
    params = call.params
    gateways = [g for g in _store(call).gateways.values() if g.state != "deleted"]
    if params.get("directConnectGatewayId"):
        gateways = [g for g in gateways if g.gateway_id == params["directConnectGatewayId"]]
    chunk, token = page(gateways, params.get("maxResults"), params.get("nextToken"), cap=call.world.settings.page_size, query=params.get("directConnectGatewayId"), maximum=100, bad_token_code="DirectConnectClientException", bad_max_code="DirectConnectClientException", max_name="maxResults")
    return {"directConnectGateways": [_gateway_shape(g) for g in chunk], "nextToken": token}


@handles("directconnect", "DeleteDirectConnectGateway")
def delete_gateway(call: Call) -> dict[str, Any]:
    gateway = _gateway(call, call.params.get("directConnectGatewayId"))
    if any(a.gateway_id == gateway.gateway_id for a in _store(call).associations.values()):
        raise _client_error(f"Direct Connect Gateway {gateway.gateway_id} has associations; delete them first.")
    gateway.state = "deleting"
    answer = {"directConnectGateway": _gateway_shape(gateway)}
    del _store(call).gateways[gateway.gateway_id]
    gateway.state = "deleted"
    return answer


# ---------------------------------------------------------------------------------------------
# Associations


def _tgw_attachment(call: Call, tgw: Any, gateway: DirectConnectGateway) -> Any:
    owner = backend(call.account, call.region)
    attachment = TransitGatewayAttachment(owner, resource_id=gateway.gateway_id, resource_type="direct-connect-gateway", transit_gateway=tgw)
    attachment.transit_gateway_route_table = None
    owner.transit_gateway_attachments[attachment.id] = attachment
    return attachment


@handles("directconnect", "CreateDirectConnectGatewayAssociation")
def create_association(call: Call) -> dict[str, Any]:
    params = call.params
    gateway = _gateway(call, params.get("directConnectGatewayId"))
    tgw_id = params.get("gatewayId")
    if params.get("virtualGatewayId") or (tgw_id and not tgw_id.startswith("tgw-")):
        raise _client_error("The emulator associates Direct Connect gateways with transit gateways (tgw-…) only.")
    if not tgw_id:
        raise _client_error("gatewayId is required.")
    tgw = backend(call.account, call.region).transit_gateways.get(tgw_id)
    if tgw is None or tgw.state == "deleted":
        raise _client_error(f"Transit gateway {tgw_id} does not exist in {call.region}.")
    if tgw.state != "available":
        raise _client_error(f"Transit gateway {tgw_id} is {tgw.state}; it must be available.")
    if int(tgw.options.get("AmazonSideAsn", 64512)) == gateway.asn:
        raise _client_error(
            f"The Amazon side ASN {gateway.asn} of Direct Connect gateway {gateway.gateway_id} is the same as that of transit gateway {tgw_id}; they must differ."
        )
    for existing in _store(call).associations.values():
        if existing.gateway_id == gateway.gateway_id and existing.tgw_id == tgw_id:
            raise _client_error(f"Transit gateway {tgw_id} is already associated with Direct Connect gateway {gateway.gateway_id}.")
    _refuse_overlaps(call, gateway.gateway_id, _prefixes(params.get("addAllowedPrefixesToDirectConnectGateway")), None)
    association = GatewayAssociation(
        association_id=ids.uuid4(),
        gateway_id=gateway.gateway_id,
        gateway_owner=gateway.owner,
        tgw_id=tgw_id,
        tgw_owner=call.account,
        tgw_region=call.region,
        prefixes=_prefixes(params.get("addAllowedPrefixesToDirectConnectGateway")),
        state="associating",
    )
    attachment = _tgw_attachment(call, tgw, gateway)
    association.attachment = attachment
    _store(call).associations[association.association_id] = association
    attachment_backend = backend(call.account, call.region)

    def associated() -> None:
        association.state = "associated"
        attachment.state = "available"
        apply_default_route_tables(attachment_backend, tgw, attachment)

    attachment.state = "pending"
    _phases(call, association, "associating", "dx_association.associating", associated)
    return {"directConnectGatewayAssociation": _association_shape(association)}


def _refuse_overlaps(call: Call, gateway_id: str, prefixes: list[str], besides: str | None) -> None:
    """A prefix overlapping one that another association of the gateway advertises."""
    for other in _store(call).associations.values():
        if other.gateway_id != gateway_id or other.association_id == besides or other.state.startswith("disassociat"):
            continue
        for theirs in other.prefixes:
            for ours in prefixes:
                if ipaddress.ip_network(theirs).overlaps(ipaddress.ip_network(ours)):
                    raise _client_error(
                        f"Allowed prefix {ours} overlaps allowed prefix {theirs} of association {other.association_id} "
                        f"({other.tgw_id}) on Direct Connect gateway {gateway_id}."
                    )


def _association(call: Call, association_id: str | None) -> GatewayAssociation:
    association = _store(call).associations.get(association_id or "")
    if association is None:
        raise _client_error(f"Direct Connect gateway association {association_id} does not exist.")
    return association


@handles("directconnect", "UpdateDirectConnectGatewayAssociation")
def update_association(call: Call) -> dict[str, Any]:
    params = call.params
    association = _association(call, params.get("associationId"))
    if association.state != "associated":
        raise _client_error(f"Direct Connect gateway association {association.association_id} is {association.state}; wait until it is associated.")
    add = _prefixes(params.get("addAllowedPrefixesToDirectConnectGateway"))
    remove = _prefixes(params.get("removeAllowedPrefixesToDirectConnectGateway"))
    for cidr in remove:
        if cidr not in association.prefixes:
            raise _client_error(f"Allowed prefix {cidr} is not on association {association.association_id}.")
    _refuse_overlaps(call, association.gateway_id, add, association.association_id)
    association.prefixes = [c for c in association.prefixes if c not in remove] + [c for c in add if c not in association.prefixes]
    _phases(call, association, "updating", "dx_association.updating", lambda: setattr(association, "state", "associated"))
    return {"directConnectGatewayAssociation": _association_shape(association)}


@handles("directconnect", "DescribeDirectConnectGatewayAssociations")
def describe_associations(call: Call) -> dict[str, Any]:
    params = call.params
    if params.get("virtualGatewayId"):
        associations: list[GatewayAssociation] = []
    else:
        associations = list(_store(call).associations.values())
    for key, attribute in (("associationId", "association_id"), ("associatedGatewayId", "tgw_id"), ("directConnectGatewayId", "gateway_id")):
        if params.get(key):
            associations = [a for a in associations if getattr(a, attribute) == params[key]]
    query = {k: v for k, v in params.items() if k not in ("maxResults", "nextToken")}
    chunk, token = page(associations, params.get("maxResults"), params.get("nextToken"), cap=call.world.settings.page_size, query=query, maximum=100, bad_token_code="DirectConnectClientException", bad_max_code="DirectConnectClientException", max_name="maxResults")
    return {"directConnectGatewayAssociations": [_association_shape(a) for a in chunk], "nextToken": token}


@handles("directconnect", "DeleteDirectConnectGatewayAssociation")
def delete_association(call: Call) -> dict[str, Any]:
    params = call.params
    if params.get("associationId"):
        association = _association(call, params["associationId"])
    else:
        raise _client_error("associationId is required for transit gateway associations.")
    if association.state not in ("associated",):
        raise _client_error(f"Direct Connect gateway association {association.association_id} is {association.state}; wait until it is associated.")
    store = _store(call)
    attachment = association.attachment

    def gone() -> None:
        store.associations.pop(association.association_id, None)
        if attachment is not None:
            attachment.state = "deleted"
            detach_from_route_tables(attachment)

    if attachment is not None:
        attachment.state = "deleting"
    _phases(call, association, "disassociating", "dx_association.disassociating", gone)
    return {"directConnectGatewayAssociation": _association_shape(association)}


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    gateways, associations = [], []
    for store_account, _, store in world.stores(DirectConnectStore):
        if store_account != account:
            continue
        for gateway in store.gateways.values():
            gateways.append({"id": gateway.gateway_id, "name": gateway.name, "asn": gateway.asn, "state": gateway.state, "tags": dict(gateway.tags)})
        for association in store.associations.values():
            if region and association.tgw_region != region:
                continue
            associations.append(
                {
                    "id": association.association_id,
                    "gateway_id": association.gateway_id,
                    "transit_gateway_id": association.tgw_id,
                    "region": association.tgw_region,
                    "state": association.state,
                    "allowed_prefixes": list(association.prefixes),
                }
            )
    return {"dx_gateways": gateways, "dx_gateway_associations": associations}
