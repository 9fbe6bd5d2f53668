"""EC2's `Filter.N.Name / Filter.N.Value.M` semantics, shared by every Describe* the extension serves.

Within one filter the values are OR-ed, across filters AND-ed; values may use `*` and `?`
wildcards; `tag:<key>`, `tag-key` and `tag-value` work on every taggable kind. A filter name
the kind does not support is refused with AWS's `InvalidParameterValue`, so a client that
relies on an unsupported filter finds out instead of silently getting everything.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import AwsError

Getter = Callable[[str], Any]


def normalise(filters: Any) -> dict[str, list[str]]:
    """Filters as decoded from the request (a list of {Name, Values}) → {name: values}."""
    result: dict[str, list[str]] = {}
    for item in filters or []:
        name = item.get("Name")
        if not name:
            raise AwsError("InvalidParameterValue", "The filter 'null' is invalid")
        result.setdefault(name, []).extend(str(v) for v in item.get("Values") or [])
    return result


def select(
    items: Iterable[Any],
    filters: Any,
    fields: Mapping[str, Callable[[Any], Any]],
    tags: Callable[[Any], Mapping[str, str]] | None = None,
) -> list[Any]:
    """The items matching every filter. `fields` maps filter names to value getters."""
    wanted = normalise(filters)
    for name in wanted:
        supported = name in fields or (tags is not None and (name.startswith("tag:") or name in ("tag-key", "tag-value")))
        if not supported:
            raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid")
    return [item for item in items if all(_matches(_values(item, name, fields, tags), values) for name, values in wanted.items())]


def _values(item: Any, name: str, fields: Mapping[str, Callable[[Any], Any]], tags: Any) -> list[str]:
    if name.startswith("tag:"):
        value = tags(item).get(name[4:])
        return [] if value is None else [value]
    if name == "tag-key" and name not in fields:
        return list(tags(item).keys())
    if name == "tag-value" and name not in fields:
        return list(tags(item).values())
    raw = fields[name](item)
    if raw is None:
        return []
    if isinstance(raw, (list, tuple, set)):
        return [_text(v) for v in raw if v is not None]
    return [_text(raw)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matches(actual: list[str], wanted: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(a, w) if ("*" in w or "?" in w) else a == w for a in actual for w in wanted)


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """{key: value} → EC2's [{Key, Value}] (sorted, for stable answers)."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def tags_from_specifications(specifications: Any, resource_type: str) -> dict[str, str]:
    """Tags from `TagSpecifications` addressed to one resource type."""
    tags: dict[str, str] = {}
    for spec in specifications or []:
        if spec.get("ResourceType") not in (None, resource_type):
            raise AwsError(
                "InvalidParameterValue",
                f"'{spec.get('ResourceType')}' is not a valid taggable resource type for this operation.",
            )
        for tag in spec.get("Tags") or []:
            tags[tag.get("Key", "")] = tag.get("Value", "")
    return tags
