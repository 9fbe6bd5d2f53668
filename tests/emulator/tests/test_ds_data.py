"""Directory Service Data: groups and SIDs for AWS Managed Microsoft AD only."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from conftest import error_code

SID = re.compile(r"^S-1-5-21-\d+-\d+-\d+-\d+$")


def make_directory(client, network, kind):
    ds = client("ds")
    vpc = {"VpcId": network["vpc"], "SubnetIds": [network["subnet_a"], network["subnet_b"]]}
    if kind == "MicrosoftAD":
        return ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!23", Edition="Standard", VpcSettings=vpc)["DirectoryId"]
    return ds.create_directory(Name="simple.example.com", Password="Passw0rd!23", Size="Small", VpcSettings=vpc)["DirectoryId"]


def test_groups_and_sids_on_managed_ad(client, network):
    directory = make_directory(client, network, "MicrosoftAD")
    data = client("ds-data")
    created = data.create_group(DirectoryId=directory, SAMAccountName="vpn-engineering", GroupScope="Global", GroupType="Security")
    assert created["SAMAccountName"] == "vpn-engineering" and SID.match(created["SID"])
    described = data.describe_group(DirectoryId=directory, SAMAccountName="VPN-Engineering")
    assert (described["SID"], described["GroupScope"], described["GroupType"], described["Realm"]) == (created["SID"], "Global", "Security", "corp.example.com")
    names = {g["SAMAccountName"]: g["SID"] for page in data.get_paginator("list_groups").paginate(DirectoryId=directory, PaginationConfig={"PageSize": 2}) for g in page["Groups"]}
    assert names["vpn-engineering"] == created["SID"]
    assert "Domain Users" in names and len(set(names.values())) == len(names)
    with pytest.raises(ClientError) as excinfo:
        data.create_group(DirectoryId=directory, SAMAccountName="vpn-engineering")
    assert error_code(excinfo) == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        data.describe_group(DirectoryId=directory, SAMAccountName="nobody")
    assert error_code(excinfo) == "ResourceNotFoundException"


def test_simple_ad_and_unknown_directories_are_refused(client, network):
    directory = make_directory(client, network, "SimpleAD")
    data = client("ds-data")
    with pytest.raises(ClientError) as excinfo:
        data.list_groups(DirectoryId=directory)
    assert error_code(excinfo) == "ValidationException"
    assert excinfo.value.response["Reason"] == "INVALID_DIRECTORY_TYPE"
    with pytest.raises(ClientError) as excinfo:
        data.list_groups(DirectoryId="d-0000000000")
    assert error_code(excinfo) == "AccessDeniedException"
