"""Wire formats: decoding query-protocol parameters and rendering answers and errors.

EC2 (and the other query services) send flat `Key.1.Sub=value` forms and expect XML back; the
JSON services take and return JSON. Everything here is driven by botocore's shapes so that
element names, list wrappers and error layouts are the ones the SDKs parse.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import ListShape, MapShape, Shape, StructureShape

EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"


# ---------------------------------------------------------------------------------------------
# Query-protocol request decoding


def decode_query(flat: Mapping[str, str], shape: StructureShape | None, ec2: bool) -> dict[str, Any]:
    """Turns a flat query form into a dict keyed by the API's member names.

    `ec2` selects EC2's conventions (wire names from `queryName`/capitalised `locationName`,
    lists always flattened as `Name.N`); otherwise the generic query ones (`Name.member.N`).
    Without a shape the form is un-flattened by its dots alone.
    """
    if shape is None:
        return unflatten(flat)
    return _decode_structure(flat, shape, "", ec2)


def _wire_name(member_name: str, member: Shape, ec2: bool) -> str:
    if ec2:
        if "queryName" in member.serialization:
            return member.serialization["queryName"]
        if "name" in member.serialization:
            name = member.serialization["name"]
            return name[0].upper() + name[1:]
        return member_name
    return member.serialization.get("name", member_name)


def _decode_structure(flat: Mapping[str, str], shape: StructureShape, prefix: str, ec2: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = prefix + _wire_name(name, member, ec2)
        value = _decode_value(flat, member, key, ec2)
        if value is not None:
            out[name] = value
    return out


def _decode_value(flat: Mapping[str, str], shape: Shape, key: str, ec2: bool) -> Any:
    if isinstance(shape, StructureShape):
        if not any(k.startswith(key + ".") for k in flat):
            return None
        return _decode_structure(flat, shape, key + ".", ec2)
    if isinstance(shape, ListShape):
        if ec2 or shape.serialization.get("flattened"):
            base = key + "."
        else:
            base = key + "." + shape.member.serialization.get("name", "member") + "."
        indices = sorted(
            {int(k[len(base):].split(".", 1)[0]) for k in flat if k.startswith(base) and k[len(base):].split(".", 1)[0].isdigit()}
        )
        if not indices:
            return [] if key in flat else None
        return [_decode_value(flat, shape.member, f"{base}{i}", ec2) for i in indices]
    if isinstance(shape, MapShape):
        base = key + ".entry." if not shape.serialization.get("flattened") else key + "."
        result = {}
        i = 1
        while f"{base}{i}.key" in flat:
            result[flat[f"{base}{i}.key"]] = _decode_value(flat, shape.value, f"{base}{i}.value", ec2)
            i += 1
        return result or None
    if key not in flat:
        return None
    raw = flat[key]
    if shape.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            return raw
    if shape.type_name in ("float", "double"):
        try:
            return float(raw)
        except ValueError:
            return raw
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    return raw


def unflatten(flat: Mapping[str, str]) -> dict[str, Any]:
    """`Filter.1.Name=x` → `{"Filter": [{"Name": "x"}]}`: a readable form when no shape is known."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
        # numeric-keyed dicts become lists below
    return _lists_from_numeric_keys(root)


def _lists_from_numeric_keys(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_numeric_keys(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    if set(converted) == {"member"} and isinstance(converted["member"], list):
        return converted["member"]
    return converted


# ---------------------------------------------------------------------------------------------
# EC2 XML answers


def render_ec2(action: str, shape: StructureShape | None, data: Mapping[str, Any], request_id: str) -> bytes:
    """The XML body of a successful EC2 answer, element names taken from the output shape."""
    body = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{EC2_NAMESPACE}">']
    body.append(f"<requestId>{request_id}</requestId>")
    if shape is not None:
        body.append(_xml_members(shape, data))
    body.append(f"</{action}Response>")
    return "".join(body).encode("utf-8")


def _xml_members(shape: StructureShape, data: Mapping[str, Any]) -> str:
    parts = []
    for name, member in shape.members.items():
        value = data.get(name)
        if value is None:
            continue
        tag = member.serialization.get("name", name)
        parts.append(_xml_value(tag, member, value))
    return "".join(parts)


def _xml_value(tag: str, shape: Shape, value: Any) -> str:
    if isinstance(shape, StructureShape):
        return f"<{tag}>{_xml_members(shape, value)}</{tag}>"
    if isinstance(shape, ListShape):
        item_tag = shape.member.serialization.get("name", "item")
        items = "".join(_xml_value(item_tag, shape.member, v) for v in value)
        return f"<{tag}>{items}</{tag}>"
    return f"<{tag}>{escape(_scalar_text(shape, value))}</{tag}>"


def _scalar_text(shape: Shape, value: Any) -> str:
    if shape.type_name == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if shape.type_name == "timestamp":
        return iso8601(value)
    return str(value)


def iso8601(value: Any) -> str:
    """EC2's timestamp text: `2024-01-02T03:04:05.000Z`."""
    if isinstance(value, (int, float)):
        value = dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
    if isinstance(value, dt.datetime):
        # moto keeps naive datetimes in UTC
        value = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


# ---------------------------------------------------------------------------------------------
# JSON answers


def render_json(data: Any) -> bytes:
    """A JSON body; datetimes become epoch seconds as the JSON protocols expect."""
    return json.dumps(data, default=_json_default, separators=(",", ":")).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


# ---------------------------------------------------------------------------------------------
# Errors, per protocol

JSON_CONTENT_TYPE = {"json": "application/x-amz-json-1.1", "rest-json": "application/json"}


def render_error(
    protocol: str, code: str, message: str, request_id: str, fields: Mapping[str, Any] | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of an error answer in the protocol's real error layout."""
    if protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return [("Content-Type", "text/xml;charset=UTF-8")], body.encode("utf-8")
    if protocol == "query":
        fault = "Receiver" if code in ("InternalError", "InternalFailure", "ServiceUnavailable") else "Sender"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{fault}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return [("Content-Type", "text/xml;charset=UTF-8")], body.encode("utf-8")
    payload = {"__type": code, "message": message, "Message": message, **dict(fields or {})}
    headers = [
        ("Content-Type", JSON_CONTENT_TYPE.get(protocol, "application/json")),
        ("x-amzn-ErrorType", code),
    ]
    return headers, render_json(payload)
