"""EC2's request rate limits: token buckets per account, Region and action category.

AWS throttles EC2 per account and Region with separate buckets for Describe*/Get*/Search*,
other (mutating) actions, the four Client VPN rule/route actions, and CreateTags/DeleteTags. An
empty bucket answers `RequestLimitExceeded` (HTTP 503). Buckets start full and refill
continuously at their rate, so a test can observe both the burst and the recovery.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .errors import AwsError

CLIENT_VPN_THROTTLED = {
    "AuthorizeClientVpnIngress",
    "RevokeClientVpnIngress",
    "CreateClientVpnRoute",
    "DeleteClientVpnRoute",
}
TAG_ACTIONS = {"CreateTags", "DeleteTags"}


def category(action: str) -> str:
    if action in CLIENT_VPN_THROTTLED:
        return "client_vpn"
    if action in TAG_ACTIONS:
        return "tags"
    if action.startswith(("Describe", "Get", "Search")):
        return "describe"
    return "mutating"


@dataclass
class _Bucket:
    burst: float
    rate: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Throttler:
    """Holds the buckets; rebuilt (full) whenever the throttle config changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._config: dict | None = None

    def check(self, config: dict, account: str, region: str, action: str) -> None:
        """Takes a token for an EC2 call or raises `RequestLimitExceeded`."""
        if not config["enabled"]:
            return
        kind = category(action)
        burst, rate = config["buckets"][kind]
        now = time.monotonic()
        with self._lock:
            if config != self._config:
                self._buckets.clear()
                self._config = config
            bucket = self._buckets.get((account, region, kind))
            if bucket is None:
                bucket = self._buckets[(account, region, kind)] = _Bucket(burst, rate, burst, now)
            if not bucket.take(now):
                raise AwsError("RequestLimitExceeded", "Request limit exceeded.", 503)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._config = None
