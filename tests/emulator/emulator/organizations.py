"""AWS Organizations membership, as the admin config declares it (`"organizations"`).

The emulator has no Organizations API of its own (moto's needs its own set-up and knows nothing
of the accounts tests pick); RAM only needs to know who is in which Organization, whether RAM
sharing with the Organization is enabled, and which accounts an OU holds. Tests declare that in
the config, so "the spoke is in the hub's Organization" is one POST instead of an Organizations
bootstrap.

With no Organization declared, RAM behaves as before this module existed: Organization and OU
ARNs reach every account, and every account principal is external (it gets an invitation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ORG_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:organization/(o-[a-z0-9]{10,32})$")
_OU_ARN = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/(o-[a-z0-9]{10,32})/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")


@dataclass(frozen=True)
class Organization:
    org_id: str
    management_account: str
    accounts: frozenset[str]
    ram_sharing_enabled: bool
    units: dict[str, frozenset[str]]

    def unit_accounts(self, ou_id: str) -> frozenset[str] | None:
        """The accounts of an OU; the whole Organization when no OU is declared; None when OUs
        are declared but this one is not (it does not exist)."""
        if not self.units:
            return self.accounts
        return self.units.get(ou_id)


class Organizations:
    """A read-only view of the declared Organizations, built from one config snapshot."""

    def __init__(self, declared: dict[str, dict[str, Any]]) -> None:
        self._by_id = {
            org_id: Organization(
                org_id=org_id,
                management_account=org["management_account"],
                accounts=frozenset(org["accounts"]),
                ram_sharing_enabled=bool(org["ram_sharing_enabled"]),
                units={ou: frozenset(accounts) for ou, accounts in org.get("organizational_units", {}).items()},
            )
            for org_id, org in declared.items()
        }

    @property
    def modelled(self) -> bool:
        """False when no Organization is declared: the emulator's behaviour before Organizations."""
        return bool(self._by_id)

    def get(self, org_id: str) -> Organization | None:
        return self._by_id.get(org_id)

    def of(self, account: str) -> Organization | None:
        """The Organization an account belongs to, if any."""
        return next((org for org in self._by_id.values() if account in org.accounts), None)

    def shares_internally(self, owner: str, principal: str) -> bool:
        """Whether sharing from `owner` with account `principal` stays inside an Organization
        that has RAM sharing enabled: then AWS sends no invitation."""
        org = self.of(owner)
        return org is not None and org.ram_sharing_enabled and principal in org.accounts

    def reaches(self, principal: str, account: str) -> bool:
        """Whether an Organization or OU ARN principal includes `account`."""
        org_match = _ORG_ARN.match(principal)
        ou_match = _OU_ARN.match(principal)
        if not (org_match or ou_match):
            return False
        if not self.modelled:
            return True  # membership not modelled: as before, an org principal reaches everyone
        if org_match:
            org = self.get(org_match.group(1))
            return org is not None and account in org.accounts
        org = self.get(ou_match.group(1))  # type: ignore[union-attr]
        members = org.unit_accounts(ou_match.group(2)) if org else None  # type: ignore[union-attr]
        return members is not None and account in members


def parse_org_principal(principal: str) -> tuple[str, str | None] | None:
    """(Organization ID, OU ID or None) of an Organization/OU ARN; None for other principals."""
    org_match = _ORG_ARN.match(principal)
    if org_match:
        return org_match.group(1), None
    ou_match = _OU_ARN.match(principal)
    if ou_match:
        return ou_match.group(1), ou_match.group(2)
    return None
