"""The emulator's own API under `/_emulator/`: health, reset, config, call record, inventory.

JSON in, JSON out. These requests are never delayed, throttled, faulted or recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs

from .errors import AdminError
from .inventory import collect_inventory

if TYPE_CHECKING:
    from .gateway import Gateway


class AdminApi:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            status, payload = self._route(method, path, query, environ)
        except AdminError as error:
            status, payload = error.status, {"error": error.message}
        body = json.dumps(payload, indent=None, default=str).encode("utf-8")
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def _route(self, method: str, path: str, query: dict[str, str], environ: dict[str, Any]) -> tuple[int, Any]:
        gateway = self.gateway
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "/_emulator/health"): lambda: {"ok": True},
            ("POST", "/_emulator/reset"): lambda: (gateway.reset(), {"ok": True})[1],
            ("GET", "/_emulator/config"): gateway.world.settings.snapshot,
            ("POST", "/_emulator/config"): lambda: gateway.world.settings.apply(_json_body(environ)),
            ("GET", "/_emulator/calls"): lambda: {"calls": gateway.calls.list(query.get("account"))},
            ("DELETE", "/_emulator/calls"): lambda: (gateway.calls.clear(), {"ok": True})[1],
            ("GET", "/_emulator/inventory"): lambda: self._inventory(query),
        }
        action = routes.get((method, path))
        if action is None:
            known = ", ".join(f"{m} {p}" for m, p in routes)
            raise AdminError(f"no admin endpoint {method} {path}; the endpoints are: {known}", 404)
        return 200, action()

    def _inventory(self, query: dict[str, str]) -> dict[str, Any]:
        account = query.get("account")
        if not account:
            raise AdminError("inventory needs ?account=<12-digit account id>")
        world = self.gateway.world
        with world.lock:
            world.settle()
            objects = collect_inventory(world, account, query.get("region"))
        return {"account": account, "region": query.get("region"), "objects": objects}


def _json_body(environ: dict[str, Any]) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        return json.loads(raw or b"{}")
    except ValueError as error:
        raise AdminError(f"the request body is not valid JSON: {error}") from error
