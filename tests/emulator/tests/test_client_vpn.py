"""EC2 Client VPN: endpoints, target networks, authorization rules, routes, mutation limit."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, wait_for

SID_A = "S-1-5-21-1111111111-2222222222-3333333333-1201"
SID_B = "S-1-5-21-1111111111-2222222222-3333333333-1202"


@pytest.fixture
def endpoint(client, network):
    ds = client("ds")
    directory = ds.create_microsoft_ad(
        Name="corp.example.com", Password="Passw0rd!23", Edition="Standard",
        VpcSettings={"VpcId": network["vpc"], "SubnetIds": [network["subnet_a"], network["subnet_b"]]},
    )["DirectoryId"]
    ec2 = client("ec2")
    created = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.16.0.0/22",
        ServerCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        AuthenticationOptions=[{"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": directory}}],
        ConnectionLogOptions={"Enabled": False},
        VpcId=network["vpc"],
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "corp"}]}],
    )
    return {"id": created["ClientVpnEndpointId"], "directory": directory, "created": created, **network}


def rules(ec2, endpoint_id, **filters):
    return ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": k, "Values": v} for k, v in filters.items()]
    )["AuthorizationRules"]


def routes(ec2, endpoint_id, **filters):
    return ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id, Filters=[{"Name": k, "Values": v} for k, v in filters.items()])["Routes"]


def associate(ec2, endpoint, subnet="subnet_a"):
    association = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint["id"], SubnetId=endpoint[subnet])["AssociationId"]
    wait_for(lambda: target_state(ec2, endpoint["id"], association), "associated")
    return association


def target_state(ec2, endpoint_id, association_id):
    found = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id, AssociationIds=[association_id])["ClientVpnTargetNetworks"]
    return found[0]["Status"]["Code"] if found else "gone"


def test_endpoint_is_created_with_directory_authentication(client, endpoint):
    ec2 = client("ec2")
    assert endpoint["created"]["Status"]["Code"] == "pending-associate"
    assert endpoint["id"].startswith("cvpn-endpoint-")
    found = ec2.describe_client_vpn_endpoints(Filters=[{"Name": "tag:Name", "Values": ["corp"]}])["ClientVpnEndpoints"]
    assert len(found) == 1
    described = found[0]
    assert described["ClientCidrBlock"] == "172.16.0.0/22"
    assert described["VpcId"] == endpoint["vpc"]
    assert described["AuthenticationOptions"] == [{"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": endpoint["directory"]}}]
    assert described["Tags"] == [{"Key": "Name", "Value": "corp"}]
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=["cvpn-endpoint-00000000000000000"])
    assert error_code(excinfo) == "InvalidClientVpnEndpointId.NotFound"


def test_endpoint_validation(client, network):
    ec2 = client("ec2")
    base = dict(ServerCertificateArn="arn:aws:acm:us-east-1:1:certificate/x", ConnectionLogOptions={"Enabled": False})
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_endpoint(ClientCidrBlock="172.16.0.0/24", AuthenticationOptions=[{"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-1234567890"}}], **base)
    assert error_code(excinfo) == "InvalidParameterValue"  # /24 is smaller than /22
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_endpoint(ClientCidrBlock="172.16.0.0/22", AuthenticationOptions=[{"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-1234567890"}}], **base)
    assert error_code(excinfo) == "InvalidParameterValue"  # unknown directory


def test_target_network_associating_then_associated_then_gone(admin, client, endpoint):
    admin.config(delays={"client_vpn_association.associating": 0.3, "client_vpn_association.disassociating": 0.3})
    ec2 = client("ec2")
    answer = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint["id"], SubnetId=endpoint["subnet_a"])
    assert answer["Status"]["Code"] == "associating"
    association = answer["AssociationId"]
    assert target_state(ec2, endpoint["id"], association) == "associating"
    wait_for(lambda: target_state(ec2, endpoint["id"], association), "associated")
    assert ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint["id"]])["ClientVpnEndpoints"][0]["Status"]["Code"] == "available"
    assert [(r["DestinationCidr"], r["Origin"]) for r in routes(ec2, endpoint["id"])] == [("10.0.0.0/16", "associate")]
    with pytest.raises(ClientError) as excinfo:
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint["id"], SubnetId=endpoint["subnet_a2"])
    assert error_code(excinfo) == "InvalidClientVpnSubnetId.DuplicateAz"
    gone = ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint["id"], AssociationId=association)
    assert gone["Status"]["Code"] == "disassociating"
    wait_for(lambda: target_state(ec2, endpoint["id"], association), "gone")
    assert routes(ec2, endpoint["id"]) == []


def test_rules_authorizing_then_active_revoking_then_gone(admin, client, endpoint):
    admin.config(delays={"client_vpn_rule.authorizing": 0.3, "client_vpn_rule.revoking": 0.3})
    ec2 = client("ec2")
    status = ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.0.0.0/16", AccessGroupId=SID_A, Description="group A")["Status"]
    assert status["Code"] == "authorizing"
    assert rules(ec2, endpoint["id"])[0] == {
        "ClientVpnEndpointId": endpoint["id"], "Description": "group A", "GroupId": SID_A, "AccessAll": False,
        "DestinationCidr": "10.0.0.0/16", "Status": {"Code": "authorizing"},
    }
    wait_for(lambda: rules(ec2, endpoint["id"])[0]["Status"]["Code"], "active")
    with pytest.raises(ClientError) as excinfo:
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.0.0.0/16", AccessGroupId=SID_A)
    assert error_code(excinfo) == "InvalidClientVpnDuplicateAuthorizationRule"
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.0.1.0/24", AccessGroupId=SID_B)
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True)
    assert [r["DestinationCidr"] for r in rules(ec2, endpoint["id"], **{"group-id": [SID_B]})] == ["10.0.1.0/24"]
    assert [r["AccessAll"] for r in rules(ec2, endpoint["id"], **{"destination-cidr": ["0.0.0.0/0"]})] == [True]
    assert ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.0.0.0/16", AccessGroupId=SID_A)["Status"]["Code"] == "revoking"
    wait_for(lambda: len(rules(ec2, endpoint["id"], **{"group-id": [SID_A]})), 0)
    with pytest.raises(ClientError) as excinfo:
        ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.0.0.0/16", AccessGroupId=SID_A)
    assert error_code(excinfo) == "InvalidClientVpnEndpointAuthorizationRuleNotFound"
    with pytest.raises(ClientError) as excinfo:
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId="cvpn-endpoint-00000000000000000", TargetNetworkCidr="10.0.0.0/16", AuthorizeAllGroups=True)
    assert error_code(excinfo) == "InvalidClientVpnEndpointId.NotFound"


def test_client_token_makes_authorize_idempotent(client, endpoint):
    ec2 = client("ec2")
    first = ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.2.0.0/16", AccessGroupId=SID_A, ClientToken="token-1")
    again = ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.2.0.0/16", AccessGroupId=SID_A, ClientToken="token-1")
    assert again["Status"] == first["Status"]
    assert len(rules(ec2, endpoint["id"])) == 1
    with pytest.raises(ClientError) as excinfo:
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.3.0.0/16", AccessGroupId=SID_A, ClientToken="token-1")
    assert error_code(excinfo) == "IdempotentParameterMismatch"


def test_rules_paginate(client, endpoint):
    ec2 = client("ec2")
    for i in range(12):
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr=f"10.{i}.0.0/16", AccessGroupId=SID_A)
    first = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint["id"], MaxResults=5)
    assert len(first["AuthorizationRules"]) == 5 and first["NextToken"]
    pages = ec2.get_paginator("describe_client_vpn_authorization_rules").paginate(ClientVpnEndpointId=endpoint["id"], PaginationConfig={"PageSize": 5})
    cidrs = [r["DestinationCidr"] for p in pages for r in p["AuthorizationRules"]]
    assert sorted(cidrs) == sorted(f"10.{i}.0.0/16" for i in range(12))
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint["id"], MaxResults=5, NextToken="bogus")
    assert error_code(excinfo) == "InvalidParameterValue"


def test_routes_need_an_active_association_and_follow_their_states(admin, client, endpoint):
    ec2 = client("ec2")
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint["id"], DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=endpoint["subnet_a"])
    assert error_code(excinfo) == "InvalidClientVpnActiveAssociationNotFound"
    associate(ec2, endpoint)
    admin.config(delays={"client_vpn_route.creating": 0.3, "client_vpn_route.deleting": 0.3})
    created = ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint["id"], DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=endpoint["subnet_a"], Description="on-prem")
    assert created["Status"]["Code"] == "creating"
    added = routes(ec2, endpoint["id"], origin=["add-route"])
    assert [(r["DestinationCidr"], r["TargetSubnet"], r["Type"], r["Description"]) for r in added] == [("192.168.0.0/16", endpoint["subnet_a"], "Nat", "on-prem")]
    wait_for(lambda: routes(ec2, endpoint["id"], origin=["add-route"])[0]["Status"]["Code"], "active")
    with pytest.raises(ClientError) as excinfo:
        ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint["id"], DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=endpoint["subnet_a"])
    assert error_code(excinfo) == "InvalidClientVpnDuplicateRoute"
    deleted = ec2.delete_client_vpn_route(ClientVpnEndpointId=endpoint["id"], DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=endpoint["subnet_a"])
    assert deleted["Status"]["Code"] == "deleting"
    wait_for(lambda: len(routes(ec2, endpoint["id"], origin=["add-route"])), 0)
    with pytest.raises(ClientError) as excinfo:
        ec2.delete_client_vpn_route(ClientVpnEndpointId=endpoint["id"], DestinationCidrBlock="192.168.0.0/16", TargetVpcSubnetId=endpoint["subnet_a"])
    assert error_code(excinfo) == "InvalidClientVpnRouteNotFound"


def test_transitional_items_count_against_the_mutation_limit(admin, client, endpoint):
    admin.config(delays={"client_vpn_rule.authorizing": 30}, concurrent_mutation_limit=10)
    ec2 = client("ec2")
    for i in range(10):
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr=f"10.{i}.0.0/16", AccessGroupId=SID_A)
    with pytest.raises(ClientError) as excinfo:
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr="10.99.0.0/16", AccessGroupId=SID_A)
    assert error_code(excinfo) == "ConcurrentMutationLimitExceeded"
    assert len(rules(ec2, endpoint["id"])) == 10  # reads are not limited


def test_requests_in_flight_count_against_the_mutation_limit(admin, client, endpoint):
    admin.config(latency_ms=800, concurrent_mutation_limit=3)
    outcomes: list[str] = []
    lock = threading.Lock()

    def authorize(i: int) -> None:
        ec2 = client("ec2")
        try:
            ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint["id"], TargetNetworkCidr=f"10.{i}.0.0/16", AccessGroupId=SID_A)
            result = "ok"
        except ClientError as error:
            result = error.response["Error"]["Code"]
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=authorize, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ConcurrentMutationLimitExceeded"] * 3 + ["ok"] * 3


def endpoint_tags(ec2, endpoint_id):
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"][0]
    return {t["Key"]: t["Value"] for t in described.get("Tags") or []}


def test_endpoint_tags_are_created_overwritten_and_deleted(client, endpoint):
    ec2 = client("ec2")
    key = f"migration:group-owner:{SID_A}"
    ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": key, "Value": "first"}])
    assert endpoint_tags(ec2, endpoint["id"]) == {"Name": "corp", key: "first"}
    ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": key, "Value": "second"}])
    assert endpoint_tags(ec2, endpoint["id"])[key] == "second"
    found = ec2.describe_client_vpn_endpoints(Filters=[{"Name": f"tag:{key}", "Values": ["second"]}])["ClientVpnEndpoints"]
    assert [e["ClientVpnEndpointId"] for e in found] == [endpoint["id"]]
    # A value that no longer matches deletes nothing; the key alone deletes whatever it holds.
    ec2.delete_tags(Resources=[endpoint["id"]], Tags=[{"Key": key, "Value": "first"}])
    assert endpoint_tags(ec2, endpoint["id"])[key] == "second"
    ec2.delete_tags(Resources=[endpoint["id"]], Tags=[{"Key": key}, {"Key": "absent"}])
    assert endpoint_tags(ec2, endpoint["id"]) == {"Name": "corp"}
    ec2.delete_tags(Resources=[endpoint["id"]])
    assert endpoint_tags(ec2, endpoint["id"]) == {}


def test_endpoint_tags_refuse_unknown_endpoints_reserved_keys_and_the_fifty_first(client, endpoint):
    ec2 = client("ec2")
    with pytest.raises(ClientError) as excinfo:
        ec2.create_tags(Resources=["cvpn-endpoint-00000000000000000"], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(excinfo) == "InvalidClientVpnEndpointId.NotFound"
    with pytest.raises(ClientError) as excinfo:
        ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": "aws:owner", "Value": "v"}])
    assert error_code(excinfo) == "InvalidParameterValue"
    # The endpoint has its Name tag: 49 more reach the quota of 50.
    ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": "k0", "Value": "overwritten"}])
    with pytest.raises(ClientError) as excinfo:
        ec2.create_tags(Resources=[endpoint["id"]], Tags=[{"Key": "one-too-many", "Value": "v"}])
    assert error_code(excinfo) == "TagLimitExceeded"
    assert len(endpoint_tags(ec2, endpoint["id"])) == 50


def test_tags_of_other_resources_still_go_to_moto(client, endpoint):
    ec2 = client("ec2")
    ec2.create_tags(Resources=[endpoint["vpc"]], Tags=[{"Key": "team", "Value": "net"}])
    vpc = ec2.describe_vpcs(VpcIds=[endpoint["vpc"]])["Vpcs"][0]
    assert {"Key": "team", "Value": "net"} in vpc["Tags"]
    ec2.delete_tags(Resources=[endpoint["vpc"]], Tags=[{"Key": "team"}])
    vpc = ec2.describe_vpcs(VpcIds=[endpoint["vpc"]])["Vpcs"][0]
    assert {"Key": "team", "Value": "net"} not in (vpc.get("Tags") or [])
