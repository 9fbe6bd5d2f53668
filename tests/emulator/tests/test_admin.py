"""The admin API and the realism it switches on: latency, throttling, faults, call record."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from conftest import error_code, new_account


def test_health_and_config_validation(admin):
    assert admin.request("GET", "health") == (200, {"ok": True})
    status, payload = admin.request("POST", "config", {"delays": {"transit_gateway.pendng": 1}})
    assert status == 400 and "transit_gateway.pendng" in payload["error"]
    status, payload = admin.request("POST", "config", {"throttle": {"buckets": {"describe": [1]}}})
    assert status == 400 and "describe" in payload["error"]
    status, payload = admin.request("POST", "config", {"faults": [{"action": "CreateRoute"}]})
    assert status == 400 and "error" in payload["error"]
    merged = admin.config(latency_ms=5)
    merged = admin.config(delays={"transit_gateway.pending": 1})
    assert merged["latency_ms"] == 5 and merged["delays"] == {"transit_gateway.pending": 1}
    assert admin.request("GET", "nowhere")[0] == 404


def test_calls_are_recorded_with_decoded_params(admin, client, account):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    with pytest.raises(ClientError):
        ec2.describe_transit_gateways(TransitGatewayIds=["tgw-0123456789abcdef0"])
    client("ram").get_resource_shares(resourceOwner="SELF")
    calls = admin.calls(account)
    assert [(c["service"], c["action"]) for c in calls] == [
        ("ec2", "CreateVpc"), ("ec2", "DescribeVpcs"), ("ec2", "DescribeTransitGateways"), ("ram", "GetResourceShares")
    ]
    assert calls[0]["params"]["CidrBlock"] == "10.0.0.0/16"
    assert calls[1]["params"]["Filters"] == [{"Name": "vpc-id", "Values": [vpc]}]
    assert (calls[2]["status"], calls[2]["error"]) == (400, "InvalidTransitGatewayID.NotFound")
    assert calls[3]["params"] == {"resourceOwner": "SELF"}
    assert all(c["account"] == account and c["end"] >= c["start"] for c in calls)
    assert [c["seq"] for c in calls] == sorted(c["seq"] for c in calls)
    assert admin.calls(new_account()) == []
    assert admin.request("DELETE", "calls")[0] == 200
    assert admin.calls() == []


def test_accounts_are_isolated_and_selected_by_access_key(client, account):
    other = new_account()
    client("ec2").create_transit_gateway(Description="mine")
    assert client("ec2", account=other).describe_transit_gateways()["TransitGateways"] == []
    assert client("sts").get_caller_identity()["Account"] == account
    assert client("sts", account=other).get_caller_identity()["Account"] == other


def test_inventory_lists_live_objects_and_reset_forgets_them(admin, client, account):
    ec2 = client("ec2")
    tgw = ec2.create_transit_gateway(TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "owner", "Value": "t1"}]}])["TransitGateway"]
    client("ram").create_resource_share(name="s", resourceArns=[tgw["TransitGatewayArn"]])
    objects = admin.inventory(account)
    assert [(t["id"], t["tags"]) for t in objects["transit_gateways"]] == [(tgw["TransitGatewayId"], {"owner": "t1"})]
    assert [r["id"] for r in objects["transit_gateway_route_tables"]] == [tgw["Options"]["AssociationDefaultRouteTableId"]]
    assert [s["name"] for s in objects["ram_resource_shares"]] == ["s"]
    assert admin.inventory(new_account())["transit_gateways"] == []
    ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])
    ec2.describe_transit_gateways()  # lets the zero-second deletion complete
    assert admin.inventory(account)["transit_gateways"] == []
    assert admin.request("POST", "reset") == (200, {"ok": True})
    assert admin.inventory(account)["ram_resource_shares"] == []
    assert admin.calls() == []


def test_latency_is_added_to_aws_calls_only(admin, client):
    ec2 = client("ec2")
    ec2.describe_vpcs()
    admin.config(latency_ms=300)
    started = time.monotonic()
    ec2.describe_vpcs()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    admin.request("GET", "health")
    assert time.monotonic() - started < 0.2


def test_requests_are_served_concurrently(admin, client):
    admin.config(latency_ms=500)
    ec2 = client("ec2")
    ec2.describe_vpcs()
    threads = [threading.Thread(target=ec2.describe_vpcs) for _ in range(6)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 1.5  # six serial calls would take 3 s


def test_throttle_gives_request_limit_exceeded_then_recovers_at_the_refill_rate(admin, client, account):
    admin.config(throttle={"enabled": True, "buckets": {"mutating": [3, 4]}})
    ec2 = client("ec2")
    for _ in range(3):
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
    with pytest.raises(ClientError) as excinfo:
        ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert error_code(excinfo) == "RequestLimitExceeded"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    ec2.describe_vpcs()  # another category still has tokens
    time.sleep(0.3)  # 4 tokens/s → at least one token back
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    other = client("ec2", account=new_account())
    other.create_vpc(CidrBlock="10.0.0.0/16")  # buckets are per account
    throttled = [c for c in admin.calls(account) if c["error"] == "RequestLimitExceeded"]
    assert [(c["action"], c["status"]) for c in throttled] == [("CreateVpc", 503)]


def test_fault_after_and_count(admin, client):
    admin.config(faults=[{"action": "CreateVpc", "error": "InternalError", "after": 1, "count": 2}])
    ec2 = client("ec2")
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            ec2.create_vpc(CidrBlock="10.0.0.0/16")
        assert error_code(excinfo) == "InternalError"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    ec2.describe_vpcs()  # other actions are untouched


def test_faults_render_in_each_protocol(admin, client):
    admin.config(faults=[
        {"action": "*", "service": "ram", "error": "ServiceUnavailableException", "status": 503, "count": -1},
        {"action": "DescribeDirectConnectGateways", "error": "DirectConnectServerException", "message": "try later"},
    ])
    with pytest.raises(ClientError) as excinfo:
        client("ram").get_resource_shares(resourceOwner="SELF")
    assert error_code(excinfo) == "ServiceUnavailableException"
    with pytest.raises(ClientError) as excinfo:
        client("directconnect").describe_direct_connect_gateways()
    assert (error_code(excinfo), excinfo.value.response["Error"]["Message"]) == ("DirectConnectServerException", "try later")
    client("ec2").describe_vpcs()


def test_random_faults_are_reproducible_with_a_seed(admin, client):
    def run() -> list[bool]:
        admin.config(faults=[])
        admin.config(faults=[{"action": "DescribeVpcs", "error": "RequestLimitExceeded", "probability": 0.5, "seed": 7, "count": -1}])
        ec2 = client("ec2")
        outcome = []
        for _ in range(12):
            try:
                ec2.describe_vpcs()
                outcome.append(True)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "RequestLimitExceeded"
                outcome.append(False)
        return outcome

    first, second = run(), run()
    assert first == second
    assert True in first and False in first


def test_drop_connection_closes_without_an_answer(admin, client, account):
    admin.config(faults=[{"action": "DescribeVpcs", "drop_connection": True}])
    ec2 = client("ec2")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        ec2.describe_vpcs()
    ec2.describe_vpcs()
    assert [(c["status"], c["error"]) for c in admin.calls(account)] == [(0, "ConnectionDropped"), (200, None)]


def test_page_size_shortens_every_page_and_tokens_reach_the_rest(admin, client):
    for bad in (0, -1, True, "2"):
        status, payload = admin.request("POST", "config", {"page_size": bad})
        assert status == 400 and "page_size" in payload["error"], bad
    ram = client("ram")
    for n in range(5):
        ram.create_resource_share(name=f"share-{n}")
    admin.config(page_size=2)
    first = ram.get_resource_shares(resourceOwner="SELF")
    assert len(first["resourceShares"]) == 2 and first["nextToken"]
    # Even when the client asks for more, as AWS may answer fewer.
    asked = ram.get_resource_shares(resourceOwner="SELF", maxResults=100)
    assert len(asked["resourceShares"]) == 2 and asked["nextToken"]
    pages = list(ram.get_paginator("get_resource_shares").paginate(resourceOwner="SELF"))
    assert [len(p["resourceShares"]) for p in pages] == [2, 2, 1]
    assert sorted(s["name"] for p in pages for s in p["resourceShares"]) == [f"share-{n}" for n in range(5)]
    assert admin.config(page_size=None)["page_size"] is None
    assert len(ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]) == 5
