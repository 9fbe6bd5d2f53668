"""`python -m emulator --port 0 [--host 127.0.0.1]`: run the emulator until told to stop.

Prints exactly one line, the base URL, once the server accepts connections; logs go to stderr.
Stops on SIGTERM/SIGINT and when standard input reaches end-of-file, so a test harness that
spawns it with a piped stdin never leaks a server, even when the harness itself dies.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import stat
import sys
import threading


def _stdin_is_a_lifeline() -> bool:
    """stdin counts as the parent's lifeline when it is a pipe, socket or terminal.

    `/dev/null` (a background job, a CI step with no input) is not: it is at EOF from the start.
    """
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty()


def _watch_stdin(stop: threading.Event) -> None:
    # os.read on the raw descriptor: a daemon thread blocked in sys.stdin's buffered reader
    # would abort the interpreter at exit (it holds the buffer's lock).
    try:
        while os.read(sys.stdin.fileno(), 65536):
            pass
    except (OSError, ValueError):
        pass
    logging.getLogger("emulator").info("stdin closed; stopping")
    stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="emulator", description="Local AWS (moto + extension) for the migration provider's tests.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--ignore-stdin", action="store_true", help="keep running when stdin reaches EOF")
    parser.add_argument("--log-level", default="INFO", help="stderr log level (default INFO)")
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from .server import build_server

    try:
        server = build_server(args.host, args.port)
    except OSError as error:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not args.ignore_stdin and _stdin_is_a_lifeline():
        threading.Thread(target=_watch_stdin, args=(stop,), name="stdin-watch", daemon=True).start()

    serving = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serving.start()
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    logging.getLogger("emulator").info("listening on http://%s:%s", host, port)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    logging.getLogger("emulator").info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
