"""EC2's ClientToken idempotency for the create calls the extension serves.

AWS answers a repeated request with the same ClientToken and the same parameters with the first
answer (no second object), and refuses the token with other parameters
(`IdempotentParameterMismatch`). A provider that retries a create after a lost answer depends on
this: without it the retry leaks a second NAT gateway or endpoint.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from .errors import AwsError


class ClientTokens:
    """The tokens seen in one (account, Region): (action, token) → (fingerprint, answer)."""

    def __init__(self, account: str, region: str) -> None:
        self.seen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}


def idempotent(call: Any, produce: Callable[[], dict[str, Any]], *, token_member: str = "ClientToken") -> dict[str, Any]:
    """Runs `produce` once per token; a repeat with the same parameters gets the same answer."""
    token = call.params.get(token_member)
    if not token:
        return produce()
    book = call.store(ClientTokens)
    key = (call.request.action, str(token))
    fingerprint = json.dumps({k: v for k, v in call.params.items() if k not in (token_member, "DryRun")}, sort_keys=True, default=str)
    if key in book.seen:
        seen_fingerprint, answer = book.seen[key]
        if seen_fingerprint != fingerprint:
            raise AwsError("IdempotentParameterMismatch", f"The client token {token} was already used for a different request.")
        return copy.deepcopy(answer)
    answer = produce()
    book.seen[key] = (fingerprint, copy.deepcopy(answer))
    return answer
