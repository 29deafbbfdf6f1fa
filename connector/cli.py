"""``webitel-connector``: serve the API, migrate the database, or run the demo.

    webitel-connector serve [--host 127.0.0.1] [--port 8080] [--workers 2]
    webitel-connector migrate
    webitel-connector reconcile
    webitel-connector demo [--port 8080] [--emulator-port 8090]

Configuration comes from ``CONNECTOR_*`` environment variables (see docs/connector.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace

from .config import Config, ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webitel-connector", description="The Creatio <-> Webitel connector.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    commands.add_parser("migrate", help="create or upgrade the database schema (Alembic)")
    commands.add_parser("reconcile", help="one reconcile pass: bring Webitel to every pending record now")
    demo = commands.add_parser("demo", help="the emulator and the connector together, with demo Creatio users")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--emulator-port", type=int, default=8090)
    demo.add_argument("--database-url", default=None,
                      help="default: a fresh SQLite file webitel-connector-demo.sqlite in the working folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin: noise
    try:
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(host=args.host, port=args.port, emulator_port=args.emulator_port,
                            database_url=args.database_url)
        config = Config.from_env()
        if args.command == "migrate":
            from .migrate import upgrade

            upgrade(config.database_url)
            print(f"webitel-connector: the database is up to date ({_safe_url(config.database_url)})")
            return 0
        if args.command == "reconcile":
            return _reconcile(config)
        return _serve(config, args.host, args.port, args.workers, args.threads)
    except ConfigError as exc:
        print(f"webitel-connector: {exc}", file=sys.stderr)
        return 2


def _serve(config: Config, host: str, port: int, workers: int, threads: int) -> int:
    from gunicorn.app.base import BaseApplication

    from .app import create_app

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            # Longer than the slowest operation (Webitel timeouts x retries), so a worker is never
            # killed in the middle of one.
            settings = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                        "threads": threads, "timeout": 120, "graceful_timeout": 30, "keepalive": 5,
                        "accesslog": "-", "loglevel": config.log_level.lower()}
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(config)  # in each worker: its own database pool and Webitel client

    print(f"webitel-connector: serving http://{host}:{port}/api/v1 (database {_safe_url(config.database_url)})",
          flush=True)
    Gunicorn().run()
    return 0


def _reconcile(config: Config) -> int:
    """Every pending record, due or not; exit 1 when some stay pending or in conflict."""
    from .app import create_app, dispose

    app = create_app(replace(config, reconcile_interval_s=0))
    try:
        results = app.extensions["connector"].reconciler.run_once(due_only=False)
    finally:
        dispose(app)
    summary = ", ".join(f"{count} {state}" for state, count in sorted(results.items())) or "nothing was pending"
    print(f"webitel-connector: reconcile pass: {summary}")
    return 1 if results.get("pending") or results.get("conflict") or results.get("failed") else 0


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
