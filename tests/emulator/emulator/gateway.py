"""The WSGI application: every request passes through here on its way to moto or the extension.

For an AWS call the path is: parse → record → decide at arrival (injected fault, EC2 rate limit,
Client VPN admission) → latency → serve (extension handler or moto, under the world lock, after
applying due state transitions) → record the outcome. Requests under `/_emulator/` go to the
admin API and are neither delayed nor recorded.
"""

from __future__ import annotations

import logging
import re
import socket
import time
import traceback
from collections.abc import Iterable
from typing import Any, Callable

from moto.core.exceptions import ServiceException

from . import services
from .admin import AdminApi
from .aws_request import AwsRequest, read_request
from .call_log import CallLog
from .errors import AwsError
from .faults import Fault, FaultInjector
from .service_models import MODELS
from .throttling import Throttler
from .wire import JSON_CONTENT_TYPE, render_ec2, render_error, render_json
from .world import World

log = logging.getLogger("emulator")

StartResponse = Callable[..., Any]
Answer = tuple[int, list[tuple[str, str]], bytes]

_XML_CODE = re.compile(rb"<Code>([^<]+)</Code>")
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}


class Gateway:
    def __init__(self, world: World, moto_app: Callable[[dict, StartResponse], Iterable[bytes]]) -> None:
        self.world = world
        self.moto_app = moto_app
        self.calls = CallLog()
        self.throttler = Throttler()
        self.faults = FaultInjector()
        self.admin = AdminApi(self)

    def reset(self) -> None:
        self.world.reset()
        self.calls.clear()
        self.throttler.reset()
        self.faults.reset()

    # -----------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_emulator" or path.startswith("/_emulator/"):
            return self.admin(environ, start_response)
        if path.startswith("/moto-api"):
            return self.moto_app(environ, start_response)

        request = read_request(environ)
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = request.account
        record = self.calls.start(request.service, request.action, request.account, request.region, request.params)
        started = time.monotonic()
        try:
            status, headers, body = self._serve(request, environ)
        except ConnectionAbortedError:
            self.calls.finish(record, 0, "ConnectionDropped")
            log.info("%s %s account=%s dropped", request.service, request.action, request.account)
            raise
        error = _error_code(status, headers, body)
        self.calls.finish(record, status, error)
        log.info(
            "%s %s account=%s region=%s → %s%s (%.0f ms)",
            request.service, request.action, request.account, request.region, status,
            f" {error}" if error else "", (time.monotonic() - started) * 1000,
        )
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers + [("Content-Length", str(len(body)))])
        return [body]

    def _serve(self, request: AwsRequest, environ: dict[str, Any]) -> Answer:
        config = self.world.settings.snapshot()
        faults_version = self.world.settings.faults_version
        handler = services.lookup(request.service, request.action)
        call = services.Call(request, self.world, environ)
        refusal: AwsError | Fault | None = None
        release = None
        try:
            refusal = self.faults.decide(config["faults"], faults_version, request.service, request.action)
            if refusal is None and request.is_ec2:
                self.throttler.check(config["throttle"], request.account, request.region, request.action)
            if refusal is None and handler is not None and handler.admit is not None:
                with self.world.lock:
                    self.world.settle()
                    release = handler.admit(call)
        except AwsError as error:
            refusal = error
        try:
            latency = float(config["latency_ms"]) / 1000.0
            if latency > 0:
                time.sleep(latency)
            if isinstance(refusal, Fault):
                if refusal.drop_connection:
                    _drop_connection(environ)
                return self._error(request, AwsError(refusal.code, refusal.message, refusal.status))
            if isinstance(refusal, AwsError):
                return self._error(request, refusal)
            if handler is not None:
                return self._run_handler(handler, call)
            if request.service in services.extension_services():
                return self._error(
                    request,
                    AwsError("UnknownOperationException", f"The emulator does not implement {request.service} {request.action}.", 501),
                )
            return self._run_moto(request, environ)
        finally:
            if release is not None:
                with self.world.lock:
                    release()

    def _run_handler(self, handler: services.Handler, call: services.Call) -> Answer:
        request = call.request
        with self.world.lock:
            self.world.settle()
            try:
                result = handler.run(call)
            except AwsError as error:
                return self._error(request, error)
            except ServiceException as error:  # moto's own validation, raised while we used its models
                status = int(getattr(error, "http_status", None) or getattr(error, "status_code", None) or 400)
                return self._error(request, AwsError(str(error.code), str(error.message), status))
            except Exception:  # a bug in a handler must still answer like AWS would
                log.error("handler %s %s failed:\n%s", request.service, request.action, traceback.format_exc())
                return self._error(request, AwsError("InternalError", "The emulator failed on this request; see its log.", 500))
            if isinstance(result, services.Delegate):
                answer = self._run_moto(request, call.environ)
                if result.after is not None and answer[0] < 400:
                    result.after()
                return answer
        operation = MODELS.operation(request.service, request.action)
        if request.protocol == "ec2":
            body = render_ec2(request.action, operation.output_shape if operation else None, result, request.request_id)
            return 200, [("Content-Type", "text/xml;charset=UTF-8")], body
        status = int(operation.http.get("responseCode", 200)) if operation else 200
        headers = [("Content-Type", JSON_CONTENT_TYPE.get(request.protocol, "application/json")), ("x-amzn-RequestId", request.request_id)]
        # 204 No Content carries no body (InitializeService, DeleteReplicationConfigurationTemplate).
        return status, headers, b"" if status == 204 else render_json(result)

    def _run_moto(self, request: AwsRequest, environ: dict[str, Any]) -> Answer:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = list(headers)
            return chunks.append

        with self.world.lock:
            self.world.settle()
            try:
                result = self.moto_app(environ, start_response)
                try:
                    chunks.extend(result)
                finally:
                    getattr(result, "close", lambda: None)()
            except AwsError as error:
                return self._error(request, error)
            except Exception:
                log.error("moto failed on %s %s:\n%s", request.service, request.action, traceback.format_exc())
                return self._error(request, AwsError("InternalError", "moto failed on this request; see the emulator log.", 500))
        status = captured.get("status", 500)
        headers = [(k, v) for k, v in captured.get("headers", []) if k.lower() != "content-length"]
        body = b"".join(chunks)
        if status >= 500 and b"<html" in body[:200].lower():
            log.error("moto answered %s %s with an HTML error page", request.service, request.action)
            return self._error(request, AwsError("InternalError", "moto failed on this request; see the emulator log.", 500))
        return status, headers, body

    def _error(self, request: AwsRequest, error: AwsError) -> Answer:
        protocol = request.protocol
        headers, body = render_error(protocol, error.code, error.message, request.request_id, error.fields)
        headers.append(("x-amzn-RequestId", request.request_id))
        return error.status, headers, body


def _drop_connection(environ: dict[str, Any]) -> None:
    """Closes the client's socket without an answer, the way a lost connection looks."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("connection dropped by an injected fault")


def _error_code(status: int, headers: list[tuple[str, str]], body: bytes) -> str | None:
    if status < 400:
        return None
    for key, value in headers:
        if key.lower() == "x-amzn-errortype":
            return value.split(":", 1)[0]
    match = _XML_CODE.search(body)
    if match:
        return match.group(1).decode("utf-8", "replace")
    try:
        import json

        loaded = json.loads(body)
        code = loaded.get("__type") or loaded.get("code") or loaded.get("Code")
        if code:
            return str(code).rsplit("#", 1)[-1]
    except (ValueError, AttributeError):
        pass
    return f"HTTP{status}"
