"""The realism knobs a test sets through `POST /_emulator/config`, validated and merged.

Every key of a config request is optional; keys left out keep their value. Unknown keys and
bad values are refused with a message naming the key, so a typo in a test fails loudly
instead of silently testing nothing.
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

from .errors import AdminError

#: Seconds an object spends in each transitional state, keyed "<kind>.<state>".
DELAY_KEYS = (
    "transit_gateway.pending",
    "transit_gateway.modifying",
    "transit_gateway.deleting",
    "vpc_attachment.pending",
    "vpc_attachment.pendingAcceptance",
    "vpc_attachment.modifying",
    "vpc_attachment.deleting",
    "vpc_attachment.rejected",
    "vpn_attachment.pending",
    "route_table.pending",
    "ram_association.associating",
    "ram_association.disassociating",
    "ram_invitation.appear",
    "ram_invitation.expire",
    "ram_share.propagation",
    "client_vpn_association.associating",
    "client_vpn_association.disassociating",
    "client_vpn_rule.authorizing",
    "client_vpn_rule.revoking",
    "client_vpn_route.creating",
    "client_vpn_route.deleting",
    "dx_association.associating",
    "dx_association.updating",
    "dx_association.disassociating",
    "nat_gateway.pending",
    "nat_gateway.deleting",
    "vpc_endpoint.pending",
    "vpc_endpoint.deleting",
    "client_vpn_attachment.pending",
    "client_vpn_attachment.deleting",
)

#: Delay keys whose state is only passed through when the key is set explicitly: unset, the
#: object skips `pendingAcceptance`, stays `rejected` for good, and invitations never expire.
OPTIONAL_PHASES = ("vpc_attachment.pendingAcceptance", "vpc_attachment.rejected", "ram_invitation.expire")

THROTTLE_CATEGORIES = ("describe", "mutating", "client_vpn", "tags")

DEFAULT_BUCKETS = {"describe": [100, 20], "mutating": [50, 5], "client_vpn": [5, 2], "tags": [100, 10]}

ORGANIZATION_KEYS = {"management_account", "accounts", "ram_sharing_enabled", "organizational_units"}
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
#: An entry of `mgn_initialized`: an account (every Region) or `account:region`.
_MGN_ENTRY = re.compile(r"^(\d{12})(?::([a-z]{2}(?:-[a-z]+)+-\d))?$")

FAULT_KEYS = {"action", "service", "error", "status", "message", "after", "count", "probability", "seed", "drop_connection"}


def default_config() -> dict[str, Any]:
    return {
        "delays": {},
        "latency_ms": 0,
        "throttle": {"enabled": False, "buckets": copy.deepcopy(DEFAULT_BUCKETS)},
        "faults": [],
        "concurrent_mutation_limit": 10,
        "page_size": None,
        "organizations": {},
        "mgn_initialized": [],
    }


class Settings:
    """The current config; readers get consistent snapshots, writers replace whole sections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config = default_config()
        self.generation = 0  # bumped on every change, so dependants can rebuild their state
        self.faults_version = 0  # bumped whenever "faults" is posted: rule counters restart

    def reset(self) -> None:
        with self._lock:
            self._config = default_config()
            self.generation += 1
            self.faults_version += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._config)

    def delay(self, key: str) -> float:
        """Seconds for a transitional state; 0 when not configured."""
        with self._lock:
            return float(self._config["delays"].get(key, 0))

    def phase_enabled(self, key: str) -> bool:
        """Whether an optional transitional state (e.g. pendingAcceptance) is passed through."""
        with self._lock:
            return key in self._config["delays"]

    @property
    def organizations(self) -> dict[str, dict[str, Any]]:
        """The declared AWS Organizations, normalised (management account among `accounts`)."""
        with self._lock:
            return copy.deepcopy(self._config["organizations"])

    @property
    def latency_seconds(self) -> float:
        with self._lock:
            return float(self._config["latency_ms"]) / 1000.0

    @property
    def concurrent_mutation_limit(self) -> int:
        with self._lock:
            return int(self._config["concurrent_mutation_limit"])

    def mgn_initialized(self, account: str, region: str) -> bool:
        """Whether the config seeds Application Migration Service as initialized here."""
        with self._lock:
            entries = self._config["mgn_initialized"]
        return account in entries or f"{account}:{region}" in entries

    @property
    def page_size(self) -> int | None:
        """The most items one page of any list the extension serves may hold (None: as asked)."""
        with self._lock:
            size = self._config["page_size"]
            return None if size is None else int(size)

    def apply(self, patch: Any) -> dict[str, Any]:
        """Validates and merges a config request; returns the whole config afterwards."""
        if not isinstance(patch, dict):
            raise AdminError("the config must be a JSON object")
        unknown = set(patch) - set(default_config())
        if unknown:
            raise AdminError(f"unknown config keys {sorted(unknown)}; valid keys are {sorted(default_config())}")
        with self._lock:
            updated = copy.deepcopy(self._config)
            if "delays" in patch:
                updated["delays"].update(_validate_delays(patch["delays"]))
            if "latency_ms" in patch:
                updated["latency_ms"] = _non_negative_number(patch["latency_ms"], "latency_ms")
            if "throttle" in patch:
                updated["throttle"] = _validate_throttle(patch["throttle"], updated["throttle"])
            if "faults" in patch:
                updated["faults"] = _validate_faults(patch["faults"])
                self.faults_version += 1
            if "concurrent_mutation_limit" in patch:
                limit = patch["concurrent_mutation_limit"]
                if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                    raise AdminError("concurrent_mutation_limit must be an integer ≥ 1")
                updated["concurrent_mutation_limit"] = limit
            if "page_size" in patch:
                size = patch["page_size"]
                if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
                    raise AdminError("page_size must be an integer ≥ 1, or null to answer pages as asked")
                updated["page_size"] = size
            if "organizations" in patch:
                updated["organizations"] = _validate_organizations(patch["organizations"])
            if "mgn_initialized" in patch:
                updated["mgn_initialized"] = _validate_mgn_initialized(patch["mgn_initialized"])
            self._config = updated
            self.generation += 1
            return copy.deepcopy(updated)


def _non_negative_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise AdminError(f"{name} must be a number ≥ 0, got {value!r}")
    return value


def _validate_delays(delays: Any) -> dict[str, float]:
    if not isinstance(delays, dict):
        raise AdminError('"delays" must be an object of "<kind>.<state>": seconds')
    for key, seconds in delays.items():
        if key not in DELAY_KEYS:
            raise AdminError(f"unknown delay key {key!r}; valid keys are {list(DELAY_KEYS)}")
        _non_negative_number(seconds, f"delays[{key!r}]")
    return dict(delays)


def _validate_mgn_initialized(entries: Any) -> list[str]:
    """A list of "<12-digit account>" (every Region) or "<account>:<region>" strings."""
    if not isinstance(entries, list) or not all(isinstance(e, str) and _MGN_ENTRY.match(e) for e in entries):
        raise AdminError(
            'mgn_initialized must be a list of "<12-digit account>" or "<account>:<region>" strings, '
            f"e.g. [\"111122223333\", \"444455556666:eu-west-1\"]; got {entries!r}"
        )
    return list(dict.fromkeys(entries))


def _validate_throttle(throttle: Any, current: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(throttle, dict) or set(throttle) - {"enabled", "buckets"}:
        raise AdminError('"throttle" must be {"enabled": bool, "buckets": {category: [burst, refill_per_second]}}')
    result = copy.deepcopy(current)
    if "enabled" in throttle:
        if not isinstance(throttle["enabled"], bool):
            raise AdminError('"throttle.enabled" must be true or false')
        result["enabled"] = throttle["enabled"]
    for category, bucket in (throttle.get("buckets") or {}).items():
        if category not in THROTTLE_CATEGORIES:
            raise AdminError(f"unknown throttle category {category!r}; valid ones are {list(THROTTLE_CATEGORIES)}")
        if (
            not isinstance(bucket, list)
            or len(bucket) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in bucket)
        ):
            raise AdminError(f"throttle bucket {category!r} must be [burst, refill_per_second] with numbers ≥ 0")
        result["buckets"][category] = list(bucket)
    return result


def _validate_faults(faults: Any) -> list[dict[str, Any]]:
    if not isinstance(faults, list):
        raise AdminError('"faults" must be a list of rules')
    for index, rule in enumerate(faults):
        where = f"faults[{index}]"
        if not isinstance(rule, dict):
            raise AdminError(f"{where} must be an object")
        unknown = set(rule) - FAULT_KEYS
        if unknown:
            raise AdminError(f"{where} has unknown keys {sorted(unknown)}; valid keys are {sorted(FAULT_KEYS)}")
        if not isinstance(rule.get("action"), str) or not rule["action"]:
            raise AdminError(f'{where}.action must be an action name or "*"')
        if not rule.get("drop_connection") and not isinstance(rule.get("error"), str):
            raise AdminError(f"{where}.error must name an error code (or set drop_connection: true)")
        for key in ("after", "count", "status", "seed"):
            if key in rule and (isinstance(rule[key], bool) or not isinstance(rule[key], int)):
                raise AdminError(f"{where}.{key} must be an integer")
        if rule.get("count", 1) < -1:
            raise AdminError(f"{where}.count must be -1 (forever) or ≥ 0")
        if rule.get("after", 0) < 0:
            raise AdminError(f"{where}.after must be ≥ 0")
        if "probability" in rule:
            p = rule["probability"]
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
                raise AdminError(f"{where}.probability must be a number in 0..1")
    return copy.deepcopy(faults)


def _validate_organizations(organizations: Any) -> dict[str, dict[str, Any]]:
    """Organizations replace the whole section: {"o-…": {management_account, accounts,
    ram_sharing_enabled, organizational_units}}. An account belongs to one Organization at most,
    as in AWS; the management account is a member whether listed or not."""
    shape = (
        '"organizations" must be {"o-<10-32 lowercase letters/digits>": {"management_account": "<12 digits>", '
        '"accounts": ["<12 digits>", …], "ram_sharing_enabled": bool, "organizational_units": {"ou-…": ["<12 digits>", …]}}}'
    )
    if not isinstance(organizations, dict):
        raise AdminError(shape)
    result: dict[str, dict[str, Any]] = {}
    member_of: dict[str, str] = {}
    for org_id, org in organizations.items():
        where = f"organizations[{org_id!r}]"
        if not isinstance(org_id, str) or not _ORG_ID.match(org_id):
            raise AdminError(f"{where}: the key must be an Organization ID like o-exampleorgid1; {shape}")
        if not isinstance(org, dict):
            raise AdminError(f"{where} must be an object; {shape}")
        unknown = set(org) - ORGANIZATION_KEYS
        if unknown:
            raise AdminError(f"{where} has unknown keys {sorted(unknown)}; valid keys are {sorted(ORGANIZATION_KEYS)}")
        management = org.get("management_account")
        if not isinstance(management, str) or not _ACCOUNT_ID.match(management):
            raise AdminError(f"{where}.management_account must be a 12-digit account ID string")
        accounts = _account_list(org.get("accounts", []), f"{where}.accounts")
        members = [management] + [a for a in accounts if a != management]
        for account in members:
            if account in member_of and member_of[account] != org_id:
                raise AdminError(f"account {account} is in both {member_of[account]} and {org_id}; an account belongs to one Organization")
            member_of[account] = org_id
        sharing = org.get("ram_sharing_enabled", False)
        if not isinstance(sharing, bool):
            raise AdminError(f"{where}.ram_sharing_enabled must be true or false")
        units = org.get("organizational_units", {})
        if not isinstance(units, dict):
            raise AdminError(f'{where}.organizational_units must be {{"ou-…": [account IDs]}}')
        normalised_units: dict[str, list[str]] = {}
        for ou_id, ou_accounts in units.items():
            if not isinstance(ou_id, str) or not _OU_ID.match(ou_id):
                raise AdminError(f"{where}.organizational_units: {ou_id!r} is not an OU ID like ou-ab12-cdefghij")
            listed = _account_list(ou_accounts, f"{where}.organizational_units[{ou_id!r}]")
            outsiders = sorted(set(listed) - set(members))
            if outsiders:
                raise AdminError(f"{where}.organizational_units[{ou_id!r}] names accounts outside the Organization: {outsiders}")
            normalised_units[ou_id] = listed
        result[org_id] = {
            "management_account": management,
            "accounts": members,
            "ram_sharing_enabled": sharing,
            "organizational_units": normalised_units,
        }
    return result


def _account_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or any(not isinstance(a, str) or not _ACCOUNT_ID.match(a) for a in value):
        raise AdminError(f"{where} must be a list of 12-digit account ID strings")
    return list(dict.fromkeys(value))
