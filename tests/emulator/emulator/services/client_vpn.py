"""EC2 Client VPN: endpoints, target network associations, authorization rules and routes.

moto has no Client VPN. This follows the EC2 API reference: answers in EC2's XML shapes, the
transitional states (`associating → associated`, `disassociating → gone`, `authorizing →
active`, `revoking → gone`, `creating → active`, `deleting → gone`) with configurable delays,
AWS's error codes, filters and MaxResults/NextToken paging, and ClientToken idempotency.

Two AWS behaviours the provider must cope with are modelled on purpose:

* at most `concurrent_mutation_limit` (10 on AWS, not adjustable) mutations may be in flight per
  endpoint — requests being processed plus rules, routes and associations still in a
  transitional state; one more gets `ConcurrentMutationLimitExceeded`;
* associating a subnet adds a route to the VPC's CIDR with origin `associate`, and
  disassociating removes the routes through that subnet; a route needs an `associated` subnet.

Endpoints attached to a transit gateway (`TransitGatewayConfiguration`) have no subnets: their
routes name no subnet and go through the endpoint's TGW attachment (`client_vpn_tgw.py`).
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

from moto.ds.models import ds_backends

from .. import ec2_filters, ids
from ..errors import AwsError
from ..pagination import page
from . import Call, Delegate, Release, client_vpn_tgw, handles
from .transit_gateways import backend

RULE_QUOTA = 200
#: User tags per EC2 resource (AWS's quota, not adjustable); one more is `TagLimitExceeded`.
TAGS_PER_RESOURCE_QUOTA = 50
ROUTES_PER_ASSOCIATION_QUOTA = 100
TRANSITIONAL = {"associating", "disassociating", "authorizing", "revoking", "creating", "deleting"}


@dataclass
class TargetNetwork:
    association_id: str
    endpoint_id: str
    subnet_id: str
    vpc_id: str
    availability_zone: str
    status: str
    security_groups: list[str]


@dataclass
class AuthorizationRule:
    endpoint_id: str
    destination_cidr: str
    group_id: str | None
    access_all: bool
    description: str | None
    status: str


@dataclass
class ClientVpnRoute:
    endpoint_id: str
    destination_cidr: str
    target_subnet: str | None  # None on a TGW-attached endpoint
    origin: str
    status: str
    description: str | None
    attachment_id: str | None = None  # the TGW attachment the route goes through


@dataclass
class Endpoint:
    endpoint_id: str
    client_cidr_block: str
    server_certificate_arn: str
    authentication: list[dict[str, Any]]
    connection_log: dict[str, Any]
    description: str | None
    dns_servers: list[str]
    transport_protocol: str
    vpn_port: int
    split_tunnel: bool
    vpc_id: str | None
    security_group_ids: list[str]
    session_timeout_hours: int
    self_service_portal: str
    tags: dict[str, str]
    region: str
    status: str = "pending-associate"
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    associations: dict[str, TargetNetwork] = field(default_factory=dict)
    rules: list[AuthorizationRule] = field(default_factory=list)
    routes: list[ClientVpnRoute] = field(default_factory=list)
    #: TransitGatewayConfiguration as asked (TGW ID and both AZ forms), None for VPC endpoints.
    transit_gateway: dict[str, Any] | None = None
    attachment: Any = None

    def transitional(self) -> int:
        """Mutations still in progress on this endpoint (they count against the limit)."""
        return (
            sum(a.status in TRANSITIONAL for a in self.associations.values())
            + sum(r.status in TRANSITIONAL for r in self.rules)
            + sum(r.status in TRANSITIONAL for r in self.routes)
        )


class ClientVpnStore:
    """Endpoints of one (account, Region), the ClientTokens seen, and requests in flight."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.endpoints: dict[str, Endpoint] = {}
        self.tokens: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.in_flight: dict[str, int] = {}


# ---------------------------------------------------------------------------------------------
# Common pieces


def _store(call: Call) -> ClientVpnStore:
    return call.store(ClientVpnStore)


def _endpoint(call: Call) -> Endpoint:
    endpoint_id = call.params.get("ClientVpnEndpointId")
    if not endpoint_id:
        raise AwsError("MissingParameter", "The request must contain the parameter ClientVpnEndpointId.")
    endpoint = _store(call).endpoints.get(endpoint_id)
    if endpoint is None:
        raise AwsError("InvalidClientVpnEndpointId.NotFound", f"The Client VPN endpoint ID '{endpoint_id}' does not exist")
    return endpoint


def admit_mutation(call: Call) -> Release:
    """Refuses a mutation when the endpoint already has the limit of mutations in flight."""
    store = _store(call)
    endpoint = store.endpoints.get(call.params.get("ClientVpnEndpointId") or "")
    if endpoint is None:
        return lambda: None  # the handler answers InvalidClientVpnEndpointId.NotFound
    limit = call.world.settings.concurrent_mutation_limit
    busy = store.in_flight.get(endpoint.endpoint_id, 0) + endpoint.transitional()
    if busy >= limit:
        raise AwsError(
            "ConcurrentMutationLimitExceeded",
            f"Too many concurrent mutations on Client VPN endpoint {endpoint.endpoint_id}: {busy} in progress, the limit is {limit}. Try again later.",
        )
    store.in_flight[endpoint.endpoint_id] = store.in_flight.get(endpoint.endpoint_id, 0) + 1

    def release() -> None:
        store.in_flight[endpoint.endpoint_id] -= 1

    return release


def _idempotent(call: Call, action: str, produce: Any) -> dict[str, Any]:
    """Same ClientToken + same request → the first answer again; different request → error."""
    token = call.params.get("ClientToken")
    if not token:
        return produce()
    store = _store(call)
    fingerprint = json.dumps({k: v for k, v in call.params.items() if k not in ("ClientToken", "DryRun")}, sort_keys=True, default=str)
    if token in store.tokens:
        seen_action, seen_fingerprint, answer = store.tokens[token]
        if seen_action == action and seen_fingerprint == fingerprint:
            return copy.deepcopy(answer)
        raise AwsError("IdempotentParameterMismatch", f"The client token {token} was already used for a different request.")
    answer = produce()
    store.tokens[token] = (action, fingerprint, copy.deepcopy(answer))
    return answer


def _cidr(value: Any, name: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=False)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        raise AwsError("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid. It must be an IPv4 CIDR.") from None


def _same_cidr(a: str, b: str) -> bool:
    return _cidr(a, "cidr") == _cidr(b, "cidr")


def _phases(call: Call, item: Any, steps: list[tuple[str, str]], finish: Any) -> None:
    settings = call.world.settings
    call.world.scheduler.phases(
        item, lambda state: setattr(item, "status", state), [(state, settings.delay(key)) for state, key in steps], finish
    )


def _status(code: str) -> dict[str, str]:
    return {"Code": code}


# ---------------------------------------------------------------------------------------------
# Endpoints


def _endpoint_shape(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": endpoint.endpoint_id,
        "Description": endpoint.description,
        "Status": _status(endpoint.status),
        "CreationTime": endpoint.created.strftime("%Y-%m-%dT%H:%M:%S"),
        "DnsName": f"*.{endpoint.endpoint_id}.prod.clientvpn.{endpoint.region}.amazonaws.com",
        "ClientCidrBlock": endpoint.client_cidr_block,
        "DnsServers": endpoint.dns_servers or None,
        "SplitTunnel": endpoint.split_tunnel,
        "VpnProtocol": "openvpn",
        "TransportProtocol": endpoint.transport_protocol,
        "VpnPort": endpoint.vpn_port,
        "ServerCertificateArn": endpoint.server_certificate_arn,
        "AuthenticationOptions": endpoint.authentication,
        "ConnectionLogOptions": endpoint.connection_log,
        "Tags": ec2_filters.tag_list(endpoint.tags) or None,
        "SecurityGroupIds": endpoint.security_group_ids or None,
        "VpcId": endpoint.vpc_id,
        "SelfServicePortalUrl": None,
        "ClientConnectOptions": {"Enabled": False},
        "SessionTimeoutHours": endpoint.session_timeout_hours,
        "ClientLoginBannerOptions": {"Enabled": False},
        "TransitGatewayConfiguration": _transit_gateway_shape(endpoint),
    }


def _transit_gateway_shape(endpoint: Endpoint) -> dict[str, Any] | None:
    if endpoint.transit_gateway is None:
        return None
    return {**endpoint.transit_gateway, "TransitGatewayAttachmentId": endpoint.attachment.id if endpoint.attachment is not None else None}


def _authentication(call: Call, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not options or len(options) > 2:
        raise AwsError("InvalidParameterValue", "Specify one or two authentication options.")
    result = []
    for option in options:
        kind = option.get("Type")
        if kind == "directory-service-authentication":
            directory_id = (option.get("ActiveDirectory") or {}).get("DirectoryId")
            if not directory_id:
                raise AwsError("MissingParameter", "directory-service-authentication needs ActiveDirectory.DirectoryId.")
            if directory_id not in ds_backends[call.account][call.region].directories:
                raise AwsError("InvalidParameterValue", f"Directory {directory_id} does not exist in this account and Region.")
            result.append({"Type": kind, "ActiveDirectory": {"DirectoryId": directory_id}})
        elif kind == "certificate-authentication":
            chain = (option.get("MutualAuthentication") or {}).get("ClientRootCertificateChainArn")
            if not chain:
                raise AwsError("MissingParameter", "certificate-authentication needs MutualAuthentication.ClientRootCertificateChainArn.")
            result.append({"Type": kind, "MutualAuthentication": {"ClientRootCertificateChain": chain}})
        elif kind == "federated-authentication":
            saml = option.get("FederatedAuthentication") or {}
            if not saml.get("SAMLProviderArn"):
                raise AwsError("MissingParameter", "federated-authentication needs FederatedAuthentication.SAMLProviderArn.")
            result.append(
                {
                    "Type": kind,
                    "FederatedAuthentication": {"SamlProviderArn": saml["SAMLProviderArn"], "SelfServiceSamlProviderArn": saml.get("SelfServiceSAMLProviderArn")},
                }
            )
        else:
            raise AwsError("InvalidParameterValue", f"Value ({kind}) for parameter Authentication.Type is invalid.")
    return result


@handles("ec2", "CreateClientVpnEndpoint")
def create_endpoint(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        params = call.params
        client_cidr = _cidr(params.get("ClientCidrBlock"), "ClientCidrBlock")
        if not 12 <= client_cidr.prefixlen <= 22:
            raise AwsError("InvalidParameterValue", f"ClientCidrBlock {client_cidr} must be between /12 and /22.")
        if not params.get("ServerCertificateArn"):
            raise AwsError("MissingParameter", "The request must contain the parameter ServerCertificateArn.")
        log_options = params.get("ConnectionLogOptions")
        if log_options is None:
            raise AwsError("MissingParameter", "The request must contain the parameter ConnectionLogOptions.")
        authentication = _authentication(call, params.get("AuthenticationOptions") or [])
        be = backend(call.account, call.region)
        vpc_id = params.get("VpcId")
        security_groups = list(params.get("SecurityGroupIds") or [])
        tgw_config = params.get("TransitGatewayConfiguration")
        tgw_plan = None
        if tgw_config is not None:
            if vpc_id or security_groups:
                raise AwsError("InvalidParameterCombination", "You cannot specify both TransitGatewayConfiguration and VpcId/SecurityGroupIds.")
            tgw_plan = client_vpn_tgw.plan(call, tgw_config)
        if security_groups and not vpc_id:
            raise AwsError("InvalidParameterCombination", "SecurityGroupIds need a VpcId.")
        if vpc_id:
            be.get_vpc(vpc_id)
            if not security_groups:
                default = be.get_security_group_from_name("default", vpc_id=vpc_id)
                security_groups = [default.id] if default is not None else []
        transport = params.get("TransportProtocol") or "udp"
        if transport not in ("udp", "tcp"):
            raise AwsError("InvalidParameterValue", f"Value ({transport}) for parameter TransportProtocol is invalid.")
        endpoint = Endpoint(
            endpoint_id=ids.hex_id("cvpn-endpoint"),
            client_cidr_block=str(client_cidr),
            server_certificate_arn=params["ServerCertificateArn"],
            authentication=authentication,
            connection_log={k: v for k, v in log_options.items() if v is not None},
            description=params.get("Description"),
            dns_servers=list(params.get("DnsServers") or []),
            transport_protocol=transport,
            vpn_port=int(params.get("VpnPort") or 443),
            split_tunnel=bool(params.get("SplitTunnel")),
            vpc_id=vpc_id,
            security_group_ids=security_groups,
            session_timeout_hours=int(params.get("SessionTimeoutHours") or 24),
            self_service_portal=params.get("SelfServicePortal") or "disabled",
            tags=ec2_filters.tags_from_specifications(params.get("TagSpecifications"), "client-vpn-endpoint"),
            region=call.region,
        )
        _store(call).endpoints[endpoint.endpoint_id] = endpoint
        if tgw_plan is not None:
            endpoint.transit_gateway = {
                "TransitGatewayId": tgw_plan.tgw.id,
                "AvailabilityZones": tgw_plan.zones,
                "AvailabilityZoneIds": tgw_plan.zone_ids,
            }
            endpoint.attachment = client_vpn_tgw.attach(call, endpoint, tgw_plan)
        shape = _endpoint_shape(endpoint)
        return {"ClientVpnEndpointId": endpoint.endpoint_id, "Status": shape["Status"], "DnsName": shape["DnsName"]}

    return _idempotent(call, "CreateClientVpnEndpoint", produce)


ENDPOINT_FILTERS = {
    "endpoint-id": lambda e: e.endpoint_id,
    "transport-protocol": lambda e: e.transport_protocol,
}


@handles("ec2", "DescribeClientVpnEndpoints")
def describe_endpoints(call: Call) -> dict[str, Any]:
    params = call.params
    endpoints = list(_store(call).endpoints.values())
    wanted = params.get("ClientVpnEndpointIds") or []
    for endpoint_id in wanted:
        if endpoint_id not in {e.endpoint_id for e in endpoints}:
            raise AwsError("InvalidClientVpnEndpointId.NotFound", f"The Client VPN endpoint ID '{endpoint_id}' does not exist")
    if wanted:
        endpoints = [e for e in endpoints if e.endpoint_id in wanted]
    endpoints = ec2_filters.select(endpoints, params.get("Filters"), ENDPOINT_FILTERS, lambda e: e.tags)
    chunk, token = page(endpoints, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[wanted, params.get("Filters")], minimum=5)
    return {"ClientVpnEndpoints": [_endpoint_shape(e) for e in chunk], "NextToken": token}


def _tagged_endpoints(call: Call) -> list[Endpoint] | None:
    """The Client VPN endpoints a CreateTags/DeleteTags call names, or None when it names none
    (moto serves the call). moto has no Client VPN, so it cannot tag our endpoints; a call mixing
    endpoints with other resources is refused rather than half served."""
    resources = call.params.get("Resources") or []
    endpoint_ids = [r for r in resources if r.startswith("cvpn-endpoint-")]
    if not endpoint_ids:
        return None
    if len(endpoint_ids) != len(resources):
        raise AwsError(
            "InvalidParameterValue",
            "The emulator tags Client VPN endpoints only in calls naming nothing else; tag the other resources in another call.",
        )
    endpoints = _store(call).endpoints
    missing = [e for e in endpoint_ids if e not in endpoints]
    if missing:
        raise AwsError("InvalidClientVpnEndpointId.NotFound", f"The Client VPN endpoint ID '{missing[0]}' does not exist")
    return [endpoints[e] for e in endpoint_ids]


@handles("ec2", "CreateTags")
def create_tags(call: Call) -> dict[str, Any] | Delegate:
    """Tags of Client VPN endpoints (an existing key is overwritten); other resources go to moto."""
    endpoints = _tagged_endpoints(call)
    if endpoints is None:
        return Delegate()
    tags = {t["Key"]: t.get("Value") or "" for t in call.params.get("Tags") or []}
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", f"Tag keys starting with 'aws:' are reserved for internal use: {key}")
        if not key or len(key) > 128 or len(value) > 256:
            raise AwsError("InvalidParameterValue", f"Tag key must be 1 to 128 characters and its value at most 256: {key}")
    for endpoint in endpoints:
        if len(endpoint.tags.keys() | tags.keys()) > TAGS_PER_RESOURCE_QUOTA:
            raise AwsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
    for endpoint in endpoints:
        endpoint.tags.update(tags)
    return {}


@handles("ec2", "DeleteTags")
def delete_tags(call: Call) -> dict[str, Any] | Delegate:
    """Removes tags of Client VPN endpoints as AWS does: a tag given with a value only if it has
    that value, every tag when none is named; keys that are not there are no error. Other
    resources go to moto."""
    endpoints = _tagged_endpoints(call)
    if endpoints is None:
        return Delegate()
    for endpoint in endpoints:
        if not call.params.get("Tags"):
            # No tags named: every user tag goes, as on AWS.
            endpoint.tags.clear()
        for tag in call.params.get("Tags") or []:
            key = tag["Key"]
            if key in endpoint.tags and ("Value" not in tag or tag["Value"] == endpoint.tags[key]):
                del endpoint.tags[key]
    return {}


@handles("ec2", "DeleteClientVpnEndpoint")
def delete_endpoint(call: Call) -> dict[str, Any]:
    endpoint = _endpoint(call)
    if endpoint.associations:
        raise AwsError(
            "IncorrectState",
            f"Client VPN endpoint {endpoint.endpoint_id} still has target networks associated; disassociate them first.",
        )
    client_vpn_tgw.detach(call, endpoint)
    del _store(call).endpoints[endpoint.endpoint_id]
    return {"Status": _status("deleting")}


# ---------------------------------------------------------------------------------------------
# Target networks


def _target_network_shape(association: TargetNetwork) -> dict[str, Any]:
    return {
        "AssociationId": association.association_id,
        "VpcId": association.vpc_id,
        "TargetNetworkId": association.subnet_id,
        "ClientVpnEndpointId": association.endpoint_id,
        "Status": _status(association.status),
        "SecurityGroups": association.security_groups or None,
    }


def _check_association_target(endpoint: Endpoint, params: dict[str, Any]) -> None:
    """Subnets are for VPC endpoints; Availability Zones (AvailabilityZone/Id) for TGW ones."""
    by_zone = params.get("AvailabilityZone") or params.get("AvailabilityZoneId")
    if endpoint.transit_gateway is None:
        if by_zone:
            raise AwsError(
                "InvalidParameterCombination",
                f"AvailabilityZone and AvailabilityZoneId are for endpoints attached to a transit gateway; {endpoint.endpoint_id} takes a SubnetId.",
            )
        return
    if params.get("SubnetId"):
        raise AwsError(
            "InvalidParameterCombination",
            f"Client VPN endpoint {endpoint.endpoint_id} is attached to transit gateway {endpoint.transit_gateway['TransitGatewayId']} and takes no subnet (SubnetId).",
        )
    if not by_zone:
        raise AwsError("MissingParameter", "The request must contain the parameter AvailabilityZone or AvailabilityZoneId.")
    raise AwsError(
        "UnsupportedOperation",
        f"The emulator does not add Availability Zones to {endpoint.endpoint_id} after creation; set them in TransitGatewayConfiguration.",
    )


@handles("ec2", "AssociateClientVpnTargetNetwork", admit=admit_mutation)
def associate_target_network(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        endpoint = _endpoint(call)
        subnet_id = call.params.get("SubnetId")
        _check_association_target(endpoint, call.params)
        if not subnet_id:
            raise AwsError("MissingParameter", "The request must contain the parameter SubnetId.")
        be = backend(call.account, call.region)
        try:
            subnet = be.get_subnet(subnet_id)
        except Exception:
            raise AwsError("InvalidClientVpnSubnetId.NotFound", f"The subnet ID '{subnet_id}' does not exist") from None
        if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
            raise AwsError("InvalidParameterValue", f"Subnet {subnet_id} is not in the endpoint's VPC {endpoint.vpc_id}.")
        for other in endpoint.associations.values():
            if other.subnet_id == subnet_id:
                raise AwsError("InvalidClientVpnDuplicateAssociationException", f"Subnet {subnet_id} is already associated with {endpoint.endpoint_id}.")
            if other.availability_zone == subnet.availability_zone:
                raise AwsError(
                    "InvalidClientVpnSubnetId.DuplicateAz",
                    f"Subnet {other.subnet_id} in {subnet.availability_zone} is already associated; one subnet per Availability Zone.",
                )
        if _cidr(subnet.cidr_block, "subnet").overlaps(_cidr(endpoint.client_cidr_block, "ClientCidrBlock")):
            raise AwsError("InvalidClientVpnSubnetId.OverlappingCidr", f"Subnet {subnet_id} overlaps the client CIDR {endpoint.client_cidr_block}.")
        endpoint.vpc_id = endpoint.vpc_id or subnet.vpc_id
        association = TargetNetwork(
            association_id=ids.hex_id("cvpn-assoc"),
            endpoint_id=endpoint.endpoint_id,
            subnet_id=subnet_id,
            vpc_id=subnet.vpc_id,
            availability_zone=subnet.availability_zone,
            status="associating",
            security_groups=list(endpoint.security_group_ids),
        )
        endpoint.associations[association.association_id] = association
        vpc_cidr = be.get_vpc(subnet.vpc_id).cidr_block

        def associated() -> None:
            association.status = "associated"
            endpoint.status = "available"
            if not any(r.destination_cidr == vpc_cidr and r.target_subnet == subnet_id for r in endpoint.routes):
                endpoint.routes.append(ClientVpnRoute(endpoint.endpoint_id, vpc_cidr, subnet_id, "associate", "active", "Default Route"))

        _phases(call, association, [("associating", "client_vpn_association.associating")], associated)
        return {"AssociationId": association.association_id, "Status": _status("associating")}

    return _idempotent(call, "AssociateClientVpnTargetNetwork", produce)


@handles("ec2", "DisassociateClientVpnTargetNetwork", admit=admit_mutation)
def disassociate_target_network(call: Call) -> dict[str, Any]:
    endpoint = _endpoint(call)
    association_id = call.params.get("AssociationId")
    association = endpoint.associations.get(association_id or "")
    if association is None:
        raise AwsError("InvalidClientVpnAssociationIdNotFound", f"The association ID '{association_id}' does not exist")
    if association.status != "associated":
        raise AwsError("IncorrectState", f"Association {association_id} is {association.status}; wait until it is associated.")

    def gone() -> None:
        endpoint.associations.pop(association.association_id, None)
        endpoint.routes = [r for r in endpoint.routes if r.target_subnet != association.subnet_id]
        if not endpoint.associations:
            endpoint.status = "pending-associate"

    _phases(call, association, [("disassociating", "client_vpn_association.disassociating")], gone)
    return {"AssociationId": association.association_id, "Status": _status("disassociating")}


TARGET_NETWORK_FILTERS = {
    "association-id": lambda a: a.association_id,
    "target-network-id": lambda a: a.subnet_id,
    "vpc-id": lambda a: a.vpc_id,
}


@handles("ec2", "DescribeClientVpnTargetNetworks")
def describe_target_networks(call: Call) -> dict[str, Any]:
    params = call.params
    endpoint = _endpoint(call)
    associations = list(endpoint.associations.values())
    wanted = params.get("AssociationIds") or []
    if wanted:
        associations = [a for a in associations if a.association_id in wanted]
    associations = ec2_filters.select(associations, params.get("Filters"), TARGET_NETWORK_FILTERS)
    chunk, token = page(associations, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[endpoint.endpoint_id, wanted, params.get("Filters")], minimum=5)
    return {"ClientVpnTargetNetworks": [_target_network_shape(a) for a in chunk], "NextToken": token}


# ---------------------------------------------------------------------------------------------
# Authorization rules


def _rule_shape(rule: AuthorizationRule) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": rule.endpoint_id,
        "Description": rule.description,
        "GroupId": rule.group_id or "",
        "AccessAll": rule.access_all,
        "DestinationCidr": rule.destination_cidr,
        "Status": _status(rule.status),
    }


def _group_choice(call: Call, all_flag: str) -> tuple[str | None, bool]:
    group = call.params.get("AccessGroupId") or None
    everyone = bool(call.params.get(all_flag))
    if bool(group) == everyone:
        raise AwsError("InvalidParameterCombination", f"Specify either AccessGroupId or {all_flag}=true, not both and not neither.")
    return group, everyone


@handles("ec2", "AuthorizeClientVpnIngress", admit=admit_mutation)
def authorize_ingress(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        endpoint = _endpoint(call)
        cidr = call.params.get("TargetNetworkCidr")
        _cidr(cidr, "TargetNetworkCidr")
        group, everyone = _group_choice(call, "AuthorizeAllGroups")
        for rule in endpoint.rules:
            if _same_cidr(rule.destination_cidr, cidr) and rule.access_all == everyone and (everyone or rule.group_id == group):
                raise AwsError(
                    "InvalidClientVpnDuplicateAuthorizationRule",
                    f"An authorization rule for {cidr} and {'all groups' if everyone else group} already exists on {endpoint.endpoint_id}.",
                )
        if len(endpoint.rules) >= RULE_QUOTA:
            raise AwsError("ClientVpnAuthorizationRuleLimitExceeded", f"{endpoint.endpoint_id} already has {RULE_QUOTA} authorization rules.")
        rule = AuthorizationRule(endpoint.endpoint_id, cidr, group, everyone, call.params.get("Description"), "authorizing")
        endpoint.rules.append(rule)
        _phases(call, rule, [("authorizing", "client_vpn_rule.authorizing")], lambda: setattr(rule, "status", "active"))
        return {"Status": _status("authorizing")}

    return _idempotent(call, "AuthorizeClientVpnIngress", produce)


@handles("ec2", "RevokeClientVpnIngress", admit=admit_mutation)
def revoke_ingress(call: Call) -> dict[str, Any]:
    endpoint = _endpoint(call)
    cidr = call.params.get("TargetNetworkCidr")
    _cidr(cidr, "TargetNetworkCidr")
    group, everyone = _group_choice(call, "RevokeAllGroups")
    for rule in endpoint.rules:
        if (
            _same_cidr(rule.destination_cidr, cidr)
            and rule.access_all == everyone
            and (everyone or rule.group_id == group)
            and rule.status != "revoking"
        ):
            _phases(call, rule, [("revoking", "client_vpn_rule.revoking")], lambda r=rule: endpoint.rules.remove(r))
            return {"Status": _status("revoking")}
    raise AwsError(
        "InvalidClientVpnEndpointAuthorizationRuleNotFound",
        f"No authorization rule for {cidr} and {'all groups' if everyone else group} exists on {endpoint.endpoint_id}.",
    )


RULE_FILTERS = {
    "description": lambda r: r.description,
    "destination-cidr": lambda r: r.destination_cidr,
    "group-id": lambda r: r.group_id,
}


@handles("ec2", "DescribeClientVpnAuthorizationRules")
def describe_rules(call: Call) -> dict[str, Any]:
    params = call.params
    endpoint = _endpoint(call)
    rules = ec2_filters.select(list(endpoint.rules), params.get("Filters"), RULE_FILTERS)
    chunk, token = page(rules, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[endpoint.endpoint_id, params.get("Filters")], minimum=5)
    return {"AuthorizationRules": [_rule_shape(r) for r in chunk], "NextToken": token}


# ---------------------------------------------------------------------------------------------
# Routes


def _route_shape(route: ClientVpnRoute) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": route.endpoint_id,
        "DestinationCidr": route.destination_cidr,
        "TargetSubnet": route.target_subnet,
        "Type": "Nat" if route.target_subnet else None,
        "Origin": route.origin,
        "Status": _status(route.status),
        "Description": route.description,
        "TransitGatewayAttachmentId": route.attachment_id,
    }


def _transit_gateway_route(call: Call, endpoint: Endpoint, cidr: str) -> ClientVpnRoute:
    """A route of a TGW-attached endpoint: no subnet, through the endpoint's attachment."""
    if call.params.get("TargetVpcSubnetId"):
        raise AwsError(
            "InvalidParameterCombination",
            f"Client VPN endpoint {endpoint.endpoint_id} is attached to a transit gateway; its routes take no TargetVpcSubnetId.",
        )
    attachment = endpoint.attachment
    if attachment is None or attachment.state != "available":
        state = attachment.state if attachment is not None else "missing"
        raise AwsError("IncorrectState", f"The transit gateway attachment of {endpoint.endpoint_id} is {state}; routes need an available attachment.")
    for route in endpoint.routes:
        if _same_cidr(route.destination_cidr, cidr):
            raise AwsError("InvalidClientVpnDuplicateRoute", f"A route to {cidr} already exists on {endpoint.endpoint_id}.")
    if len(endpoint.routes) >= ROUTES_PER_ASSOCIATION_QUOTA:
        raise AwsError("ClientVpnRouteLimitExceeded", f"{endpoint.endpoint_id} already has {ROUTES_PER_ASSOCIATION_QUOTA} routes.")
    return ClientVpnRoute(endpoint.endpoint_id, cidr, None, "add-route", "creating", call.params.get("Description"), attachment.id)


@handles("ec2", "CreateClientVpnRoute", admit=admit_mutation)
def create_route(call: Call) -> dict[str, Any]:
    def produce() -> dict[str, Any]:
        endpoint = _endpoint(call)
        cidr = call.params.get("DestinationCidrBlock")
        _cidr(cidr, "DestinationCidrBlock")
        if endpoint.transit_gateway is not None:
            route = _transit_gateway_route(call, endpoint, cidr)
            endpoint.routes.append(route)
            _phases(call, route, [("creating", "client_vpn_route.creating")], lambda: setattr(route, "status", "active"))
            return {"Status": _status("creating")}
        subnet_id = call.params.get("TargetVpcSubnetId")
        if not subnet_id:
            raise AwsError("MissingParameter", "The request must contain the parameter TargetVpcSubnetId.")
        if not any(a.subnet_id == subnet_id and a.status == "associated" for a in endpoint.associations.values()):
            raise AwsError(
                "InvalidClientVpnActiveAssociationNotFound",
                f"Subnet {subnet_id} has no active association with {endpoint.endpoint_id}.",
            )
        for route in endpoint.routes:
            if _same_cidr(route.destination_cidr, cidr) and route.target_subnet == subnet_id:
                raise AwsError("InvalidClientVpnDuplicateRoute", f"A route to {cidr} through {subnet_id} already exists on {endpoint.endpoint_id}.")
        if sum(r.target_subnet == subnet_id for r in endpoint.routes) >= ROUTES_PER_ASSOCIATION_QUOTA:
            raise AwsError("ClientVpnRouteLimitExceeded", f"Subnet {subnet_id} already has {ROUTES_PER_ASSOCIATION_QUOTA} routes.")
        route = ClientVpnRoute(endpoint.endpoint_id, cidr, subnet_id, "add-route", "creating", call.params.get("Description"))
        endpoint.routes.append(route)
        _phases(call, route, [("creating", "client_vpn_route.creating")], lambda: setattr(route, "status", "active"))
        return {"Status": _status("creating")}

    return _idempotent(call, "CreateClientVpnRoute", produce)


@handles("ec2", "DeleteClientVpnRoute", admit=admit_mutation)
def delete_route(call: Call) -> dict[str, Any]:
    endpoint = _endpoint(call)
    cidr = call.params.get("DestinationCidrBlock")
    _cidr(cidr, "DestinationCidrBlock")
    subnet_id = call.params.get("TargetVpcSubnetId")
    if subnet_id and endpoint.transit_gateway is not None:
        raise AwsError(
            "InvalidParameterCombination",
            f"Client VPN endpoint {endpoint.endpoint_id} is attached to a transit gateway; its routes take no TargetVpcSubnetId.",
        )
    for route in endpoint.routes:
        if _same_cidr(route.destination_cidr, cidr) and subnet_id in (None, route.target_subnet) and route.status != "deleting":
            if route.origin == "associate":
                raise AwsError(
                    "InvalidParameterValue",
                    f"The route to {cidr} was added by associating {route.target_subnet}; disassociate the subnet to remove it.",
                )
            _phases(call, route, [("deleting", "client_vpn_route.deleting")], lambda r=route: endpoint.routes.remove(r))
            return {"Status": _status("deleting")}
    raise AwsError("InvalidClientVpnRouteNotFound", f"No route to {cidr} exists on {endpoint.endpoint_id}.")


ROUTE_FILTERS = {
    "destination-cidr": lambda r: r.destination_cidr,
    "origin": lambda r: r.origin,
    "target-subnet": lambda r: r.target_subnet,
}


@handles("ec2", "DescribeClientVpnRoutes")
def describe_routes(call: Call) -> dict[str, Any]:
    params = call.params
    endpoint = _endpoint(call)
    routes = ec2_filters.select(list(endpoint.routes), params.get("Filters"), ROUTE_FILTERS)
    chunk, token = page(routes, params.get("MaxResults"), params.get("NextToken"), cap=call.world.settings.page_size, query=[endpoint.endpoint_id, params.get("Filters")], minimum=5)
    return {"Routes": [_route_shape(r) for r in chunk], "NextToken": token}


# ---------------------------------------------------------------------------------------------
# Inventory


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {
        "client_vpn_endpoints": [],
        "client_vpn_target_networks": [],
        "client_vpn_authorization_rules": [],
        "client_vpn_routes": [],
    }
    for store_account, store_region, store in world.stores(ClientVpnStore):
        if store_account != account or (region and store_region != region):
            continue
        for endpoint in store.endpoints.values():
            result["client_vpn_endpoints"].append(
                {
                    "id": endpoint.endpoint_id,
                    "region": store_region,
                    "status": endpoint.status,
                    "tags": dict(endpoint.tags),
                    "transit_gateway_id": (endpoint.transit_gateway or {}).get("TransitGatewayId"),
                    "transit_gateway_attachment_id": endpoint.attachment.id if endpoint.attachment is not None else None,
                }
            )
            for association in endpoint.associations.values():
                result["client_vpn_target_networks"].append(
                    {"id": association.association_id, "endpoint_id": endpoint.endpoint_id, "subnet_id": association.subnet_id, "status": association.status}
                )
            for rule in endpoint.rules:
                result["client_vpn_authorization_rules"].append(
                    {"endpoint_id": endpoint.endpoint_id, "destination_cidr": rule.destination_cidr, "group_id": rule.group_id, "access_all": rule.access_all, "status": rule.status}
                )
            for route in endpoint.routes:
                result["client_vpn_routes"].append(
                    {
                        "endpoint_id": endpoint.endpoint_id,
                        "destination_cidr": route.destination_cidr,
                        "target_subnet": route.target_subnet,
                        "transit_gateway_attachment_id": route.attachment_id,
                        "origin": route.origin,
                        "status": route.status,
                    }
                )
    return result
