"""Application Migration Service: initialization, replication configuration templates, tags."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import error_code, new_account

KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def staging(client, network):
    """A staging subnet and a security group in its VPC."""
    ec2 = client("ec2")
    group = ec2.create_security_group(GroupName="replication", Description="replication servers", VpcId=network["vpc"])["GroupId"]
    return {**network, "group": group}


def template_request(staging, **changes):
    request = {
        "stagingAreaSubnetId": staging["subnet_a"],
        "associateDefaultSecurityGroup": False,
        "replicationServersSecurityGroupsIDs": [staging["group"]],
        "replicationServerInstanceType": "t3.small",
        "useDedicatedReplicationServer": False,
        "defaultLargeStagingDiskType": "GP3",
        "ebsEncryption": "DEFAULT",
        "bandwidthThrottling": 0,
        "dataPlaneRouting": "PRIVATE_IP",
        "createPublicIP": False,
        "stagingAreaTags": {"purpose": "staging"},
    }
    request.update(changes)
    return request


def validation(excinfo):
    response = excinfo.value.response
    return error_code(excinfo), response.get("reason"), sorted(f["name"] for f in response.get("fieldList", []))


def test_template_calls_fail_until_the_service_is_initialized_in_that_region(client, staging):
    mgn = client("mgn")
    for call in (
        lambda: mgn.describe_replication_configuration_templates(),
        lambda: mgn.create_replication_configuration_template(**template_request(staging)),
        lambda: mgn.delete_replication_configuration_template(replicationConfigurationTemplateID="rct-0123456789abcdef0"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "UninitializedAccountException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    answer = mgn.initialize_service()
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    mgn.initialize_service()  # idempotent
    assert mgn.describe_replication_configuration_templates()["items"] == []
    with pytest.raises(ClientError) as excinfo:
        client("mgn", region="eu-west-1").describe_replication_configuration_templates()
    assert error_code(excinfo) == "UninitializedAccountException"


def test_config_seeds_initialization_per_account_or_region(admin, client, account):
    for bad in ("111122223333", ["1234"], ["111122223333:nowhere"], [7]):
        status, payload = admin.request("POST", "config", {"mgn_initialized": bad})
        assert status == 400 and "mgn_initialized" in payload["error"], bad
    other = new_account()
    config = admin.config(mgn_initialized=[account, f"{other}:eu-west-1"])
    assert config["mgn_initialized"] == [account, f"{other}:eu-west-1"]
    assert client("mgn").describe_replication_configuration_templates()["items"] == []
    assert client("mgn", region="eu-west-1").describe_replication_configuration_templates()["items"] == []
    assert client("mgn", account=other, region="eu-west-1").describe_replication_configuration_templates()["items"] == []
    with pytest.raises(ClientError) as excinfo:
        client("mgn", account=other).describe_replication_configuration_templates()
    assert error_code(excinfo) == "UninitializedAccountException"
    admin.request("POST", "reset")
    with pytest.raises(ClientError) as excinfo:
        client("mgn").describe_replication_configuration_templates()
    assert error_code(excinfo) == "UninitializedAccountException"


def test_template_lifecycle_keeps_every_member(client, account, staging):
    mgn = client("mgn")
    mgn.initialize_service()
    request = template_request(
        staging,
        associateDefaultSecurityGroup=True,
        useDedicatedReplicationServer=True,
        defaultLargeStagingDiskType="ST1",
        ebsEncryption="CUSTOM",
        ebsEncryptionKeyArn=KMS_KEY,
        bandwidthThrottling=250,
        dataPlaneRouting="PUBLIC_IP",
        createPublicIP=True,
        useFipsEndpoint=True,
        internetProtocol="IPV4",
        storeSnapshotOnLocalZone=False,
        tags={"Name": "staging-template"},
    )
    created = mgn.create_replication_configuration_template(**request)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    template_id = created["replicationConfigurationTemplateID"]
    assert template_id.startswith("rct-") and len(template_id) == 21
    assert created["arn"] == f"arn:aws:mgn:us-east-1:{account}:replication-configuration-template/{template_id}"
    for key, value in request.items():
        assert created[key] == value, key
    described = mgn.describe_replication_configuration_templates(replicationConfigurationTemplateIDs=[template_id])["items"]
    assert [{k: v for k, v in d.items()} for d in described] == [{k: v for k, v in created.items() if k != "ResponseMetadata"}]

    updated = mgn.update_replication_configuration_template(
        replicationConfigurationTemplateID=template_id, arn=created["arn"], bandwidthThrottling=0, dataPlaneRouting="PRIVATE_IP", ebsEncryption="DEFAULT"
    )
    assert (updated["bandwidthThrottling"], updated["dataPlaneRouting"], updated["ebsEncryption"]) == (0, "PRIVATE_IP", "DEFAULT")
    assert "ebsEncryptionKeyArn" not in updated  # back to the default key
    assert updated["tags"] == {"Name": "staging-template"} and updated["createPublicIP"] is True

    deleted = mgn.delete_replication_configuration_template(replicationConfigurationTemplateID=template_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (
        lambda: mgn.describe_replication_configuration_templates(replicationConfigurationTemplateIDs=[template_id]),
        lambda: mgn.delete_replication_configuration_template(replicationConfigurationTemplateID=template_id),
        lambda: mgn.update_replication_configuration_template(replicationConfigurationTemplateID=template_id, bandwidthThrottling=1),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "ResourceNotFoundException"
        response = excinfo.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert (response["resourceId"], response["resourceType"]) == (template_id, "REPLICATION_CONFIGURATION_TEMPLATE")


def test_requests_are_validated_as_the_model_and_aws_define(emulator, client, account, staging):
    mgn = client("mgn")
    mgn.initialize_service()
    with pytest.raises(ClientError) as excinfo:
        mgn.create_replication_configuration_template(**template_request(staging, defaultLargeStagingDiskType="IO2", dataPlaneRouting="VPN"))
    assert validation(excinfo) == ("ValidationException", "fieldValidationFailed", ["dataPlaneRouting", "defaultLargeStagingDiskType"])
    unchecked = boto3.client(  # lets a request the SDK would stop reach the emulator
        "mgn", endpoint_url=emulator, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="x",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as excinfo:
        unchecked.create_replication_configuration_template(stagingAreaSubnetId=staging["subnet_a"], bandwidthThrottling=20000)
    code, reason, fields = validation(excinfo)
    assert (code, reason) == ("ValidationException", "fieldValidationFailed")
    assert "bandwidthThrottling" in fields and "ebsEncryption" in fields and "stagingAreaTags" in fields
    cases = [
        (dict(ebsEncryption="CUSTOM"), ["ebsEncryptionKeyArn"]),
        (dict(ebsEncryptionKeyArn=KMS_KEY), ["ebsEncryptionKeyArn"]),  # DEFAULT takes no key
        (dict(stagingAreaSubnetId="subnet-0123456789abcdef0"), ["stagingAreaSubnetId"]),
        (dict(replicationServersSecurityGroupsIDs=["sg-0123456789abcdef0"]), ["replicationServersSecurityGroupsIDs"]),
        (dict(stagingAreaTags={"aws:reserved": "x"}), ["stagingAreaTags"]),
        (dict(replicationServersSecurityGroupsIDs=["not-a-group"]), ["replicationServersSecurityGroupsIDs.1.member"]),
    ]
    for changes, expected in cases:
        with pytest.raises(ClientError) as excinfo:
            mgn.create_replication_configuration_template(**template_request(staging, **changes))
        assert validation(excinfo) == ("ValidationException", "fieldValidationFailed", expected), changes
    other_vpc = client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    foreign = client("ec2").create_security_group(GroupName="elsewhere", Description="x", VpcId=other_vpc)["GroupId"]
    with pytest.raises(ClientError) as excinfo:
        mgn.create_replication_configuration_template(**template_request(staging, replicationServersSecurityGroupsIDs=[foreign]))
    assert validation(excinfo)[2] == ["replicationServersSecurityGroupsIDs"]
    with pytest.raises(ClientError) as excinfo:
        unchecked.describe_replication_configuration_templates(replicationConfigurationTemplateIDs=["rct-short"])
    assert error_code(excinfo) == "ValidationException"
    assert mgn.describe_replication_configuration_templates()["items"] == []  # nothing was created
    template_id = mgn.create_replication_configuration_template(**template_request(staging))["replicationConfigurationTemplateID"]
    with pytest.raises(ClientError) as excinfo:
        mgn.update_replication_configuration_template(replicationConfigurationTemplateID=template_id, ebsEncryption="CUSTOM")
    assert validation(excinfo)[2] == ["ebsEncryptionKeyArn"]
    with pytest.raises(ClientError) as excinfo:
        mgn.describe_source_servers(filters={})
    assert error_code(excinfo) == "UnknownOperationException"


def test_describe_pages_under_page_size_and_filters_by_id(admin, client, staging):
    mgn = client("mgn")
    mgn.initialize_service()
    ids = [mgn.create_replication_configuration_template(**template_request(staging))["replicationConfigurationTemplateID"] for _ in range(5)]
    first = mgn.describe_replication_configuration_templates(maxResults=3)
    assert len(first["items"]) == 3 and first["nextToken"]
    admin.config(page_size=2)
    pages = list(mgn.get_paginator("describe_replication_configuration_templates").paginate())
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [t["replicationConfigurationTemplateID"] for p in pages for t in p["items"]] == ids
    chosen = mgn.describe_replication_configuration_templates(replicationConfigurationTemplateIDs=[ids[3], ids[1]])["items"]
    assert [t["replicationConfigurationTemplateID"] for t in chosen] == [ids[3], ids[1]]
    with pytest.raises(ClientError) as excinfo:
        mgn.describe_replication_configuration_templates(nextToken="bogus")
    assert error_code(excinfo) == "ValidationException"


def test_tags_on_template_arns(client, staging):
    mgn = client("mgn")
    mgn.initialize_service()
    arn = mgn.create_replication_configuration_template(**template_request(staging, tags={"Name": "t"}))["arn"]
    mgn.tag_resource(resourceArn=arn, tags={"team": "migration", "env": "test"})
    assert mgn.list_tags_for_resource(resourceArn=arn)["tags"] == {"Name": "t", "team": "migration", "env": "test"}
    mgn.untag_resource(resourceArn=arn, tagKeys=["Name", "env"])
    assert mgn.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "migration"}
    with pytest.raises(ClientError) as excinfo:
        mgn.tag_resource(resourceArn=arn, tags={"aws:owner": "x"})
    assert error_code(excinfo) == "ValidationException"
    unknown = arn[:-5] + "00000"
    for call in (lambda: mgn.list_tags_for_resource(resourceArn=unknown), lambda: mgn.tag_resource(resourceArn=unknown, tags={"a": "b"})):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "ResourceNotFoundException"
        assert excinfo.value.response["resourceId"] == unknown
    with pytest.raises(ClientError) as excinfo:
        client("mgn", account=new_account()).list_tags_for_resource(resourceArn=arn)  # another account's template
    assert error_code(excinfo) == "ResourceNotFoundException"


def test_inventory_and_call_record(admin, client, account, staging):
    mgn = client("mgn")
    mgn.initialize_service()
    created = mgn.create_replication_configuration_template(**template_request(staging, tags={"Name": "t"}))
    mgn.tag_resource(resourceArn=created["arn"], tags={"team": "m"})
    [entry] = admin.inventory(account)["mgn_replication_configuration_templates"]
    assert entry == {
        "id": created["replicationConfigurationTemplateID"],
        "arn": created["arn"],
        "region": "us-east-1",
        "staging_area_subnet_id": staging["subnet_a"],
        "security_group_ids": [staging["group"]],
        "ebs_encryption": "DEFAULT",
        "data_plane_routing": "PRIVATE_IP",
        "staging_area_tags": {"purpose": "staging"},
        "tags": {"Name": "t", "team": "m"},
    }
    calls = [(c["service"], c["action"], c["status"]) for c in admin.calls(account) if c["service"] == "mgn"]
    assert calls == [("mgn", "InitializeService", 204), ("mgn", "CreateReplicationConfigurationTemplate", 201), ("mgn", "TagResource", 200)]
    tag_call = [c for c in admin.calls(account) if c["action"] == "TagResource"][0]
    assert tag_call["params"] == {"resourceArn": created["arn"], "tags": {"team": "m"}}
    mgn.delete_replication_configuration_template(replicationConfigurationTemplateID=created["replicationConfigurationTemplateID"])
    assert admin.inventory(account)["mgn_replication_configuration_templates"] == []
