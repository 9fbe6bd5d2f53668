"""Client VPN endpoints attached to a transit gateway and their `client-vpn` TGW attachments."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, new_account, wait_for

CLIENT_CIDR = "172.16.0.0/22"
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/server"


def make_tgw(ec2, cidr_blocks=("10.99.0.0/24",), **options):
    if cidr_blocks:
        options["TransitGatewayCidrBlocks"] = list(cidr_blocks)
    tgw = ec2.create_transit_gateway(Description="hub", Options=options)["TransitGateway"]
    wait_for(lambda: ec2.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])["TransitGateways"][0]["State"], "available")
    return tgw


def create_endpoint(ec2, tgw_id, **config):
    return ec2.create_client_vpn_endpoint(
        ClientCidrBlock=CLIENT_CIDR,
        ServerCertificateArn=CERTIFICATE,
        AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": CERTIFICATE}}],
        ConnectionLogOptions={"Enabled": False},
        TransitGatewayConfiguration={"TransitGatewayId": tgw_id, **(config or {"AvailabilityZones": ["us-east-1a", "us-east-1b"]})},
    )


def endpoint_of(ec2, endpoint_id):
    return ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"][0]


def client_vpn_attachments(ec2):
    return ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-type", "Values": ["client-vpn"]}])["TransitGatewayAttachments"]


def attachment_state(ec2, attachment_id):
    return ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[attachment_id])["TransitGatewayAttachments"][0]["State"]


def routes(ec2, endpoint_id):
    return ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]


def share(client, spoke_account, tgw):
    """RAM-shares the hub's TGW with the spoke account, which accepts."""
    share_arn = client("ram").create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])["resourceShare"]["resourceShareArn"]
    spoke_ram = client("ram", account=spoke_account)
    invitation = spoke_ram.get_resource_share_invitations(resourceShareArns=[share_arn])["resourceShareInvitations"][0]
    spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])


def test_endpoint_on_a_tgw_gets_a_client_vpn_attachment_that_follows_the_tgw_defaults(admin, client, account):
    admin.config(delays={"client_vpn_attachment.pending": 0.3})
    ec2 = client("ec2")
    tgw = make_tgw(ec2)
    created = create_endpoint(ec2, tgw["TransitGatewayId"])
    endpoint_id = created["ClientVpnEndpointId"]
    assert created["Status"]["Code"] == "pending"
    [attachment] = client_vpn_attachments(ec2)
    attachment_id = attachment["TransitGatewayAttachmentId"]
    assert (attachment["ResourceId"], attachment["ResourceOwnerId"], attachment["TransitGatewayId"], attachment["State"]) == (
        endpoint_id, account, tgw["TransitGatewayId"], "pending"
    )
    assert endpoint_of(ec2, endpoint_id)["Status"]["Code"] == "pending"
    assert 0.1 < wait_for(lambda: attachment_state(ec2, attachment_id), "available") < 2
    described = endpoint_of(ec2, endpoint_id)
    assert described["Status"]["Code"] == "available"
    assert described["TransitGatewayConfiguration"] == {
        "TransitGatewayId": tgw["TransitGatewayId"],
        "TransitGatewayAttachmentId": attachment_id,
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "AvailabilityZoneIds": ["use1-az6", "use1-az1"],
    }
    assert "VpcId" not in described and "SecurityGroupIds" not in described
    assert ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)["ClientVpnTargetNetworks"] == []
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    associations = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"]
    assert [(a["TransitGatewayAttachmentId"], a["ResourceType"]) for a in associations] == [(attachment_id, "client-vpn")]
    propagated = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[{"Name": "type", "Values": ["propagated"]}])["Routes"]
    assert [(r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["ResourceType"]) for r in propagated] == [(CLIENT_CIDR, "client-vpn")]
    [entry] = admin.inventory(account)["client_vpn_endpoints"]
    assert (entry["transit_gateway_id"], entry["transit_gateway_attachment_id"], entry["status"]) == (tgw["TransitGatewayId"], attachment_id, "available")


def test_the_tgw_must_exist_be_available_and_have_a_cidr_block(admin, client, network):
    ec2 = client("ec2")
    bare = make_tgw(ec2, cidr_blocks=())
    with pytest.raises(ClientError) as excinfo:
        create_endpoint(ec2, bare["TransitGatewayId"])
    assert error_code(excinfo) == "InvalidParameterValue" and "CIDR block" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        create_endpoint(ec2, "tgw-0123456789abcdef0")
    assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
    admin.config(delays={"transit_gateway.pending": 5})
    pending = ec2.create_transit_gateway(Options={"TransitGatewayCidrBlocks": ["10.98.0.0/24"]})["TransitGateway"]["TransitGatewayId"]
    with pytest.raises(ClientError) as excinfo:
        create_endpoint(ec2, pending)
    assert error_code(excinfo) == "IncorrectState"
    admin.config(delays={"transit_gateway.pending": 0})
    ec2.modify_transit_gateway(TransitGatewayId=bare["TransitGatewayId"], Options={"AddTransitGatewayCidrBlocks": ["10.97.0.0/24"]})
    wait_for(lambda: ec2.describe_transit_gateways(TransitGatewayIds=[bare["TransitGatewayId"]])["TransitGateways"][0]["State"], "available")
    refused = [
        (dict(AvailabilityZones=["us-east-1a"], AvailabilityZoneIds=["use1-az6"]), "InvalidParameterCombination"),
        (dict(AvailabilityZones=["us-east-1z"]), "InvalidParameterValue"),
        (dict(AvailabilityZoneIds=[]), "MissingParameter"),
    ]
    for config, code in refused:
        with pytest.raises(ClientError) as excinfo:
            create_endpoint(ec2, bare["TransitGatewayId"], **config)
        assert error_code(excinfo) == code, config
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_endpoint(
            ClientCidrBlock=CLIENT_CIDR, ServerCertificateArn=CERTIFICATE, ConnectionLogOptions={"Enabled": False},
            AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": CERTIFICATE}}],
            VpcId=network["vpc"], TransitGatewayConfiguration={"TransitGatewayId": bare["TransitGatewayId"], "AvailabilityZones": ["us-east-1a"]},
        )
    assert error_code(excinfo) == "InvalidParameterCombination"
    assert client_vpn_attachments(ec2) == []  # nothing was half-created
    by_id = create_endpoint(ec2, bare["TransitGatewayId"], AvailabilityZoneIds=["use1-az2"])["ClientVpnEndpointId"]
    assert endpoint_of(ec2, by_id)["TransitGatewayConfiguration"]["AvailabilityZones"] == ["us-east-1c"]


def test_routes_name_no_subnet_and_go_through_the_attachment(admin, client, network):
    ec2 = client("ec2")
    tgw = make_tgw(ec2)
    endpoint_id = create_endpoint(ec2, tgw["TransitGatewayId"])["ClientVpnEndpointId"]
    wait_for(lambda: endpoint_of(ec2, endpoint_id)["Status"]["Code"], "available")
    attachment_id = endpoint_of(ec2, endpoint_id)["TransitGatewayConfiguration"]["TransitGatewayAttachmentId"]
    admin.config(delays={"client_vpn_route.creating": 0.3, "client_vpn_route.deleting": 0.3, "client_vpn_rule.authorizing": 0.3})
    assert ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.0.0.0/8", Description="spokes")["Status"]["Code"] == "creating"
    [route] = routes(ec2, endpoint_id)
    assert route["TransitGatewayAttachmentId"] == attachment_id and "TargetSubnet" not in route
    assert (route["DestinationCidr"], route["Origin"], route["Description"], route["Status"]["Code"]) == ("10.0.0.0/8", "add-route", "spokes", "creating")
    wait_for(lambda: routes(ec2, endpoint_id)[0]["Status"]["Code"], "active")
    refused = [
        (lambda: ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.0.0.0/8"), "InvalidClientVpnDuplicateRoute"),
        (lambda: ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=network["subnet_a"]), "InvalidParameterCombination"),
        (lambda: ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=network["subnet_a"]), "InvalidParameterCombination"),
        (lambda: ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AvailabilityZone="us-east-1c"), "UnsupportedOperation"),
    ]
    for call, code in refused:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == code
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/8", AuthorizeAllGroups=True)
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)["AuthorizationRules"]
    assert [(r["DestinationCidr"], r["Status"]["Code"]) for r in rules] == [("10.0.0.0/8", "authorizing")]
    wait_for(lambda: ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)["AuthorizationRules"][0]["Status"]["Code"], "active")
    assert ec2.delete_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.0.0.0/8")["Status"]["Code"] == "deleting"
    wait_for(lambda: routes(ec2, endpoint_id), [])


def test_the_mutation_limit_still_applies(admin, client):
    ec2 = client("ec2")
    tgw = make_tgw(ec2)
    endpoint_id = create_endpoint(ec2, tgw["TransitGatewayId"])["ClientVpnEndpointId"]
    wait_for(lambda: endpoint_of(ec2, endpoint_id)["Status"]["Code"], "available")
    admin.config(delays={"client_vpn_route.creating": 30}, concurrent_mutation_limit=2)
    for cidr in ("10.1.0.0/16", "10.2.0.0/16"):
        ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock=cidr)
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.3.0.0/16")
    assert error_code(excinfo) == "ConcurrentMutationLimitExceeded"


def test_a_spoke_endpoint_waits_for_the_owner_unless_the_tgw_auto_accepts(admin, client):
    admin.config(delays={"client_vpn_attachment.pending": 0.2})
    hub = client("ec2")
    manual = make_tgw(hub)
    automatic = make_tgw(hub, cidr_blocks=("10.96.0.0/24",), AutoAcceptSharedAttachments="enable")
    spoke_account = new_account()
    spoke = client("ec2", account=spoke_account)
    for tgw in (manual, automatic):
        share(client, spoke_account, tgw)

    waiting = create_endpoint(spoke, manual["TransitGatewayId"])["ClientVpnEndpointId"]
    attachment_id = endpoint_of(spoke, waiting)["TransitGatewayConfiguration"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment_state(spoke, attachment_id), "pendingAcceptance")
    assert attachment_state(hub, attachment_id) == "pendingAcceptance"  # the owner sees it too
    assert endpoint_of(spoke, waiting)["Status"]["Code"] == "pending"
    with pytest.raises(ClientError) as excinfo:
        spoke.create_client_vpn_route(ClientVpnEndpointId=waiting, DestinationCidrBlock="10.0.0.0/8")
    assert error_code(excinfo) == "IncorrectState"
    with pytest.raises(ClientError) as excinfo:  # only the TGW owner accepts, as for VPC attachments
        spoke.accept_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "InvalidParameterValue"
    accepted = hub.accept_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=attachment_id)["TransitGatewayClientVpnAttachment"]
    assert (accepted["ClientVpnEndpointId"], accepted["ClientVpnOwnerId"], accepted["State"]) == (waiting, spoke_account, "pending")
    wait_for(lambda: endpoint_of(spoke, waiting)["Status"]["Code"], "available")
    assert attachment_state(hub, attachment_id) == "available"

    rejected = create_endpoint(spoke, manual["TransitGatewayId"])["ClientVpnEndpointId"]
    rejected_attachment = endpoint_of(spoke, rejected)["TransitGatewayConfiguration"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment_state(hub, rejected_attachment), "pendingAcceptance")
    assert hub.reject_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=rejected_attachment)["TransitGatewayClientVpnAttachment"]["State"] == "rejected"
    assert attachment_state(spoke, rejected_attachment) == "rejected"
    with pytest.raises(ClientError) as excinfo:
        hub.accept_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=rejected_attachment)
    assert error_code(excinfo) == "IncorrectState"

    auto = create_endpoint(spoke, automatic["TransitGatewayId"])["ClientVpnEndpointId"]
    wait_for(lambda: endpoint_of(spoke, auto)["Status"]["Code"], "available")


def test_deleting_the_endpoint_or_the_attachment_deletes_the_attachment(admin, client, account):
    admin.config(delays={"client_vpn_attachment.deleting": 0.3})
    ec2 = client("ec2")
    tgw = make_tgw(ec2)
    first = create_endpoint(ec2, tgw["TransitGatewayId"])["ClientVpnEndpointId"]
    second = create_endpoint(ec2, tgw["TransitGatewayId"])["ClientVpnEndpointId"]
    for endpoint_id in (first, second):
        wait_for(lambda e=endpoint_id: endpoint_of(ec2, e)["Status"]["Code"], "available")
    first_attachment = endpoint_of(ec2, first)["TransitGatewayConfiguration"]["TransitGatewayAttachmentId"]
    second_attachment = endpoint_of(ec2, second)["TransitGatewayConfiguration"]["TransitGatewayAttachmentId"]
    ec2.create_client_vpn_route(ClientVpnEndpointId=second, DestinationCidrBlock="10.0.0.0/8")

    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=first)
    assert attachment_state(ec2, first_attachment) == "deleting"
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])
    assert error_code(excinfo) == "IncorrectState"
    wait_for(lambda: attachment_state(ec2, first_attachment), "deleted")

    deleted = ec2.delete_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=second_attachment)["TransitGatewayClientVpnAttachment"]
    assert (deleted["State"], deleted["ClientVpnEndpointId"]) == ("deleting", second)
    assert endpoint_of(ec2, second)["Status"]["Code"] == "pending-associate"
    assert routes(ec2, second) == []
    wait_for(lambda: attachment_state(ec2, second_attachment), "deleted")
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    assert ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)["Associations"] == []
    assert [a for a in admin.inventory(account)["transit_gateway_attachments"] if a["resource_type"] == "client-vpn"] == []
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_transit_gateway_client_vpn_attachment(TransitGatewayAttachmentId=second_attachment)
    assert error_code(excinfo) == "InvalidTransitGatewayAttachmentID.NotFound"
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=second)
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])["TransitGateway"]["State"] == "deleting"
