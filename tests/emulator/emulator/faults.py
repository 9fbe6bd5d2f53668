"""Injected failures: a test lists rules, and matching calls fail the way AWS fails.

A rule matches by action name (or "*") and optionally by service. The first `after` matching
calls pass through it untouched; the next `count` matching calls (-1: all) fail with the rule's
error in the service's own error format, or lose their connection without an answer
(`drop_connection`). With `probability`, each call past `after` fails only by a draw from a
generator seeded with `seed`, so a run is reproducible. Rules are checked in order; the first
that fires decides.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import default_status


@dataclass
class Fault:
    """What to do to one call."""

    code: str
    message: str
    status: int
    drop_connection: bool


@dataclass
class _Rule:
    spec: dict[str, Any]
    passed: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def matches(self, service: str, action: str) -> bool:
        if self.spec["action"] not in ("*", action):
            return False
        wanted = self.spec.get("service")
        return wanted is None or wanted == service

    def decide(self) -> Fault | None:
        if self.passed < self.spec.get("after", 0):
            self.passed += 1
            return None
        count = self.spec.get("count", 1)
        if count != -1 and self.fired >= count:
            return None
        probability = self.spec.get("probability")
        if probability is not None and self.rng.random() >= probability:
            return None
        self.fired += 1
        code = self.spec.get("error", "ConnectionDropped")
        return Fault(
            code=code,
            message=self.spec.get("message") or f"Injected fault: {code}.",
            status=self.spec.get("status") or default_status(code),
            drop_connection=bool(self.spec.get("drop_connection")),
        )


class FaultInjector:
    """The active rules with their counters; rebuilt (counters restarted) whenever `faults` is posted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._version: int | None = None

    def decide(self, specs: list[dict[str, Any]], version: int, service: str, action: str) -> Fault | None:
        """The fault for one call, if any. `version` changes whenever the rules were posted."""
        with self._lock:
            if version != self._version:
                self._rules = [_Rule(spec=dict(s), rng=random.Random(s.get("seed"))) for s in specs]
                self._version = version
            for rule in self._rules:
                if rule.matches(service, action):
                    fault = rule.decide()
                    if fault is not None:
                        return fault
            return None

    def reset(self) -> None:
        with self._lock:
            self._rules = []
            self._version = None
