"""Transit gateways, attachments and TGW route tables: states, errors and filters as on AWS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, new_account, wait_for


def tgw_state(ec2, tgw_id):
    return ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["State"]


def attachment_state(ec2, attachment_id):
    return ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[attachment_id])["TransitGatewayAttachments"][0]["State"]


def make_tgw(ec2, **options):
    tgw = ec2.create_transit_gateway(
        Description="hub",
        Options={"AmazonSideAsn": 64513, **options},
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "hub"}]}],
    )["TransitGateway"]
    wait_for(lambda: tgw_state(ec2, tgw["TransitGatewayId"]), "available")
    return tgw


def attach(ec2, tgw_id, network, name="spoke"):
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id,
        VpcId=network["vpc"],
        SubnetIds=[network["subnet_a"]],
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment", "Tags": [{"Key": "Name", "Value": name}]}],
    )["TransitGatewayVpcAttachment"]
    wait_for(lambda: attachment_state(ec2, attachment["TransitGatewayAttachmentId"]), "available")
    return attachment["TransitGatewayAttachmentId"]


def test_transit_gateway_goes_pending_then_available_after_the_delay(admin, client):
    admin.config(delays={"transit_gateway.pending": 0.4})
    ec2 = client("ec2")
    created = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    assert created["State"] == "pending"
    assert tgw_state(ec2, created["TransitGatewayId"]) == "pending"
    waited = wait_for(lambda: tgw_state(ec2, created["TransitGatewayId"]), "available")
    assert 0.2 < waited < 2


def test_delete_with_attachment_is_incorrect_state_then_deleting_then_deleted(admin, client, network):
    admin.config(delays={"transit_gateway.deleting": 0.3, "vpc_attachment.deleting": 0.3})
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    attachment_id = attach(ec2, tgw_id, network)
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_transit_gateway(TransitGatewayId=tgw_id)
    assert error_code(excinfo) == "IncorrectState"
    assert ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)["TransitGatewayVpcAttachment"]["State"] == "deleting"
    with pytest.raises(ClientError) as excinfo:  # still deleting: not fully deleted
        ec2.delete_transit_gateway(TransitGatewayId=tgw_id)
    assert error_code(excinfo) == "IncorrectState"
    wait_for(lambda: attachment_state(ec2, attachment_id), "deleted")
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw_id)["TransitGateway"]["State"] == "deleting"
    wait_for(lambda: tgw_state(ec2, tgw_id), "deleted")


def test_unknown_ids_are_not_found(client):
    ec2 = client("ec2")
    for call in (
        lambda: ec2.describe_transit_gateways(TransitGatewayIds=["tgw-0123456789abcdef0"]),
        lambda: ec2.delete_transit_gateway(TransitGatewayId="tgw-0123456789abcdef0"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=["tgw-attach-0123456789abcdef0"])
    assert error_code(excinfo) == "InvalidTransitGatewayAttachmentID.NotFound"


def test_attachment_to_pending_tgw_is_incorrect_state(admin, client, network):
    admin.config(delays={"transit_gateway.pending": 5})
    ec2 = client("ec2")
    tgw_id = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])
    assert error_code(excinfo) == "IncorrectState"


def test_attachment_passes_pending_acceptance_when_that_delay_is_set(admin, client, network):
    admin.config(delays={"vpc_attachment.pending": 0.2, "vpc_attachment.pendingAcceptance": 0.3})
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    attachment = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"]])
    attachment_id = attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    seen = []
    while not seen or seen[-1] != "available":
        state = attachment_state(ec2, attachment_id)
        if not seen or seen[-1] != state:
            seen.append(state)
    assert seen == ["pending", "pendingAcceptance", "available"]


def test_attachment_filters_tags_and_types(client, network):
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    attachment_id = attach(ec2, tgw_id, network, name="spoke-1")

    def ids(**kwargs):
        found = ec2.describe_transit_gateway_attachments(Filters=[{"Name": k, "Values": v} for k, v in kwargs.items()])
        return [a["TransitGatewayAttachmentId"] for a in found["TransitGatewayAttachments"]]

    assert ids(**{"tag:Name": ["spoke-1"]}) == [attachment_id]
    assert ids(**{"tag:Name": ["other"]}) == []
    assert ids(**{"tag:Name": ["spoke-*"]}) == [attachment_id]
    assert ids(**{"resource-type": ["vpc"], "transit-gateway-id": [tgw_id]}) == [attachment_id]
    assert ids(**{"resource-type": ["direct-connect-gateway"]}) == []
    assert ids(**{"state": ["pending"]}) == []
    assert ids(**{"transit-gateway-attachment-id": ["tgw-attach-00000000000000000"]}) == []
    with pytest.raises(ClientError) as excinfo:
        ids(**{"no-such-filter": ["x"]})
    assert error_code(excinfo) == "InvalidParameterValue"
    vpc_attachments = ec2.describe_transit_gateway_vpc_attachments(Filters=[{"Name": "tag:Name", "Values": ["spoke-1"]}])["TransitGatewayVpcAttachments"]
    assert [a["Tags"] for a in vpc_attachments] == [[{"Key": "Name", "Value": "spoke-1"}]]


def test_attachment_subnet_rules_and_modify(admin, client, network):
    admin.config(delays={"vpc_attachment.modifying": 0.3})
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_a"], network["subnet_a2"]])
    assert error_code(excinfo) == "DuplicateSubnetsInSameZone"
    attachment_id = attach(ec2, tgw_id, network)
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=network["vpc"], SubnetIds=[network["subnet_b"]])
    assert error_code(excinfo) == "DuplicateTransitGatewayAttachment"
    modified = ec2.modify_transit_gateway_vpc_attachment(
        TransitGatewayAttachmentId=attachment_id, AddSubnetIds=[network["subnet_b"]], RemoveSubnetIds=[network["subnet_a"]]
    )["TransitGatewayVpcAttachment"]
    assert modified["State"] == "modifying"
    assert modified["SubnetIds"] == [network["subnet_b"]]
    wait_for(lambda: attachment_state(ec2, attachment_id), "available")


def test_default_route_table_association_and_propagation_follow_the_tgw_options(client, network):
    ec2 = client("ec2")
    tgw = make_tgw(ec2, DefaultRouteTablePropagation="disable")
    default_table = tgw["Options"]["AssociationDefaultRouteTableId"]
    attachment_id = attach(ec2, tgw["TransitGatewayId"], network)
    associations = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=default_table)["Associations"]
    assert [a["TransitGatewayAttachmentId"] for a in associations] == [attachment_id]
    assert ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=default_table)["TransitGatewayRouteTablePropagations"] == []
    found = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[attachment_id])["TransitGatewayAttachments"][0]
    assert found["Association"] == {"TransitGatewayRouteTableId": default_table, "State": "associated"}


def test_route_tables_associations_propagations_and_routes(client, network):
    ec2 = client("ec2")
    tgw = make_tgw(ec2, DefaultRouteTableAssociation="disable", DefaultRouteTablePropagation="disable")
    tgw_id = tgw["TransitGatewayId"]
    assert "AssociationDefaultRouteTableId" not in tgw["Options"]
    attachment_id = attach(ec2, tgw_id, network)
    tables = []
    for _ in range(2):
        table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        wait_for(lambda t=table: ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[t])["TransitGatewayRouteTables"][0]["State"], "available")
        tables.append(table)
    first, second = tables

    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=first, TransitGatewayAttachmentId=attachment_id)
    with pytest.raises(ClientError) as excinfo:
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=second, TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "Resource.AlreadyAssociated"

    for table in tables:  # one attachment may propagate into many tables
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=attachment_id)
    with pytest.raises(ClientError) as excinfo:
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=first, TransitGatewayAttachmentId=attachment_id)
    assert error_code(excinfo) == "TransitGatewayRouteTablePropagation.Duplicate"
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=second, TransitGatewayAttachmentId=attachment_id)
    assert [p["TransitGatewayAttachmentId"] for p in ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=first)["TransitGatewayRouteTablePropagations"]] == [attachment_id]
    assert ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=second)["TransitGatewayRouteTablePropagations"] == []

    route = ec2.create_transit_gateway_route(TransitGatewayRouteTableId=first, DestinationCidrBlock="172.16.0.0/12", TransitGatewayAttachmentId=attachment_id)["Route"]
    assert route["TransitGatewayAttachments"][0]["TransitGatewayAttachmentId"] == attachment_id
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=first, DestinationCidrBlock="172.16.0.0/12", Blackhole=True)
    assert error_code(excinfo) == "RouteAlreadyExists"

    all_routes = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=first, Filters=[{"Name": "state", "Values": ["active"]}])
    assert {(r["DestinationCidrBlock"], r["Type"]) for r in all_routes["Routes"]} == {
        ("10.0.0.0/16", "propagated"),
        ("10.1.0.0/16", "propagated"),
        ("172.16.0.0/12", "static"),
    }
    static = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=first, Filters=[{"Name": "type", "Values": ["static"]}], MaxResults=5)
    assert [r["DestinationCidrBlock"] for r in static["Routes"]] == ["172.16.0.0/12"]
    assert static["AdditionalRoutesAvailable"] is False
    longest = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=first, Filters=[{"Name": "route-search.longest-prefix-match", "Values": ["10.1.2.3/32"]}])
    assert [r["DestinationCidrBlock"] for r in longest["Routes"]] == ["10.1.0.0/16"]

    ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=first, DestinationCidrBlock="172.16.0.0/12")
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=first, DestinationCidrBlock="172.16.0.0/12")
    assert error_code(excinfo) == "InvalidRoute.NotFound"
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=first, TransitGatewayAttachmentId=attachment_id)
    assert ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=first)["Associations"] == []


def test_search_reports_more_routes_past_max_results(client, network):
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    table = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    wait_for(lambda: ec2.describe_transit_gateway_route_tables(TransitGatewayRouteTableIds=[table])["TransitGatewayRouteTables"][0]["State"], "available")
    for i in range(7):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=table, DestinationCidrBlock=f"192.168.{i}.0/24", Blackhole=True)
    found = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[{"Name": "type", "Values": ["static"]}], MaxResults=5)
    assert len(found["Routes"]) == 5
    assert found["AdditionalRoutesAvailable"] is True


def test_propagation_needs_an_available_attachment(admin, client, network):
    admin.config(delays={"vpc_attachment.pending": 5})
    ec2 = client("ec2")
    tgw = make_tgw(ec2)
    attachment_id = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw["TransitGatewayId"], VpcId=network["vpc"], SubnetIds=[network["subnet_a"]]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.enable_transit_gateway_route_table_propagation(
            TransitGatewayRouteTableId=tgw["Options"]["PropagationDefaultRouteTableId"], TransitGatewayAttachmentId=attachment_id
        )
    assert error_code(excinfo) == "IncorrectState"


def test_vpc_routes_to_a_transit_gateway(client, network):
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    table = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="172.16.0.0/12", TransitGatewayId="tgw-0123456789abcdef0")
    assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="172.16.0.0/12", TransitGatewayId=tgw_id)
    with pytest.raises(ClientError) as excinfo:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="172.16.0.0/12", TransitGatewayId=tgw_id)
    assert error_code(excinfo) == "RouteAlreadyExists"
    tables = ec2.describe_route_tables(Filters=[{"Name": "route.transit-gateway-id", "Values": [tgw_id]}])["RouteTables"]
    assert [t["RouteTableId"] for t in tables] == [table]


def test_vpn_attachment_has_a_pending_state(admin, client):
    admin.config(delays={"vpn_attachment.pending": 0.3})
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    gateway = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="203.0.113.1")["CustomerGateway"]["CustomerGatewayId"]
    ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=gateway, TransitGatewayId=tgw_id)
    vpn = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-type", "Values": ["vpn"]}])["TransitGatewayAttachments"]
    assert [a["State"] for a in vpn] == ["pending"]
    wait_for(lambda: attachment_state(ec2, vpn[0]["TransitGatewayAttachmentId"]), "available")


def test_vpn_connection_keeps_its_static_routes_option(client):
    ec2 = client("ec2")
    tgw_id = make_tgw(ec2)["TransitGatewayId"]
    gateway = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="203.0.113.1")["CustomerGateway"]["CustomerGatewayId"]
    created = {}
    for name, options in (("static", {"StaticRoutesOnly": True}), ("bgp", {"StaticRoutesOnly": False}), ("default", None)):
        extra = {"Options": options} if options is not None else {}
        vpn = ec2.create_vpn_connection(
            Type="ipsec.1",
            CustomerGatewayId=gateway,
            TransitGatewayId=tgw_id,
            TagSpecifications=[{"ResourceType": "vpn-connection", "Tags": [{"Key": "Name", "Value": name}]}],
            **extra,
        )["VpnConnection"]
        assert vpn["TransitGatewayId"] == tgw_id and vpn["CustomerGatewayId"] == gateway
        assert vpn["Tags"] == [{"Key": "Name", "Value": name}]
        created[name] = vpn
    # AWS's default is dynamic (BGP) routing.
    assert {name: v["Options"]["StaticRoutesOnly"] for name, v in created.items()} == {"static": True, "bgp": False, "default": False}
    described = ec2.describe_vpn_connections(VpnConnectionIds=[v["VpnConnectionId"] for v in created.values()])["VpnConnections"]
    by_id = {v["VpnConnectionId"]: v["Options"]["StaticRoutesOnly"] for v in described}
    assert by_id == {v["VpnConnectionId"]: v["Options"]["StaticRoutesOnly"] for v in created.values()}
    attachments = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-type", "Values": ["vpn"]}])["TransitGatewayAttachments"]
    assert sorted(a["ResourceId"] for a in attachments) == sorted(by_id)


def test_shared_tgw_is_visible_and_attachable_after_the_invitation_is_accepted(client):
    hub = client("ec2")
    tgw = make_tgw(hub)
    spoke_account = new_account()
    spoke = client("ec2", account=spoke_account)
    vpc = spoke.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = spoke.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as excinfo:
        spoke.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])
    assert error_code(excinfo) == "InvalidTransitGatewayID.NotFound"

    ram = client("ram")
    ram.create_resource_share(name="hub", resourceArns=[tgw["TransitGatewayArn"]], principals=[spoke_account])
    spoke_ram = client("ram", account=spoke_account)
    invitation = spoke_ram.get_resource_share_invitations()["resourceShareInvitations"][0]
    spoke_ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    assert spoke.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])["TransitGateways"][0]["OwnerId"] != spoke_account

    attachment = spoke.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw["TransitGatewayId"], VpcId=vpc, SubnetIds=[subnet])
    attachment_id = attachment["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    wait_for(lambda: attachment_state(spoke, attachment_id), "pendingAcceptance")  # the TGW does not auto-accept
    hub.accept_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attachment_id)
    wait_for(lambda: attachment_state(hub, attachment_id), "available")
    table = spoke.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    spoke.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw["TransitGatewayId"])
    routes = spoke.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r.get("TransitGatewayId") for r in routes if r["DestinationCidrBlock"] == "10.0.0.0/8"] == [tgw["TransitGatewayId"]]


def test_tgw_options_are_validated(client):
    ec2 = client("ec2")
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway(Options={"AmazonSideAsn": 100})
    assert error_code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        ec2.create_transit_gateway(Options={"TransitGatewayCidrBlocks": ["10.0.0.0/25"]})
    assert error_code(excinfo) == "InvalidParameterValue"
    tgw = make_tgw(ec2, TransitGatewayCidrBlocks=["10.99.0.0/24"])
    modified = ec2.modify_transit_gateway(
        TransitGatewayId=tgw["TransitGatewayId"], Options={"AddTransitGatewayCidrBlocks": ["10.98.0.0/24"], "RemoveTransitGatewayCidrBlocks": ["10.99.0.0/24"]}
    )["TransitGateway"]
    assert modified["State"] == "modifying"
    assert modified["Options"]["TransitGatewayCidrBlocks"] == ["10.98.0.0/24"]
