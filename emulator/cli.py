"""``webitel-emulator``: serve the emulator (Webitel API + control plane) on one port.

Under gunicorn: one worker (the state lives in memory, so every request must reach the same
process) with ``--threads`` threads (``EMULATOR_THREADS``, default 4); SIGTERM stops it gracefully,
letting requests in flight finish (``--graceful-timeout``, ``EMULATOR_GRACEFUL_TIMEOUT_S``, default 10).
Logs go to stderr as one JSON object per line; every answer carries ``X-Request-ID`` (the caller's,
or a new one), and ``--access-log`` (``EMULATOR_ACCESS_LOG=1``) writes a line per request with it.
"""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import re
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .seed import SeedError, read_seed_file

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

access_log = logging.getLogger("emulator.access")
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")


class RequestIds:
    """WSGI: every answer carries ``X-Request-ID``; with ``access_log``, a log line per request."""

    def __init__(self, app: WSGIApplication, *, access_log: bool) -> None:
        self.app, self.access_log = app, access_log

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        sent = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: OptExcInfo | None = None) -> Callable[[bytes], object]:
            headers.append(("X-Request-ID", request_id))
            if self.access_log:
                method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
                access_log.info("%s %s %s", method, path, status[:3], extra={
                    "request_id": request_id, "method": method, "path": path, "status": int(status[:3]),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def logging_dict(level: str = "INFO") -> dict:
    """JSON lines on stderr for every logger (the emulator's and gunicorn's)."""
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "timestamp": "time",
                                    "fmt": ["levelname", "name", "message"],
                                    "rename_fields": {"levelname": "level", "name": "logger"}}},
            "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "json"}},
            "root": {"level": "WARNING", "handlers": ["stderr"]},
            "loggers": {"emulator": {"level": level}, "gunicorn.error": {"level": "WARNING", "handlers": []},
                        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False}}}


def banner(base: str, tokens: dict[str, str]) -> str:
    lines = [f"Webitel emulator: {base}/api  (control plane: {base}/__emulator__)"]
    lines += [f"  domain {name!r}: X-Webitel-Access: {token}" for name, token in tokens.items()]
    return "\n".join(lines)


def closing_first(on_stop: Callable[[], None]) -> Callable[[Any], None]:
    """gunicorn's ``post_worker_init`` hook: SIGTERM runs ``on_stop`` (the WebSockets close, freeing
    their threads) before the worker's own graceful stop, which would otherwise wait them out."""

    def hook(_worker: Any) -> None:
        stop = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, frame: Any) -> None:
            on_stop()
            if callable(stop):
                stop(signum, frame)

        signal.signal(signal.SIGTERM, on_term)

    return hook


def serve(app: WSGIApplication, host: str, port: int, *, server: str, threads: int,
          graceful_timeout_s: int = 10, on_stop: Callable[[], None] | None = None) -> None:
    if server == "werkzeug":
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True)
        return
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            # One worker: the emulator's state lives in memory, so all requests must see the same process.
            settings = {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
                        "graceful_timeout": graceful_timeout_s, "keepalive": 30, "accesslog": None,
                        "loglevel": "warning", "logconfig_dict": logging_dict(),
                        # gunicorn 27's control socket: a file in the home folder, shared by every
                        # instance and unwritable in a read-only container.
                        "control_socket_disable": True}
            if on_stop is not None:
                settings["post_worker_init"] = closing_first(on_stop)
            for key, value in settings.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WSGIApplication:
            return app

    Gunicorn().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webitel-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--seed", help="seed document (JSON or YAML); default: the built-in demo seed")
    start.add_argument("--snapshot", help="start from a snapshot file (GET /__emulator__/snapshot); a reset "
                                          "returns to it")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    # A string default goes through ``type`` too, so a malformed variable is refused like a flag.
    parser.add_argument("--threads", type=int, default=os.environ.get("EMULATOR_THREADS") or 4,
                        help="gunicorn worker threads (EMULATOR_THREADS, default 4)")
    parser.add_argument("--graceful-timeout", type=int, dest="graceful_timeout_s",
                        default=os.environ.get("EMULATOR_GRACEFUL_TIMEOUT_S") or 10,
                        help="seconds to finish requests in flight on SIGTERM (EMULATOR_GRACEFUL_TIMEOUT_S, "
                             "default 10)")
    parser.add_argument("--access-log", action="store_true", default=os.environ.get("EMULATOR_ACCESS_LOG") == "1",
                        help="a JSON line per request on stderr (EMULATOR_ACCESS_LOG=1)")
    args = parser.parse_args(argv)
    logging.config.dictConfig(logging_dict())
    if args.threads < 1 or args.graceful_timeout_s < 1:
        parser.error("--threads and --graceful-timeout must be 1 or more")

    from .app import create_app
    from .control.snapshots import SnapshotError, install_file

    try:
        app = create_app(read_seed_file(args.seed) if args.seed else None)
    except (OSError, SeedError) as exc:
        print(f"webitel-emulator: cannot load the seed: {exc}", file=sys.stderr)
        return 2
    if args.snapshot:
        try:
            install_file(app.extensions["webitel_emulator"].backend, args.snapshot)
        except (OSError, SnapshotError) as exc:
            print(f"webitel-emulator: cannot load the snapshot: {args.snapshot}: {exc}", file=sys.stderr)
            return 2
    print(banner(f"http://{args.host}:{args.port}", app.extensions["webitel_emulator"].admin_tokens()), flush=True)
    serve(RequestIds(app, access_log=args.access_log), args.host, args.port, server=args.server,
          threads=args.threads, graceful_timeout_s=args.graceful_timeout_s,
          on_stop=app.extensions["webitel_emulator"].live.close_all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
