"""Directory Service Data (signing name `ds-data`, REST-JSON): groups and their SIDs.

moto has no Directory Service Data. The provider resolves AD group names to the SIDs that
Client VPN authorization rules need; AWS offers this for AWS Managed Microsoft AD only, so the
directory is looked up in moto's Directory Service backend and any other type is refused with
`ValidationException` (Reason `INVALID_DIRECTORY_TYPE`). An unknown directory gives
`AccessDeniedException`, as the API reference documents. Each directory starts with a few of
the groups a real Managed AD has, so lookups by name must pick the right one among several.
Directory data access (Directory Service's Enable/Disable/DescribeDirectoryDataAccess) starts
enabled here, so that seeded directories serve names at once (on AWS a new directory starts
with it disabled); while it is disabled every Directory Service Data call is refused with
`AccessDeniedException` (Reason `DATA_DISABLED`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from moto.ds.models import ds_backends

from .. import ids
from ..errors import AwsError
from ..pagination import page
from . import Call, handles

BUILTIN_GROUPS = (
    ("Domain Admins", 512, "Global"),
    ("Domain Users", 513, "Global"),
    ("Domain Computers", 515, "Global"),
    ("AWS Delegated Administrators", 1107, "DomainLocal"),
)


@dataclass
class Group:
    name: str
    sid: str
    scope: str
    kind: str
    distinguished_name: str


class DirectoryGroups:
    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.domain_sid = f"S-1-5-21-{ids.number(10**9, 4 * 10**9)}-{ids.number(10**9, 4 * 10**9)}-{ids.number(10**9, 4 * 10**9)}"
        self.next_rid = 1108
        self.groups: dict[str, Group] = {}
        for name, rid, scope in BUILTIN_GROUPS:
            self._add(name, rid, scope, "Security")

    def _add(self, name: str, rid: int, scope: str, kind: str) -> Group:
        dn_domain = ",".join(f"DC={part}" for part in self.domain.split("."))
        netbios = self.domain.split(".")[0].upper()
        group = Group(name, f"{self.domain_sid}-{rid}", scope, kind, f"CN={name},OU=Users,OU={netbios},{dn_domain}")
        self.groups[name.lower()] = group
        return group

    def create(self, name: str, scope: str, kind: str) -> Group:
        group = self._add(name, self.next_rid, scope, kind)
        self.next_rid += 1
        return group


class DirectoryDataStore:
    def __init__(self, account: str, region: str) -> None:
        self.directories: dict[str, DirectoryGroups] = {}
        #: Directories whose data access was disabled (DisableDirectoryDataAccess).
        self.data_access_disabled: set[str] = set()
        self.tokens: dict[str, tuple[str, dict[str, Any]]] = {}


def _directory(call: Call) -> tuple[Any, DirectoryGroups]:
    directory_id = call.params.get("DirectoryId")
    if not directory_id:
        raise AwsError("ValidationException", "DirectoryId is required.", fields={"Reason": "MISSING_ATTRIBUTE"})
    directory = ds_backends[call.account][call.region].directories.get(directory_id)
    if directory is None:
        raise AwsError(
            "AccessDeniedException",
            f"You don't have access to directory {directory_id}, or it does not exist.",
            403,
            {"Reason": "DIRECTORY_AUTH"},
        )
    if directory.directory_type != "MicrosoftAD":
        raise AwsError(
            "ValidationException",
            f"Directory {directory_id} is a {directory.directory_type} directory; Directory Service Data supports AWS Managed Microsoft AD only.",
            fields={"Reason": "INVALID_DIRECTORY_TYPE"},
        )
    if directory.stage != "Active":
        raise AwsError(
            "DirectoryUnavailableException",
            f"Directory {directory_id} is {directory.stage}.",
            fields={"Reason": "INVALID_DIRECTORY_STATE"},
        )
    store = call.store(DirectoryDataStore)
    if directory_id in store.data_access_disabled:
        raise AwsError(
            "AccessDeniedException",
            f"Directory data access is disabled for directory {directory_id}. Enable it with EnableDirectoryDataAccess.",
            403,
            {"Reason": "DATA_DISABLED"},
        )
    groups = store.directories.get(directory_id)
    if groups is None:
        groups = store.directories[directory_id] = DirectoryGroups(directory.name)
    return directory, groups


def _check_realm(call: Call, groups: DirectoryGroups) -> str:
    realm = call.params.get("Realm")
    if realm and realm.lower() != groups.domain.lower():
        raise AwsError("ValidationException", f"Realm {realm} is not a domain of this directory.", fields={"Reason": "INVALID_REALM"})
    return groups.domain


@handles("ds-data", "CreateGroup")
def create_group(call: Call) -> dict[str, Any]:
    directory, groups = _directory(call)
    params = call.params
    name = params.get("SAMAccountName")
    if not name:
        raise AwsError("ValidationException", "SAMAccountName is required.", fields={"Reason": "MISSING_ATTRIBUTE"})
    token = params.get("ClientToken")
    store = call.store(DirectoryDataStore)
    fingerprint = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str)
    if token and token in store.tokens:
        seen, answer = store.tokens[token]
        if seen == fingerprint:
            return copy.deepcopy(answer)
        raise AwsError("ConflictException", f"The client token {token} was already used for a different request.", 409)
    if name.lower() in groups.groups:
        raise AwsError("ConflictException", f"A group named {name} already exists in {directory.directory_id}.", 409)
    group = groups.create(name, params.get("GroupScope") or "Global", params.get("GroupType") or "Security")
    answer = {"DirectoryId": directory.directory_id, "SAMAccountName": group.name, "SID": group.sid}
    if token:
        store.tokens[token] = (fingerprint, copy.deepcopy(answer))
    return answer


@handles("ds-data", "DescribeGroup")
def describe_group(call: Call) -> dict[str, Any]:
    directory, groups = _directory(call)
    realm = _check_realm(call, groups)
    name = call.params.get("SAMAccountName") or ""
    group = groups.groups.get(name.lower())
    if group is None:
        raise AwsError("ResourceNotFoundException", f"Group {name} was not found in {directory.directory_id}.", 404)
    return {
        "DirectoryId": directory.directory_id,
        "DistinguishedName": group.distinguished_name,
        "GroupScope": group.scope,
        "GroupType": group.kind,
        "Realm": realm,
        "SAMAccountName": group.name,
        "SID": group.sid,
    }


@handles("ds-data", "ListGroups")
def list_groups(call: Call) -> dict[str, Any]:
    directory, groups = _directory(call)
    realm = _check_realm(call, groups)
    ordered = sorted(groups.groups.values(), key=lambda g: g.name.lower())
    chunk, token = page(
        ordered,
        call.params.get("MaxResults"),
        call.params.get("NextToken"),
        cap=call.world.settings.page_size, query=[directory.directory_id],
        maximum=250,
        bad_token_code="ValidationException",
        bad_max_code="ValidationException",
    )
    return {
        "DirectoryId": directory.directory_id,
        "Groups": [{"GroupScope": g.scope, "GroupType": g.kind, "SAMAccountName": g.name, "SID": g.sid} for g in chunk],
        "NextToken": token,
        "Realm": realm,
    }


def _managed_ad_for_data_access(call: Call) -> str:
    directory_id = call.params.get("DirectoryId") or ""
    directory = ds_backends[call.account][call.region].directories.get(directory_id)
    if directory is None:
        raise AwsError("EntityDoesNotExistException", f"Directory {directory_id} does not exist.")
    if directory.directory_type != "MicrosoftAD":
        raise AwsError("UnsupportedOperationException", f"Directory data access is not supported for {directory.directory_type} directories.")
    return directory_id


@handles("ds", "DisableDirectoryDataAccess")
def disable_data_access(call: Call) -> dict[str, Any]:
    call.store(DirectoryDataStore).data_access_disabled.add(_managed_ad_for_data_access(call))
    return {}


@handles("ds", "EnableDirectoryDataAccess")
def enable_data_access(call: Call) -> dict[str, Any]:
    call.store(DirectoryDataStore).data_access_disabled.discard(_managed_ad_for_data_access(call))
    return {}


@handles("ds", "DescribeDirectoryDataAccess")
def describe_data_access(call: Call) -> dict[str, Any]:
    directory_id = _managed_ad_for_data_access(call)
    disabled = directory_id in call.store(DirectoryDataStore).data_access_disabled
    return {"DataAccessStatus": "Disabled" if disabled else "Enabled"}


def inventory(world: Any, account: str, region: str | None) -> dict[str, list[dict[str, Any]]]:
    groups = []
    for store_account, store_region, store in world.stores(DirectoryDataStore):
        if store_account != account or (region and store_region != region):
            continue
        for directory_id, directory in store.directories.items():
            for group in directory.groups.values():
                groups.append({"directory_id": directory_id, "region": store_region, "name": group.name, "sid": group.sid})
    return {"directory_groups": groups}
