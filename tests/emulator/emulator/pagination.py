"""MaxResults/NextToken paging for the lists the extension serves.

Tokens are opaque to clients (base64 of an offset plus a check of what was asked), so a token
reused with a different query is refused like AWS refuses a stale token.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from .errors import AwsError

T = TypeVar("T")


def page(
    items: Sequence[T],
    max_results: Any,
    next_token: Any,
    *,
    query: Any = None,
    minimum: int = 1,
    maximum: int = 1000,
    default: int | None = None,
    bad_token_code: str = "InvalidParameterValue",
    bad_max_code: str = "InvalidParameterValue",
    max_name: str = "MaxResults",
    cap: int | None = None,
) -> tuple[list[T], str | None]:
    """One page of `items` and the token for the next, or None on the last page.

    `cap` (the `page_size` setting) shortens every page below what was asked, as AWS may do:
    a client that stops at the first page without following `NextToken` then misses items.
    """
    size = default if default is not None else maximum
    if max_results is not None:
        try:
            size = int(max_results)
        except (TypeError, ValueError):
            raise AwsError(bad_max_code, f"{max_name} must be an integer") from None
        if not minimum <= size <= maximum:
            raise AwsError(bad_max_code, f"{max_name} must be between {minimum} and {maximum}, got {size}")
    if cap is not None:
        size = min(size, cap)
    check = hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:12]
    offset = 0
    if next_token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(str(next_token).encode()))
            offset = int(decoded["o"])
            if decoded["q"] != check or offset < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise AwsError(bad_token_code, "The token is not valid or has expired.") from None
    chunk = list(items[offset : offset + size])
    more = offset + size < len(items)
    token = base64.urlsafe_b64encode(json.dumps({"o": offset + size, "q": check}).encode()).decode() if more else None
    return chunk, token
