"""botocore's service models, the authority for operation names and request/response shapes.

The emulator decodes request parameters and renders EC2 XML from these models instead of
hand-written templates, so names and nesting match what the AWS SDKs (Rust included) expect.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import OperationModel, ServiceModel

#: SigV4 signing names whose botocore service name differs.
_SERVICE_BY_SIGNING_NAME = {"monitoring": "cloudwatch", "email": "ses"}


@dataclass(frozen=True)
class _RestRoute:
    method: str
    pattern: re.Pattern[str]
    operation: str
    labels: tuple[str, ...]  # URI members, in the order of the pattern's groups


@dataclass(frozen=True)
class RestMatch:
    """The operation a REST request addresses and its URI members (percent-decoded)."""

    operation: str
    labels: dict[str, str]


class ServiceModels:
    """Loads each service model once (loading EC2's takes a noticeable fraction of a second)."""

    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self._models: dict[str, ServiceModel | None] = {}
        self._rest_routes: dict[str, list[_RestRoute]] = {}
        self._lock = threading.Lock()

    def model(self, signing_name: str) -> ServiceModel | None:
        """The model of the service a request was signed for, or None when botocore lacks it."""
        name = _SERVICE_BY_SIGNING_NAME.get(signing_name, signing_name)
        with self._lock:
            if name not in self._models:
                try:
                    self._models[name] = self._session.get_service_model(name)
                except UnknownServiceError:
                    self._models[name] = None
            return self._models[name]

    def operation(self, signing_name: str, action: str) -> OperationModel | None:
        model = self.model(signing_name)
        if model is None or action not in model.operation_names:
            return None
        return model.operation_model(action)

    def rest_operation(self, signing_name: str, method: str, path: str) -> RestMatch | None:
        """The operation a REST request addresses, found from the model's `http.requestUri`.

        `path` is the raw (still percent-encoded) path: a label such as an ARN may contain
        `/` and `:`, which the SDKs encode, so matching on the decoded path would split it.
        """
        model = self.model(signing_name)
        if model is None:
            return None
        with self._lock:
            routes = self._rest_routes.get(model.service_name)
            if routes is None:
                routes = _build_rest_routes(model)
                self._rest_routes[model.service_name] = routes
        for route in routes:
            found = route.pattern.fullmatch(path) if route.method == method else None
            if found:
                return RestMatch(route.operation, {name: unquote(value) for name, value in zip(route.labels, found.groups())})
        return None


def _build_rest_routes(model: ServiceModel) -> list[_RestRoute]:
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http: dict[str, Any] = operation.http
        uri = http.get("requestUri", "/").split("?", 1)[0]
        by_wire = _uri_members(operation)
        regex, labels = "", []
        for part in re.split(r"(\{[^}]+\})", uri):
            if part.startswith("{"):
                wire = part[1:-1].rstrip("+")
                labels.append(by_wire.get(wire, wire))
                regex += "(.+)" if part.endswith("+}") else "([^/]+)"
            else:
                regex += re.escape(part)
        routes.append(_RestRoute(http.get("method", "POST"), re.compile(regex + "/?"), name, tuple(labels)))
    # Literal paths first, so `/groups/list` wins over `/groups/{id}`.
    routes.sort(key=lambda r: len(r.labels))
    return routes


def _uri_members(operation: OperationModel) -> dict[str, str]:
    """Wire name of each URI label → the input member it fills."""
    shape = operation.input_shape
    if shape is None:
        return {}
    return {
        member.serialization.get("name", name): name
        for name, member in shape.members.items()
        if member.serialization.get("location") == "uri"
    }


MODELS = ServiceModels()
