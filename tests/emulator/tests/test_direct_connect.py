"""Direct Connect gateways and TGW associations, and the EC2 attachment they create."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, wait_for


@pytest.fixture
def tgw(client):
    ec2 = client("ec2")
    tgw = ec2.create_transit_gateway(Options={"AmazonSideAsn": 64512})["TransitGateway"]
    wait_for(lambda: ec2.describe_transit_gateways(TransitGatewayIds=[tgw["TransitGatewayId"]])["TransitGateways"][0]["State"], "available")
    return tgw["TransitGatewayId"]


def association_state(dx, association_id):
    found = dx.describe_direct_connect_gateway_associations(associationId=association_id)["directConnectGatewayAssociations"]
    return found[0]["associationState"] if found else "gone"


def dx_attachments(ec2):
    found = ec2.describe_transit_gateway_attachments(Filters=[{"Name": "resource-type", "Values": ["direct-connect-gateway"]}])
    return [(a["ResourceId"], a["State"]) for a in found["TransitGatewayAttachments"]]


def test_gateway_lifecycle(client, account):
    dx = client("directconnect")
    gateway = dx.create_direct_connect_gateway(directConnectGatewayName="onprem", amazonSideAsn=65001)["directConnectGateway"]
    assert (gateway["amazonSideAsn"], gateway["ownerAccount"], gateway["directConnectGatewayState"]) == (65001, account, "available")
    listed = client("directconnect", region="eu-west-1").describe_direct_connect_gateways()["directConnectGateways"]
    assert [g["directConnectGatewayId"] for g in listed] == [gateway["directConnectGatewayId"]]  # global
    dx.delete_direct_connect_gateway(directConnectGatewayId=gateway["directConnectGatewayId"])
    assert dx.describe_direct_connect_gateways()["directConnectGateways"] == []


def test_association_states_and_tgw_attachment(admin, client, tgw):
    admin.config(delays={"dx_association.associating": 0.3, "dx_association.updating": 0.3, "dx_association.disassociating": 0.3})
    dx, ec2 = client("directconnect"), client("ec2")
    gateway = dx.create_direct_connect_gateway(directConnectGatewayName="onprem", amazonSideAsn=65001)["directConnectGateway"]["directConnectGatewayId"]
    created = dx.create_direct_connect_gateway_association(
        directConnectGatewayId=gateway, gatewayId=tgw, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/16"}]
    )["directConnectGatewayAssociation"]
    association = created["associationId"]
    assert created["associationState"] == "associating"
    assert created["associatedGateway"]["id"] == tgw and created["associatedGateway"]["type"] == "transitGateway"
    assert dx_attachments(ec2) == [(gateway, "pending")]
    wait_for(lambda: association_state(dx, association), "associated")
    assert dx_attachments(ec2) == [(gateway, "available")]

    updated = dx.update_direct_connect_gateway_association(
        associationId=association,
        addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.1.0.0/16"}],
        removeAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/16"}],
    )["directConnectGatewayAssociation"]
    assert updated["associationState"] == "updating"
    assert updated["allowedPrefixesToDirectConnectGateway"] == [{"cidr": "10.1.0.0/16"}]
    with pytest.raises(ClientError) as excinfo:
        dx.update_direct_connect_gateway_association(associationId=association, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.2.0.0/16"}])
    assert error_code(excinfo) == "DirectConnectClientException"  # busy while updating
    wait_for(lambda: association_state(dx, association), "associated")

    by_tgw = dx.describe_direct_connect_gateway_associations(associatedGatewayId=tgw)["directConnectGatewayAssociations"]
    by_gateway = dx.describe_direct_connect_gateway_associations(directConnectGatewayId=gateway)["directConnectGatewayAssociations"]
    assert [a["associationId"] for a in by_tgw] == [a["associationId"] for a in by_gateway] == [association]
    assert dx.describe_direct_connect_gateway_associations(associatedGatewayId="tgw-0123456789abcdef0")["directConnectGatewayAssociations"] == []

    with pytest.raises(ClientError) as excinfo:
        dx.delete_direct_connect_gateway(directConnectGatewayId=gateway)
    assert error_code(excinfo) == "DirectConnectClientException"
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_transit_gateway(TransitGatewayId=tgw)
    assert error_code(excinfo) == "IncorrectState"
    assert dx.delete_direct_connect_gateway_association(associationId=association)["directConnectGatewayAssociation"]["associationState"] == "disassociating"
    wait_for(lambda: association_state(dx, association), "gone")
    assert dx_attachments(ec2) == [(gateway, "deleted")]
    ec2.delete_transit_gateway(TransitGatewayId=tgw)


def test_same_asn_as_the_tgw_is_refused(client, tgw):
    dx = client("directconnect")
    gateway = dx.create_direct_connect_gateway(directConnectGatewayName="same", amazonSideAsn=64512)["directConnectGateway"]["directConnectGatewayId"]
    with pytest.raises(ClientError) as excinfo:
        dx.create_direct_connect_gateway_association(directConnectGatewayId=gateway, gatewayId=tgw, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/16"}])
    assert error_code(excinfo) == "DirectConnectClientException"
    assert "ASN" in excinfo.value.response["Error"]["Message"]


def test_overlapping_prefixes_across_two_associations_are_refused(client, tgw):
    dx, ec2 = client("directconnect"), client("ec2")
    second = ec2.create_transit_gateway(Options={"AmazonSideAsn": 64513})["TransitGateway"]["TransitGatewayId"]
    wait_for(lambda: ec2.describe_transit_gateways(TransitGatewayIds=[second])["TransitGateways"][0]["State"], "available")
    gateway = dx.create_direct_connect_gateway(directConnectGatewayName="onprem", amazonSideAsn=65001)["directConnectGateway"]["directConnectGatewayId"]
    first = dx.create_direct_connect_gateway_association(
        directConnectGatewayId=gateway, gatewayId=tgw, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/16"}]
    )["directConnectGatewayAssociation"]["associationId"]
    with pytest.raises(ClientError) as excinfo:
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId=gateway, gatewayId=second, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/8"}]
        )
    assert error_code(excinfo) == "DirectConnectClientException"
    assert "overlaps allowed prefix 10.0.0.0/16" in excinfo.value.response["Error"]["Message"]
    other = dx.create_direct_connect_gateway_association(
        directConnectGatewayId=gateway, gatewayId=second, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.1.0.0/16"}]
    )["directConnectGatewayAssociation"]["associationId"]
    wait_for(lambda: association_state(dx, other), "associated")
    with pytest.raises(ClientError) as excinfo:
        dx.update_direct_connect_gateway_association(associationId=other, addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.128.0/17"}])
    assert error_code(excinfo) == "DirectConnectClientException"
    assert first in excinfo.value.response["Error"]["Message"]


def test_moto_direct_connect_calls_still_work(client):
    dx = client("directconnect")
    connection = dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="c1")
    assert [c["connectionId"] for c in dx.describe_connections()["connections"]] == [connection["connectionId"]]
