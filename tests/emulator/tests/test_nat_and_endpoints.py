"""NAT gateways, Elastic IPs and VPC endpoints: the egress of a replication staging area."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import error_code, wait_for


def nat_state(ec2, nat_id):
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"]


def endpoint_state(ec2, endpoint_id):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]


def allocate(ec2, name="nat"):
    return ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": name}]}])["AllocationId"]


def routes_of(ec2, table_id):
    return ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]


def s3_prefix_list(ec2):
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}])["PrefixLists"]
    return lists[0]["PrefixListId"]


# ---------------------------------------------------------------------------------------------
# NAT gateways and Elastic IPs


def test_nat_gateway_goes_pending_available_deleting_deleted_and_holds_its_eip(admin, client, network):
    admin.config(delays={"nat_gateway.pending": 0.3, "nat_gateway.deleting": 0.3})
    ec2 = client("ec2")
    allocation = allocate(ec2)
    created = ec2.create_nat_gateway(
        SubnetId=network["subnet_a"], AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "staging"}]}],
    )["NatGateway"]
    nat_id = created["NatGatewayId"]
    assert (created["State"], created["ConnectivityType"], created["VpcId"]) == ("pending", "public", network["vpc"])
    assert created["NatGatewayAddresses"][0]["AllocationId"] == allocation
    assert created["Tags"] == [{"Key": "Name", "Value": "staging"}]
    assert nat_state(ec2, nat_id) == "pending"
    assert 0.1 < wait_for(lambda: nat_state(ec2, nat_id), "available") < 2
    address = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    assert address["NetworkInterfaceId"] == created["NatGatewayAddresses"][0]["NetworkInterfaceId"] and address["AssociationId"]

    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    assert nat_state(ec2, nat_id) == "deleting"
    with pytest.raises(ClientError) as excinfo:  # still held by the NAT gateway being deleted
        ec2.release_address(AllocationId=allocation)
    assert error_code(excinfo) == "AuthFailure"
    wait_for(lambda: nat_state(ec2, nat_id), "deleted")
    gone = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]  # still listed
    assert gone["DeleteTime"] and "AssociationId" not in gone["NatGatewayAddresses"][0]
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    ec2.delete_nat_gateway(NatGatewayId=nat_id)  # a repeated delete succeeds
    ec2.release_address(AllocationId=allocation)
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_addresses(AllocationIds=[allocation])
    assert error_code(excinfo) == "InvalidAllocationID.NotFound"


def test_nat_gateway_errors_filters_and_paging(client, network):
    ec2 = client("ec2")
    for call in (
        lambda: ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"]),
        lambda: ec2.delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "NatGatewayNotFound"
    allocation = allocate(ec2)
    bad = [
        (dict(SubnetId=network["subnet_a"]), "MissingParameter"),  # public without EIP
        (dict(SubnetId=network["subnet_a"], ConnectivityType="private", AllocationId=allocation), "InvalidParameterCombination"),
        (dict(SubnetId="subnet-0123456789abcdef0", AllocationId=allocation), "InvalidSubnetID.NotFound"),
        (dict(SubnetId=network["subnet_a"], AllocationId="eipalloc-0123456789abcdef0"), "InvalidAllocationID.NotFound"),
    ]
    for kwargs, code in bad:
        with pytest.raises(ClientError) as excinfo:
            ec2.create_nat_gateway(**kwargs)
        assert error_code(excinfo) == code, kwargs
    public = ec2.create_nat_gateway(SubnetId=network["subnet_a"], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.create_nat_gateway(SubnetId=network["subnet_b"], AllocationId=allocation)
    assert error_code(excinfo) == "Resource.AlreadyAssociated"
    private = [
        ec2.create_nat_gateway(
            SubnetId=network["subnet_b"], ConnectivityType="private",
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": f"private-{i}"}]}],
        )["NatGateway"]
        for i in range(5)
    ]
    assert {p["ConnectivityType"] for p in private} == {"private"}
    assert all("PublicIp" not in p["NatGatewayAddresses"][0] for p in private)

    def ids(**filters):
        found = ec2.describe_nat_gateways(Filter=[{"Name": k, "Values": v} for k, v in filters.items()])["NatGateways"]
        return sorted(n["NatGatewayId"] for n in found)

    assert ids(**{"tag:Name": ["private-1"]}) == [private[1]["NatGatewayId"]]
    assert ids(**{"subnet-id": [network["subnet_a"]]}) == [public]
    assert ids(**{"nat-gateway-id": [public, private[0]["NatGatewayId"]]}) == sorted([public, private[0]["NatGatewayId"]])
    assert len(ids(**{"vpc-id": [network["vpc"]], "state": ["available"]})) == 6
    assert ids(**{"state": ["deleted"]}) == []
    with pytest.raises(ClientError) as excinfo:
        ids(**{"no-such-filter": ["x"]})
    assert error_code(excinfo) == "InvalidParameterValue"
    first = ec2.describe_nat_gateways(MaxResults=5)
    assert len(first["NatGateways"]) == 5 and first["NextToken"]
    rest = ec2.describe_nat_gateways(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["NatGateways"]) == 1 and "NextToken" not in rest


def test_nat_gateway_client_token_is_idempotent(client, network):
    ec2 = client("ec2")
    allocation = allocate(ec2)
    first = ec2.create_nat_gateway(SubnetId=network["subnet_a"], AllocationId=allocation, ClientToken="staging-nat")
    again = ec2.create_nat_gateway(SubnetId=network["subnet_a"], AllocationId=allocation, ClientToken="staging-nat")
    assert again["NatGateway"]["NatGatewayId"] == first["NatGateway"]["NatGatewayId"]
    assert again["ClientToken"] == "staging-nat"
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 1
    with pytest.raises(ClientError) as excinfo:
        ec2.create_nat_gateway(SubnetId=network["subnet_b"], AllocationId=allocation, ClientToken="staging-nat")
    assert error_code(excinfo) == "IdempotentParameterMismatch"


def test_default_route_to_a_nat_gateway_turns_blackhole_when_it_is_deleted(client, network):
    ec2 = client("ec2")
    nat_id = ec2.create_nat_gateway(SubnetId=network["subnet_a"], AllocationId=allocate(ec2))["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    with pytest.raises(ClientError) as excinfo:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId="nat-0123456789abcdef0")
    assert error_code(excinfo) == "InvalidNatGatewayID.NotFound"
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    default = [r for r in routes_of(ec2, table) if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert [(r["NatGatewayId"], r["State"]) for r in default] == [(nat_id, "active")]
    found = ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": [nat_id]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [table]
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    wait_for(lambda: nat_state(ec2, nat_id), "deleted")
    assert [r["State"] for r in routes_of(ec2, table) if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == ["blackhole"]
    with pytest.raises(ClientError) as excinfo:
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    assert error_code(excinfo) == "InvalidNatGatewayID.NotFound"


def test_addresses_keep_tags_and_leave_out_what_they_do_not_have(client):
    ec2 = client("ec2")
    tagged = allocate(ec2, name="staging-eip")
    allocate(ec2, name="other")
    found = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": ["staging-eip"]}])["Addresses"]
    assert [a["AllocationId"] for a in found] == [tagged]
    address = found[0]
    assert address["Tags"] == [{"Key": "Name", "Value": "staging-eip"}] and address["Domain"] == "vpc"
    assert not {"InstanceId", "NetworkInterfaceId", "AssociationId"} & set(address)  # moto sent empty strings
    assert [a["AllocationId"] for a in ec2.describe_addresses(Filters=[{"Name": "allocation-id", "Values": [tagged]}])["Addresses"]] == [tagged]
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_addresses(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert error_code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_addresses(PublicIps=["198.51.100.7"])
    assert error_code(excinfo) == "InvalidAddress.NotFound"


# ---------------------------------------------------------------------------------------------
# VPC endpoints


def test_endpoint_services_offer_mgn_ec2_and_s3(client):
    ec2 = client("ec2")
    names = ["com.amazonaws.us-east-1.mgn", "com.amazonaws.us-east-1.ec2", "com.amazonaws.us-east-1.s3"]
    details = ec2.describe_vpc_endpoint_services(ServiceNames=names)["ServiceDetails"]
    types: dict[str, set[str]] = {}
    for detail in details:
        types.setdefault(detail["ServiceName"], set()).update(t["ServiceType"] for t in detail["ServiceType"])
    assert types == {names[0]: {"Interface"}, names[1]: {"Interface"}, names[2]: {"Interface", "Gateway"}}


def test_interface_endpoints_go_pending_available_with_interfaces_per_subnet(admin, client, network):
    admin.config(delays={"vpc_endpoint.pending": 0.3})
    ec2 = client("ec2")
    created = ec2.create_vpc_endpoint(
        VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.mgn", VpcEndpointType="Interface", SubnetIds=[network["subnet_a"]],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "mgn"}]}],
    )["VpcEndpoint"]
    endpoint_id = created["VpcEndpointId"]
    assert created["State"] == "pending" and created["PrivateDnsEnabled"] is True
    default_group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    assert [g["GroupId"] for g in created["Groups"]] == [default_group]
    assert len(created["NetworkInterfaceIds"]) == 1
    names = [e["DnsName"] for e in created["DnsEntries"]]
    assert any(n.endswith("-us-east-1a.mgn.us-east-1.vpce.amazonaws.com") for n in names) and "mgn.us-east-1.amazonaws.com" in names
    assert 0.1 < wait_for(lambda: endpoint_state(ec2, endpoint_id), "available") < 2

    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[network["subnet_b"]])
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    assert sorted(described["SubnetIds"]) == sorted([network["subnet_a"], network["subnet_b"]])
    assert len(described["NetworkInterfaceIds"]) == 2
    interfaces = ec2.describe_network_interfaces(NetworkInterfaceIds=described["NetworkInterfaceIds"])["NetworkInterfaces"]
    assert sorted(i["SubnetId"] for i in interfaces) == sorted(described["SubnetIds"])
    with pytest.raises(ClientError) as excinfo:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[network["subnet_a2"]])
    assert error_code(excinfo) == "DuplicateSubnetsInSameZone"
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, RemoveSubnetIds=[network["subnet_a"]])
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["SubnetIds"] == [network["subnet_b"]]

    for service in ("ec2", "s3"):
        ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName=f"com.amazonaws.us-east-1.{service}", VpcEndpointType="Interface", SubnetIds=[network["subnet_a"]])
    refused = [
        (dict(ServiceName="com.amazonaws.us-east-1.nothing", VpcEndpointType="Interface"), "InvalidServiceName"),
        (dict(ServiceName="com.amazonaws.us-east-1.ec2", VpcEndpointType="Gateway"), "InvalidParameter"),
        (dict(ServiceName="com.amazonaws.us-east-1.ec2", VpcEndpointType="Interface", RouteTableIds=["rtb-0123456789abcdef0"]), "InvalidParameter"),
        (dict(ServiceName="com.amazonaws.us-east-1.ec2", VpcEndpointType="Interface", SubnetIds=[network["subnet_a"], network["subnet_a2"]]), "DuplicateSubnetsInSameZone"),
    ]
    for kwargs, code in refused:
        with pytest.raises(ClientError) as excinfo:
            ec2.create_vpc_endpoint(VpcId=network["vpc"], **kwargs)
        assert error_code(excinfo) == code, kwargs
    assert "does not match available service types ([Interface])" in ec2_error_message(ec2, network)


def ec2_error_message(ec2, network):
    try:
        ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.mgn", VpcEndpointType="Gateway")
    except ClientError as error:
        return error.response["Error"]["Message"]
    raise AssertionError("a Gateway endpoint to an Interface-only service was accepted")


def test_gateway_endpoint_routes_follow_its_route_tables(admin, client, network):
    admin.config(delays={"vpc_endpoint.deleting": 0.3})
    ec2 = client("ec2")
    first = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    prefix_list = s3_prefix_list(ec2)
    created = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[first], ClientToken="s3-gw")["VpcEndpoint"]
    endpoint_id = created["VpcEndpointId"]
    assert created["VpcEndpointType"] == "Gateway" and created["PrivateDnsEnabled"] is False
    again = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[first], ClientToken="s3-gw")["VpcEndpoint"]
    assert again["VpcEndpointId"] == endpoint_id

    def prefix_routes(table):
        return [(r["DestinationPrefixListId"], r["GatewayId"], r["State"]) for r in routes_of(ec2, table) if "DestinationPrefixListId" in r]

    assert prefix_routes(first) == [(prefix_list, endpoint_id, "active")]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddRouteTableIds=[second], RemoveRouteTableIds=[first])
    assert prefix_routes(first) == [] and prefix_routes(second) == [(prefix_list, endpoint_id, "active")]
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["RouteTableIds"] == [second]
    with pytest.raises(ClientError) as excinfo:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[network["subnet_a"]])
    assert error_code(excinfo) == "InvalidParameter"

    def ids(**filters):
        found = ec2.describe_vpc_endpoints(Filters=[{"Name": k, "Values": v} for k, v in filters.items()])["VpcEndpoints"]
        return [e["VpcEndpointId"] for e in found]

    assert ids(**{"vpc-endpoint-type": ["Gateway"], "service-name": ["com.amazonaws.us-east-1.s3"], "vpc-id": [network["vpc"]]}) == [endpoint_id]
    assert ids(**{"vpc-endpoint-state": ["pending"]}) == []
    with pytest.raises(ClientError) as excinfo:
        ids(**{"no-such-filter": ["x"]})
    assert error_code(excinfo) == "InvalidParameterValue"

    answer = ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id, "vpce-0123456789abcdef0"])
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in answer["Unsuccessful"]] == [("vpce-0123456789abcdef0", "InvalidVpcEndpoint.NotFound")]
    assert endpoint_state(ec2, endpoint_id) == "deleting"
    wait_for(lambda: endpoint_state(ec2, endpoint_id), "deleted")  # still listed
    assert prefix_routes(second) == []
    with pytest.raises(ClientError) as excinfo:
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert error_code(excinfo) == "InvalidVpcEndpointId.NotFound"
    with pytest.raises(ClientError) as excinfo:
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddRouteTableIds=[first])
    assert error_code(excinfo) == "InvalidVpcEndpointId.NotFound"


def test_inventory_lists_nat_gateways_addresses_endpoints_and_nat_routes(admin, client, account, network):
    ec2 = client("ec2")
    allocation = allocate(ec2)
    nat_id = ec2.create_nat_gateway(
        SubnetId=network["subnet_a"], AllocationId=allocation, TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "n"}]}]
    )["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    endpoint_id = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[table])["VpcEndpoint"]["VpcEndpointId"]
    objects = admin.inventory(account)
    assert [(n["id"], n["state"], n["allocation_ids"], n["tags"]) for n in objects["nat_gateways"]] == [(nat_id, "available", [allocation], {"Name": "n"})]
    assert [(a["allocation_id"], a["tags"]) for a in objects["elastic_ips"]] == [(allocation, {"Name": "nat"})]
    assert [(r["route_table_id"], r["destination"], r["nat_gateway_id"]) for r in objects["vpc_routes_to_nat_gateways"]] == [(table, "0.0.0.0/0", nat_id)]
    assert [(e["id"], e["type"], e["route_table_ids"]) for e in objects["vpc_endpoints"]] == [(endpoint_id, "Gateway", [table])]
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    ec2.describe_nat_gateways()  # lets the zero-second deletions complete
    objects = admin.inventory(account)
    assert objects["nat_gateways"] == [] and objects["vpc_endpoints"] == []
    ec2.release_address(AllocationId=allocation)
    assert admin.inventory(account)["elastic_ips"] == []


def test_inventory_lists_security_groups_with_their_rules_but_not_the_default_group(admin, client, account, network):
    ec2 = client("ec2")
    group = ec2.create_security_group(
        GroupName="replication", Description="r", VpcId=network["vpc"], TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "r"}]}]
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 1500, "ToPort": 1500, "IpRanges": [{"CidrIp": "192.168.0.0/16"}, {"CidrIp": "172.16.0.0/12"}]}]
    )
    groups = admin.inventory(account)["security_groups"]
    assert [(g["id"], g["vpc_id"], g["name"], g["tags"]) for g in groups] == [(group, network["vpc"], "replication", {"Name": "r"})]
    assert sorted((r["protocol"], r["from_port"], r["to_port"], r["cidr"]) for r in groups[0]["ingress"]) == [
        ("tcp", 1500, 1500, "172.16.0.0/12"),
        ("tcp", 1500, 1500, "192.168.0.0/16"),
    ]
    assert [(r["protocol"], r["cidr"]) for r in groups[0]["egress"]] == [("-1", "0.0.0.0/0")]
    ec2.delete_security_group(GroupId=group)
    assert admin.inventory(account)["security_groups"] == []
