"""Identifiers in AWS's formats (prefix + 17 hex digits, UUIDs, SIDs)."""

from __future__ import annotations

import random
import uuid

_random = random.SystemRandom()


def hex_id(prefix: str, digits: int = 17) -> str:
    return f"{prefix}-{''.join(_random.choice('0123456789abcdef') for _ in range(digits))}"


def uuid4() -> str:
    return str(uuid.uuid4())


def number(low: int, high: int) -> int:
    return _random.randint(low, high)
