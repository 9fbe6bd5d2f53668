"""AWS RAM resource shares, with principals that behave as on AWS.

moto's RAM derived every association from two plain lists: all principals were `ASSOCIATED`
at once (or took whatever status a filter asked for), there were no invitations, and neither
Associate/DisassociateResourceShare nor GetResourceShareInvitations/Accept existed. The
extension owns the share-related actions:

* an external account principal stays `ASSOCIATING` until that account accepts its invitation,
  which appears for it only after `ram_invitation.appear` seconds (eventual consistency: "No RAM
  Resource Share invitation found") and is purged `ram_invitation.expire` seconds after it was
  sent (RAM keeps invitations 7 days);
* an account of the owner's Organization, when RAM sharing with the Organization is enabled,
  gets no invitation: like an Organization / OU ARN it goes `ASSOCIATING → ASSOCIATED` after
  `ram_association.associating`. Organizations are declared in the admin config
  (`organizations.py`); without any, org ARNs reach every account and every account is external;
* `allowExternalPrincipals = false` refuses accounts outside the owner's Organization, and org
  ARNs of another Organization are unknown — both only when Organizations are declared;
* bare `o-…`/`ou-…` IDs are refused with AWS's `InvalidParameterException` ("Principal ID … is
  malformed");
* removed principals and resources pass `DISASSOCIATING → DISASSOCIATED` and stay listed, as on
  AWS; a deleted share stays listed as `DELETED`;
* resource ARNs are checked: transit gateways must exist in the owner's account;
* what a principal account can *use* (`shared_resource_arns`, for EC2) lags the association by
  `ram_share.propagation` seconds: the shared TGW is not found for a while after acceptance.

Shares live in the owner's (account, Region) store; invitations and OTHER-ACCOUNTS views look
across the stores of the Region.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .. import ids
from ..accounts import is_account_id
from ..clock import monotonic
from ..errors import AwsError
from ..organizations import Organizations, parse_org_principal
from ..pagination import page
from . import Call, handles

_ORG_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$")
_OU_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(root|role/.+|user/.+)$")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9-]+\.amazonaws\.com$")
_RESOURCE_ARN = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([a-z-]+)[/:](.+)$")
SHAREABLE_TYPES = {"transit-gateway", "subnet", "prefix-list", "resolver-rule", "core-network", "ipam-pool", "capacity-reservation", "outpost"}


@dataclass
class Association:
    entity: str
    kind: str  # PRINCIPAL | RESOURCE
    status: str
    external: bool
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    #: Monotonic time from which the principal's accounts can use the shared resources in EC2
    #: (once ASSOCIATED): the association's own delay plus `ram_share.propagation`.
    usable_at: float = float("inf")


@dataclass
class Invitation:
    arn: str
    share_arn: str
    sender: str
    receiver: str
    visible_at: float
    expires_at: float | None = None  # wall-clock time it is purged at (`ram_invitation.expire`)
    status: str = "PENDING"
    created: float = field(default_factory=time.time)

    def purged(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass
class Share:
    arn: str
    name: str
    owner: str
    allow_external: bool
    tags: dict[str, str]
    status: str = "ACTIVE"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    associations: list[Association] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


class RamStore:
    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.shares: dict[str, Share] = {}
        self.tokens: dict[str, tuple[str, str, dict[str, Any]]] = {}


# ---------------------------------------------------------------------------------------------
# Cross-module view


def organizations(world: Any) -> Organizations:
    return Organizations(world.settings.organizations)


def shared_resource_arns(world: Any, account: str, region: str) -> list[str]:
    """Resource ARNs other accounts share with `account` and that it can use in EC2 now: the
    principal reaching it is ASSOCIATED and `ram_share.propagation` has passed since."""
    orgs, now = organizations(world), monotonic()
    found = []
    for share in _shares_of_others(world, account, region):
        if any(_reaches(orgs, a, account) and a.usable_at <= now for a in _associated_principals(share)):
            found.extend(a.entity for a in share.associations if a.kind == "RESOURCE" and a.status == "ASSOCIATED")
    return found


def _shares_of_others(world: Any, account: str, region: str) -> list[Share]:
    return [
        share
        for _, store_region, store in world.stores(RamStore)
        if store_region == region
        for share in store.shares.values()
        if share.status == "ACTIVE" and share.owner != account
    ]


def _associated_principals(share: Share) -> list[Association]:
    return [a for a in share.associations if a.kind == "PRINCIPAL" and a.status == "ASSOCIATED"]


def _reaches(orgs: Organizations, association: Association, account: str) -> bool:
    """Whether a principal association includes `account`: the account itself, or an
    Organization/OU holding it (every account when no Organization is declared)."""
    return association.entity == account or orgs.reaches(association.entity, account)


def _shared_with(world: Any, share: Share, account: str) -> bool:
    """The RAM view: the share counts as shared with `account` once a principal reaching it is
    ASSOCIATED (EC2 may still lag, see `shared_resource_arns`)."""
    orgs = organizations(world)
    return any(_reaches(orgs, a, account) for a in _associated_principals(share))


# ---------------------------------------------------------------------------------------------
# Shapes and helpers


def _share_shape(share: Share) -> dict[str, Any]:
    return {
        "resourceShareArn": share.arn,
        "name": share.name,
        "owningAccountId": share.owner,
        "allowExternalPrincipals": share.allow_external,
        "status": share.status,
        "tags": [{"key": k, "value": v} for k, v in sorted(share.tags.items())],
        "creationTime": share.created,
        "lastUpdatedTime": share.updated,
        "featureSet": "STANDARD",
    }


def _association_shape(share: Share, association: Association) -> dict[str, Any]:
    return {
        "resourceShareArn": share.arn,
        "resourceShareName": share.name,
        "associatedEntity": association.entity,
        "associationType": association.kind,
        "status": association.status,
        "creationTime": association.created,
        "lastUpdatedTime": association.updated,
        "external": association.external,
    }


def _invitation_shape(share: Share, invitation: Invitation) -> dict[str, Any]:
    return {
        "resourceShareInvitationArn": invitation.arn,
        "resourceShareName": share.name,
        "resourceShareArn": share.arn,
        "senderAccountId": invitation.sender,
        "receiverAccountId": invitation.receiver,
        "invitationTimestamp": invitation.created,
        "status": invitation.status,
    }


def _store(call: Call) -> RamStore:
    return call.store(RamStore)


def _share(call: Call, arn: str | None) -> Share:
    if not arn or not arn.startswith("arn:"):
        raise AwsError("MalformedArnException", "The specified resource share ARN is not valid. Verify the ARN and try again.")
    share = _store(call).shares.get(arn)
    if share is None:
        raise AwsError("UnknownResourceException", f"ResourceShare {arn} could not be found.")
    return share


def _idempotent(call: Call, action: str, produce: Any) -> dict[str, Any]:
    token = call.params.get("clientToken")
    if not token:
        return produce()
    store = _store(call)
    fingerprint = json.dumps({k: v for k, v in call.params.items() if k != "clientToken"}, sort_keys=True, default=str)
    if token in store.tokens:
        seen_action, seen_fingerprint, answer = store.tokens[token]
        if (seen_action, seen_fingerprint) == (action, fingerprint):
            return copy.deepcopy(answer)
        raise AwsError("IdempotentParameterMismatchException", f"The client token {token} was already used for a different request.")
    answer = produce()
    answer["clientToken"] = token
    store.tokens[token] = (action, fingerprint, copy.deepcopy(answer))
    return answer


EXTERNAL_REFUSED = (
    "The resource you are attempting to share can only be shared within your AWS Organization. This error may also "
    "occur if you have not enabled sharing with your AWS organization, or that onboarding process is still in progress."
)


def _check_principal(call: Call, owner: str, allow_external: bool, principal: str) -> None:
    """Refuses a principal before anything changes, as AWS does at Create/AssociateResourceShare.

    Organization rules apply only when Organizations are declared: an account outside the
    owner's Organization (or inside it while RAM sharing with the Organization is off — then
    every account counts as external) needs `allowExternalPrincipals`; an Organization/OU ARN
    must name the owner's own Organization, which must have RAM sharing enabled.
    """
    if not (is_account_id(principal) or _ORG_ARN.match(principal) or _OU_ARN.match(principal) or _IAM_ARN.match(principal) or _SERVICE_PRINCIPAL.match(principal)):
        raise AwsError("InvalidParameterException", f"Principal ID {principal} is malformed. Verify the ID and try again.")
    orgs = organizations(call.world)
    if not orgs.modelled:
        return
    if is_account_id(principal):
        if not allow_external and not orgs.shares_internally(owner, principal):
            raise AwsError("OperationNotPermittedException", EXTERNAL_REFUSED)
        return
    parsed = parse_org_principal(principal)
    if parsed is None:
        return
    org_id, ou_id = parsed
    own = orgs.of(owner)
    if own is None or own.org_id != org_id:
        raise AwsError("UnknownResourceException", f"Organization {org_id} could not be found.")
    if ou_id is not None and own.unit_accounts(ou_id) is None:
        raise AwsError("UnknownResourceException", f"OrganizationalUnit {ou_id} could not be found.")
    if not own.ram_sharing_enabled:
        raise AwsError("OperationNotPermittedException", EXTERNAL_REFUSED)


def _needs_invitation(call: Call, owner: str, principal: str) -> bool:
    """Account principals get an invitation unless the share stays inside an Organization with
    RAM sharing enabled (then there is nothing to accept, as on AWS)."""
    return is_account_id(principal) and not organizations(call.world).shares_internally(owner, principal)


def _check_resource(call: Call, arn: str) -> None:
    match = _RESOURCE_ARN.match(arn)
    if not match:
        raise AwsError("MalformedArnException", f"The specified resource ARN {arn} is not valid. Verify the ARN and try again.")
    service, region, account, kind, resource_id = match.groups()
    if kind not in SHAREABLE_TYPES:
        raise AwsError("InvalidParameterException", f"Resource type {kind} cannot be shared.")
    if account != call.account:
        raise AwsError("OperationNotPermittedException", f"You can share only resources your account owns; {arn} belongs to {account}.")
    if service == "ec2" and kind == "transit-gateway":
        from .transit_gateways import backend

        tgw = backend(account, region or call.region).transit_gateways.get(resource_id)
        if tgw is None or tgw.state == "deleted":
            raise AwsError("UnknownResourceException", f"Resource {arn} could not be found.")


def _add_principal(call: Call, share: Share, principal: str) -> Association:
    existing = next((a for a in share.associations if a.kind == "PRINCIPAL" and a.entity == principal and a.status not in ("DISASSOCIATED", "DISASSOCIATING")), None)
    if existing:
        return existing
    settings, scheduler = call.world.settings, call.world.scheduler
    external = _needs_invitation(call, share.owner, principal)
    association = Association(principal, "PRINCIPAL", "ASSOCIATING", external=external)
    share.associations.append(association)
    if external:
        # Stays ASSOCIATING until that account accepts its invitation.
        now = time.time()
        expire = settings.delay("ram_invitation.expire") if settings.phase_enabled("ram_invitation.expire") else None
        invitation = Invitation(
            arn=f"arn:aws:ram:{call.region}:{share.owner}:resource-share-invitation/{ids.uuid4()}",
            share_arn=share.arn,
            sender=share.owner,
            receiver=principal,
            visible_at=now + settings.delay("ram_invitation.appear"),
            expires_at=None if expire is None else now + expire,
            created=now,
        )
        share.invitations.append(invitation)
    else:
        associating = settings.delay("ram_association.associating")
        association.usable_at = monotonic() + associating + settings.delay("ram_share.propagation")
        scheduler.phases(
            association,
            lambda s: setattr(association, "status", s),
            [("ASSOCIATING", associating)],
            lambda: _set_status(association, "ASSOCIATED"),
        )
    return association


def _set_status(association: Association, status: str) -> None:
    association.status = status
    association.updated = time.time()


def _add_resource(call: Call, share: Share, arn: str) -> Association:
    existing = next((a for a in share.associations if a.kind == "RESOURCE" and a.entity == arn and a.status not in ("DISASSOCIATED", "DISASSOCIATING")), None)
    if existing:
        return existing
    association = Association(arn, "RESOURCE", "ASSOCIATED", external=False)
    share.associations.append(association)
    return association


def _disassociate(call: Call, share: Share, association: Association) -> None:
    settings = call.world.settings
    call.world.scheduler.phases(
        association,
        lambda s: _set_status(association, s),
        [("DISASSOCIATING", settings.delay("ram_association.disassociating"))],
        lambda: _set_status(association, "DISASSOCIATED"),
    )


# ---------------------------------------------------------------------------------------------
# Shares


@handles("ram", "CreateResourceShare")
def create_resource_share(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        params = call.params
        if not params.get("name"):
            raise AwsError("MissingRequiredParameterException", "The request must contain the parameter name.")
        principals = list(params.get("principals") or [])
        resources = list(params.get("resourceArns") or [])
        allow_external = params.get("allowExternalPrincipals", True) is not False
        for principal in principals:
            _check_principal(call, call.account, allow_external, principal)
        for arn in resources:
            _check_resource(call, arn)
        share = Share(
            arn=f"arn:aws:ram:{call.region}:{call.account}:resource-share/{ids.uuid4()}",
            name=params["name"],
            owner=call.account,
            allow_external=allow_external,
            tags={t["key"]: t.get("value", "") for t in params.get("tags") or []},
        )
        _store(call).shares[share.arn] = share
        for arn in resources:
            _add_resource(call, share, arn)
        for principal in principals:
            _add_principal(call, share, principal)
        return {"resourceShare": _share_shape(share)}

    return _idempotent(call, "CreateResourceShare", produce)


@handles("ram", "GetResourceShares")
def get_resource_shares(call: Call) -> dict[str, Any]:
    params = call.params
    owner = params.get("resourceOwner")
    if owner == "SELF":
        shares = list(_store(call).shares.values())
    elif owner == "OTHER-ACCOUNTS":
        shares = [
            share
            for _, region, store in call.world.stores(RamStore)
            if region == call.region
            for share in store.shares.values()
            if share.owner != call.account and _shared_with(call.world, share, call.account)
        ]
    else:
        raise AwsError("InvalidParameterException", f"{owner} is not a valid resource owner. Specify either SELF or OTHER-ACCOUNTS and try again.")
    if params.get("resourceShareArns"):
        shares = [s for s in shares if s.arn in params["resourceShareArns"]]
    if params.get("resourceShareStatus"):
        shares = [s for s in shares if s.status == params["resourceShareStatus"]]
    if params.get("name"):
        shares = [s for s in shares if s.name == params["name"]]
    for tag_filter in params.get("tagFilters") or []:
        key, values = tag_filter.get("tagKey"), tag_filter.get("tagValues") or []
        shares = [s for s in shares if key in s.tags and (not values or s.tags[key] in values)]
    chunk, token = _page(call, shares)
    return {"resourceShares": [_share_shape(s) for s in chunk], "nextToken": token}


def _page(call: Call, items: list[Any]) -> tuple[list[Any], str | None]:
    return page(
        items,
        call.params.get("maxResults"),
        call.params.get("nextToken"),
        cap=call.world.settings.page_size, query={k: v for k, v in call.params.items() if k not in ("nextToken", "maxResults")},
        maximum=500,
        bad_token_code="InvalidNextTokenException",
        bad_max_code="InvalidMaxResultsException",
        max_name="maxResults",
    )


@handles("ram", "UpdateResourceShare")
def update_resource_share(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        share = _share(call, call.params.get("resourceShareArn"))
        if share.status != "ACTIVE":
            raise AwsError("OperationNotPermittedException", f"ResourceShare {share.arn} is {share.status}.")
        if call.params.get("name"):
            share.name = call.params["name"]
        if "allowExternalPrincipals" in call.params:
            share.allow_external = bool(call.params["allowExternalPrincipals"])
        share.updated = time.time()
        return {"resourceShare": _share_shape(share)}

    return _idempotent(call, "UpdateResourceShare", produce)


@handles("ram", "DeleteResourceShare")
def delete_resource_share(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        share = _share(call, call.params.get("resourceShareArn"))
        if share.status == "DELETED":
            raise AwsError("OperationNotPermittedException", f"ResourceShare {share.arn} is already deleted.")
        share.status = "DELETED"
        share.updated = time.time()
        for association in share.associations:
            if association.status not in ("DISASSOCIATED",):
                _set_status(association, "DISASSOCIATED")
        return {"returnValue": True}

    return _idempotent(call, "DeleteResourceShare", produce)


@handles("ram", "AssociateResourceShare")
def associate_resource_share(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        share = _share(call, call.params.get("resourceShareArn"))
        if share.status != "ACTIVE":
            raise AwsError("InvalidStateTransitionException", f"ResourceShare {share.arn} is {share.status}.")
        principals = list(call.params.get("principals") or [])
        resources = list(call.params.get("resourceArns") or [])
        for principal in principals:
            _check_principal(call, share.owner, share.allow_external, principal)
        for arn in resources:
            _check_resource(call, arn)
        touched = [_add_resource(call, share, arn) for arn in resources] + [_add_principal(call, share, p) for p in principals]
        share.updated = time.time()
        return {"resourceShareAssociations": [_association_shape(share, a) for a in touched]}

    return _idempotent(call, "AssociateResourceShare", produce)


@handles("ram", "DisassociateResourceShare")
def disassociate_resource_share(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        share = _share(call, call.params.get("resourceShareArn"))
        wanted = [("PRINCIPAL", p) for p in call.params.get("principals") or []] + [("RESOURCE", r) for r in call.params.get("resourceArns") or []]
        touched = []
        for kind, entity in wanted:
            association = next(
                (a for a in share.associations if a.kind == kind and a.entity == entity and a.status in ("ASSOCIATING", "ASSOCIATED")),
                None,
            )
            if association is None:
                raise AwsError("UnknownResourceException", f"{entity} is not associated with ResourceShare {share.arn}.")
            _disassociate(call, share, association)
            for invitation in share.invitations:
                if kind == "PRINCIPAL" and invitation.receiver == entity and invitation.status == "PENDING":
                    invitation.status = "EXPIRED"
            touched.append(association)
        return {"resourceShareAssociations": [_association_shape(share, a) for a in touched]}

    return _idempotent(call, "DisassociateResourceShare", produce)


@handles("ram", "GetResourceShareAssociations")
def get_resource_share_associations(call: Call) -> dict[str, Any]:
    params = call.params
    kind = params.get("associationType")
    if kind not in ("PRINCIPAL", "RESOURCE"):
        raise AwsError("InvalidParameterException", f"{kind} is not a valid association type. Specify either PRINCIPAL or RESOURCE and try again.")
    if kind == "PRINCIPAL" and params.get("resourceArn"):
        raise AwsError("InvalidParameterException", "You cannot specify a resource ARN when the association type is PRINCIPAL.")
    if kind == "RESOURCE" and params.get("principal"):
        raise AwsError("InvalidParameterException", "You cannot specify a principal when the association type is RESOURCE.")
    entity = params.get("resourceArn") or params.get("principal")
    found = []
    for share in _store(call).shares.values():
        if params.get("resourceShareArns") and share.arn not in params["resourceShareArns"]:
            continue
        for association in share.associations:
            if association.kind != kind or (entity and association.entity != entity):
                continue
            if params.get("associationStatus") and association.status != params["associationStatus"]:
                continue
            found.append(_association_shape(share, association))
    chunk, token = _page(call, found)
    return {"resourceShareAssociations": chunk, "nextToken": token}


# ---------------------------------------------------------------------------------------------
# What is shared, seen from either side (ListResources, ListPrincipals)


def _resource_type(arn: str) -> str:
    """RAM's resource type of an ARN: `ec2:TransitGateway`, `ec2:Subnet`, …"""
    match = _RESOURCE_ARN.match(arn)
    if not match:
        return ""
    service, _, _, kind, _ = match.groups()
    return f"{service}:{''.join(part.capitalize() for part in kind.split('-'))}"


def _owned_or_received(call: Call) -> tuple[str, list[Share]]:
    """(resourceOwner, the ACTIVE shares it selects): the caller's own, or shared with it."""
    owner = call.params.get("resourceOwner")
    if owner == "SELF":
        return owner, [s for s in _store(call).shares.values() if s.status == "ACTIVE"]
    if owner == "OTHER-ACCOUNTS":
        return owner, [s for s in _shares_of_others(call.world, call.account, call.region) if _shared_with(call.world, s, call.account)]
    raise AwsError("InvalidParameterException", f"{owner} is not a valid resource owner. Specify either SELF or OTHER-ACCOUNTS and try again.")


def _live(share: Share, kind: str) -> list[Association]:
    return [a for a in share.associations if a.kind == kind and a.status in ("ASSOCIATING", "ASSOCIATED")]


@handles("ram", "ListResources")
def list_resources(call: Call) -> dict[str, Any]:
    """SELF: the resources the caller added to its shares; OTHER-ACCOUNTS: those shared with it."""
    params = call.params
    owner, shares = _owned_or_received(call)
    if params.get("resourceShareArns"):
        shares = [s for s in shares if s.arn in params["resourceShareArns"]]
    principal = params.get("principal")
    if principal and owner == "SELF":
        shares = [s for s in shares if any(a.entity == principal for a in _live(s, "PRINCIPAL"))]
    elif principal:
        shares = [s for s in shares if s.owner == principal]
    found = []
    for share in shares:
        for association in _live(share, "RESOURCE"):
            if association.status != "ASSOCIATED":
                continue
            if params.get("resourceArns") and association.entity not in params["resourceArns"]:
                continue
            if params.get("resourceType") and _resource_type(association.entity) != params["resourceType"]:
                continue
            found.append(
                {
                    "arn": association.entity,
                    "type": _resource_type(association.entity),
                    "resourceShareArn": share.arn,
                    "status": "AVAILABLE",
                    "creationTime": association.created,
                    "lastUpdatedTime": association.updated,
                    "resourceRegionScope": "REGIONAL",
                }
            )
    chunk, token = _page(call, found)
    return {"resources": chunk, "nextToken": token}


@handles("ram", "ListPrincipals")
def list_principals(call: Call) -> dict[str, Any]:
    """SELF: the principals the caller shares with; OTHER-ACCOUNTS: the accounts sharing with it."""
    params = call.params
    owner, shares = _owned_or_received(call)
    if params.get("resourceShareArns"):
        shares = [s for s in shares if s.arn in params["resourceShareArns"]]
    if params.get("resourceArn"):
        shares = [s for s in shares if any(a.entity == params["resourceArn"] for a in _live(s, "RESOURCE"))]
    if params.get("resourceType"):
        shares = [s for s in shares if any(_resource_type(a.entity) == params["resourceType"] for a in _live(s, "RESOURCE"))]
    found = []
    for share in shares:
        if owner == "SELF":
            entries = [(a.entity, a.external, a.created, a.updated) for a in _live(share, "PRINCIPAL")]
        else:
            orgs = organizations(call.world)
            external = all(a.external for a in _associated_principals(share) if _reaches(orgs, a, call.account))
            entries = [(share.owner, external, share.created, share.updated)]
        for entity, external, created, updated in entries:
            if params.get("principals") and entity not in params["principals"]:
                continue
            found.append({"id": entity, "resourceShareArn": share.arn, "creationTime": created, "lastUpdatedTime": updated, "external": external})
    chunk, token = _page(call, found)
    return {"principals": chunk, "nextToken": token}


@handles("ram", "TagResource")
def tag_resource(call: Call) -> dict[str, Any]:
    share = _share(call, call.params.get("resourceShareArn"))
    for tag in call.params.get("tags") or []:
        share.tags[tag["key"]] = tag.get("value", "")
    return {}


@handles("ram", "UntagResource")
def untag_resource(call: Call) -> dict[str, Any]:
    share = _share(call, call.params.get("resourceShareArn"))
    for key in call.params.get("tagKeys") or []:
        share.tags.pop(key, None)
    return {}


# ---------------------------------------------------------------------------------------------
# Invitations (seen and answered by the receiving account)


def _received_invitations(call: Call, *, purged: bool = False) -> list[tuple[Share, Invitation]]:
    """Invitations addressed to the caller that have appeared; purged ones only if asked."""
    now = time.time()
    found = []
    for _, region, store in call.world.stores(RamStore):
        if region != call.region:
            continue
        for share in store.shares.values():
            for invitation in share.invitations:
                if invitation.receiver != call.account or invitation.visible_at > now:
                    continue
                if purged or not invitation.purged(now):
                    found.append((share, invitation))
    return found


def _check_invitation_arns(arns: list[str]) -> None:
    for arn in arns:
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise AwsError("MalformedArnException", f"The specified resource share invitation ARN {arn} is not valid. Verify the ARN and try again.")


@handles("ram", "GetResourceShareInvitations")
def get_resource_share_invitations(call: Call) -> dict[str, Any]:
    """What the receiving account sees: appeared, not yet purged, in any status."""
    params = call.params
    found = _received_invitations(call)
    wanted = params.get("resourceShareInvitationArns") or []
    _check_invitation_arns(wanted)
    _check_invitation_arns(params.get("resourceShareArns") or [])
    for arn in wanted:
        if arn not in {i.arn for _, i in found}:
            raise AwsError("ResourceShareInvitationArnNotFoundException", f"ResourceShareInvitation {arn} could not be found.")
    if wanted:
        found = [(s, i) for s, i in found if i.arn in wanted]
    if params.get("resourceShareArns"):
        found = [(s, i) for s, i in found if s.arn in params["resourceShareArns"]]
    chunk, token = _page(call, found)
    return {"resourceShareInvitations": [_invitation_shape(s, i) for s, i in chunk], "nextToken": token}


def _answer_invitation(call: Call, accept: bool) -> dict[str, Any]:
    arn = call.params.get("resourceShareInvitationArn")
    _check_invitation_arns([arn])
    match = next(((s, i) for s, i in _received_invitations(call, purged=True) if i.arn == arn), None)
    if match is None:
        raise AwsError("ResourceShareInvitationArnNotFoundException", f"ResourceShareInvitation {arn} could not be found.")
    share, invitation = match
    if invitation.purged(time.time()):
        # A purged invitation that was still pending has expired; any other is simply gone.
        if invitation.status in ("PENDING", "EXPIRED"):
            invitation.status = "EXPIRED"
            raise AwsError("ResourceShareInvitationExpiredException", f"ResourceShareInvitation {arn} has expired.")
        raise AwsError("ResourceShareInvitationArnNotFoundException", f"ResourceShareInvitation {arn} could not be found.")
    if invitation.status == "ACCEPTED":
        raise AwsError("ResourceShareInvitationAlreadyAcceptedException", f"ResourceShareInvitation {arn} was already accepted.")
    if invitation.status == "REJECTED":
        raise AwsError("ResourceShareInvitationAlreadyRejectedException", f"ResourceShareInvitation {arn} was already rejected.")
    if invitation.status == "EXPIRED" or share.status != "ACTIVE":
        raise AwsError("ResourceShareInvitationExpiredException", f"ResourceShareInvitation {arn} has expired.")
    invitation.status = "ACCEPTED" if accept else "REJECTED"
    usable_at = monotonic() + call.world.settings.delay("ram_share.propagation")
    for association in share.associations:
        if association.kind == "PRINCIPAL" and association.entity == call.account and association.status == "ASSOCIATING":
            _set_status(association, "ASSOCIATED" if accept else "DISASSOCIATED")
            association.usable_at = usable_at
    return {"resourceShareInvitation": _invitation_shape(share, invitation)}


@handles("ram", "AcceptResourceShareInvitation")
def accept_resource_share_invitation(call: Call) -> dict[str, Any]:
    return _idempotent(call, "AcceptResourceShareInvitation", lambda: _answer_invitation(call, accept=True))


@handles("ram", "RejectResourceShareInvitation")
def reject_resource_share_invitation(call: Call) -> dict[str, Any]:
    return _idempotent(call, "RejectResourceShareInvitation", lambda: _answer_invitation(call, accept=False))


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    shares = []
    for store_account, store_region, store in world.stores(RamStore):
        if store_account != account or (region and store_region != region):
            continue
        for share in store.shares.values():
            if share.status == "DELETED":
                continue
            shares.append(
                {
                    "arn": share.arn,
                    "region": store_region,
                    "name": share.name,
                    "status": share.status,
                    "tags": dict(share.tags),
                    "associations": [
                        {"entity": a.entity, "type": a.kind, "status": a.status} for a in share.associations if a.status != "DISASSOCIATED"
                    ],
                }
            )
    return {"ram_resource_shares": shares}
