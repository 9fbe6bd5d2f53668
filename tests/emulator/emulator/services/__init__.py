"""The extension's API handlers, registered per (signing name, action).

A handler takes a `Call` and returns the output structure as a dict keyed by the API's member
names; the gateway renders it in the service's protocol. Actions without a handler go to moto.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..aws_request import AwsRequest
from ..world import World

Release = Callable[[], None]


@dataclass
class Call:
    """One call as a handler sees it."""

    request: AwsRequest
    world: World
    environ: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        return self.request.params

    @property
    def account(self) -> str:
        return self.request.account

    @property
    def region(self) -> str:
        return self.request.region

    def store(self, kind: Any) -> Any:
        return self.world.store(kind, self.account, self.region)


@dataclass(frozen=True)
class Delegate:
    """A handler's answer meaning "validated; let moto serve this call".

    `after` runs (under the world lock) once moto has answered successfully, for follow-ups
    such as putting what moto created into a transitional state.
    """

    after: Callable[[], None] | None = None


@dataclass(frozen=True)
class Handler:
    run: Callable[[Call], dict[str, Any] | Delegate]
    #: Taken before the call's latency and work, released after: raises when the call must be
    #: refused for concurrency (Client VPN's per-endpoint mutation limit).
    admit: Callable[[Call], Release] | None = None


HANDLERS: dict[tuple[str, str], Handler] = {}


def handles(service: str, action: str, admit: Callable[[Call], Release] | None = None):
    """Registers a function as the handler of one action."""

    def register(function: Callable[[Call], dict[str, Any]]) -> Callable[[Call], dict[str, Any]]:
        HANDLERS[(service, action)] = Handler(function, admit)
        return function

    return register


def lookup(service: str, action: str) -> Handler | None:
    return HANDLERS.get((service, action))


def extension_services() -> set[str]:
    """Signing names moto does not serve at all: an unknown action there is our own error."""
    return {"ds-data", "mgn"}


def load_all() -> None:
    """Imports every handler module so that their registrations run."""
    from . import (  # noqa: F401
        client_vpn,
        client_vpn_tgw,
        direct_connect,
        ds_data,
        mgn,
        nat_gateways,
        ram,
        tgw_route_tables,
        transit_gateways,
        vpc_endpoints,
        vpc_routes,
    )
