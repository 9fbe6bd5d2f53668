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


def test_data_access_disabled_refuses_directory_data_until_enabled(client, network):
    directory = make_directory(client, network, "MicrosoftAD")
    ds, data = client("ds"), client("ds-data")
    assert ds.describe_directory_data_access(DirectoryId=directory)["DataAccessStatus"] == "Enabled"
    ds.disable_directory_data_access(DirectoryId=directory)
    assert ds.describe_directory_data_access(DirectoryId=directory)["DataAccessStatus"] == "Disabled"
    for call in (lambda: data.describe_group(DirectoryId=directory, SAMAccountName="Domain Users"), lambda: data.list_groups(DirectoryId=directory)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "AccessDeniedException"
        assert excinfo.value.response["Reason"] == "DATA_DISABLED"
    ds.enable_directory_data_access(DirectoryId=directory)
    assert data.describe_group(DirectoryId=directory, SAMAccountName="Domain Users")["SAMAccountName"] == "Domain Users"


def test_data_access_is_for_managed_ad_only(client, network):
    simple = make_directory(client, network, "SimpleAD")
    ds = client("ds")
    with pytest.raises(ClientError) as excinfo:
        ds.disable_directory_data_access(DirectoryId=simple)
    assert error_code(excinfo) == "UnsupportedOperationException"
    with pytest.raises(ClientError) as excinfo:
        ds.enable_directory_data_access(DirectoryId="d-0000000000")
    assert error_code(excinfo) == "EntityDoesNotExistException"
