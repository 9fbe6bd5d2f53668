"""One incoming AWS API call, parsed into what every later stage needs.

Service and region come from the SigV4 credential scope (as moto's own router does), the action
from the protocol (`Action=` form field, `X-Amz-Target`, or the REST path in the model), and the
parameters are decoded against botocore's input shape.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from . import accounts
from .service_models import MODELS
from .wire import decode_query

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
DEFAULT_REGION = "us-east-1"


@dataclass
class AwsRequest:
    service: str
    region: str
    account: str
    protocol: str  # "ec2" | "query" | "json" | "rest-json"
    action: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    access_key: str | None
    params: dict[str, Any] = field(default_factory=dict)
    #: Every value of each query-string key (REST list members repeat their key).
    query_lists: dict[str, list[str]] = field(default_factory=dict)
    #: URI members of a REST request, percent-decoded (e.g. mgn's `resourceArn`).
    uri_labels: dict[str, str] = field(default_factory=dict)
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def is_ec2(self) -> bool:
        return self.service == "ec2"


def read_request(environ: dict[str, Any]) -> AwsRequest:
    """Parses the WSGI environ; the body is read once and put back for moto."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))

    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    query_lists = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")

    access_key, region, service = None, DEFAULT_REGION, "unknown"
    match = _CREDENTIAL.search(headers.get("authorization", "")) or _CREDENTIAL.search(
        "Credential=" + query.get("X-Amz-Credential", "")
    )
    if match:
        access_key, region, service = match.group(1), match.group(2), match.group(3).lower()
    account = accounts.account_for(access_key, headers.get("x-moto-account-id"))

    form: dict[str, str] = {}
    if "x-www-form-urlencoded" in headers.get("content-type", "") or (method == "GET" and "Action" in query):
        form = dict(query)
        form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    target = headers.get("x-amz-target")
    labels: dict[str, str] = {}
    if "Action" in form:
        protocol = "ec2" if service == "ec2" else "query"
        action = form["Action"]
    elif target:
        protocol = "json"
        action = target.rsplit(".", 1)[-1]
    else:
        protocol = "rest-json"
        raw_path = urlsplit(str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or path)).path or path
        match = MODELS.rest_operation(service, method, raw_path)
        action = match.operation if match else f"{method} {path}"
        labels = match.labels if match else {}

    request = AwsRequest(
        service=service,
        region=region,
        account=account,
        protocol=protocol,
        action=action,
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        access_key=access_key,
        query_lists=query_lists,
        uri_labels=labels,
    )
    request.params = _decode_params(request, form)
    return request


def _decode_params(request: AwsRequest, form: dict[str, str]) -> dict[str, Any]:
    operation = MODELS.operation(request.service, request.action)
    shape = operation.input_shape if operation else None
    if request.protocol in ("ec2", "query"):
        flat = {k: v for k, v in form.items() if k not in ("Action", "Version")}
        return decode_query(flat, shape, ec2=request.protocol == "ec2")
    params: dict[str, Any] = {}
    if request.body:
        try:
            loaded = json.loads(request.body)
            if isinstance(loaded, dict):
                params.update(loaded)
        except ValueError:
            params["_raw_body"] = request.body[:2000].decode("utf-8", "replace")
    if shape is not None:
        # REST members carried in the URI, query string or headers (e.g. ds-data's DirectoryId).
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri" and name in request.uri_labels:
                params[name] = request.uri_labels[name]
            elif location == "querystring" and wire in request.query:
                is_list = member.type_name == "list"
                params[name] = list(request.query_lists.get(wire, [])) if is_list else request.query[wire]
            elif location == "header" and wire.lower() in request.headers:
                params[name] = request.headers[wire.lower()]
    return params
