"""botocore's service models, the authority for operation names and request/response shapes.

The emulator decodes request parameters and renders EC2 XML from these models instead of
hand-written templates, so names and nesting match what the AWS SDKs (Rust included) expect.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

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

    def rest_operation(self, signing_name: str, method: str, path: str) -> str | None:
        """The operation a REST request addresses, found from the model's `http.requestUri`."""
        model = self.model(signing_name)
        if model is None:
            return None
        with self._lock:
            routes = self._rest_routes.get(model.service_name)
            if routes is None:
                routes = _build_rest_routes(model)
                self._rest_routes[model.service_name] = routes
        for route in routes:
            if route.method == method and route.pattern.fullmatch(path):
                return route.operation
        return None


def _build_rest_routes(model: ServiceModel) -> list[_RestRoute]:
    routes = []
    for name in model.operation_names:
        http: dict[str, Any] = model.operation_model(name).http
        uri = http.get("requestUri", "/").split("?", 1)[0]
        regex = ""
        for part in re.split(r"(\{[^}]+\})", uri):
            if part.startswith("{"):
                regex += ".+" if part.endswith("+}") else "[^/]+"
            else:
                regex += re.escape(part)
        routes.append(_RestRoute(http.get("method", "POST"), re.compile(regex + "/?"), name))
    # Literal paths first, so `/groups/list` wins over `/groups/{id}`.
    routes.sort(key=lambda r: r.pattern.pattern.count("[^/]+") + r.pattern.pattern.count(".+"))
    return routes


MODELS = ServiceModels()
