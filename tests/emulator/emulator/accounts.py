"""Which AWS account a request acts as.

Tests isolate themselves by account, and the AWS SDK for Rust cannot easily send moto's
`x-moto-account-id` header, so a client selects its account through its credentials: an access
key ID of exactly 12 digits *is* the account ID. The precedence, highest first:

1. the `x-moto-account-id` request header (moto's own mechanism),
2. a 12-digit access key ID,
3. an access key moto issued itself (STS AssumeRole, IAM CreateAccessKey) → that key's account,
4. moto's default account 123456789012.

The gateway writes the outcome into `x-moto-account-id` before moto sees the request, so
moto's backends and the extension's stores always agree on the account.
"""

from __future__ import annotations

import re

DEFAULT_ACCOUNT = "123456789012"
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def account_for(access_key: str | None, explicit_header: str | None) -> str:
    if explicit_header and _ACCOUNT_ID.match(explicit_header):
        return explicit_header
    if access_key and _ACCOUNT_ID.match(access_key):
        return access_key
    if access_key:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key)
    return DEFAULT_ACCOUNT


def is_account_id(value: str) -> bool:
    return bool(_ACCOUNT_ID.match(value))
