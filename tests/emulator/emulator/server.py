"""Builds the threaded HTTP server: moto's dispatcher wrapped by the gateway."""

from __future__ import annotations

import logging

from werkzeug.serving import BaseWSGIServer, make_server

from . import services
from .gateway import Gateway
from .service_models import MODELS
from .world import WORLD

log = logging.getLogger("emulator")


def build_server(host: str, port: int) -> BaseWSGIServer:
    """A server bound and listening on (host, port); port 0 picks a free port.

    Every request gets its own thread, so slow calls (latency, delays) do not hold up others.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    services.load_all()
    for name in ("ec2", "ram", "directconnect", "ds", "ds-data", "mgn"):
        MODELS.model(name)  # load the models now, not during the first test's first call
    gateway = Gateway(WORLD, DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, gateway, threaded=True)
    server.daemon_threads = True
    return server
