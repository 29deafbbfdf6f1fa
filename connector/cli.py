"""``webitel-connector``: serve the API, migrate the database, or run the demo.

    webitel-connector serve [--host 127.0.0.1] [--port 8080] [--workers 2] [--threads 4]
    webitel-connector migrate
    webitel-connector reconcile
    webitel-connector import [--dry-run] [--no-stun] [--demo]
    webitel-connector demo [--port 8080] [--emulator-port 8090]

Configuration comes from ``CONNECTOR_*`` environment variables (see docs/connector.md); the
server's own settings too (``CONNECTOR_WORKERS``, ``CONNECTOR_THREADS``,
``CONNECTOR_GRACEFUL_TIMEOUT_S``), a flag winning over its variable.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace

from . import logs
from .config import Config, ConfigError
from .db import safe_url
from .serving import ServerSettings, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="webitel-connector", description="The Creatio <-> Webitel connector.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, help="gunicorn worker processes (CONNECTOR_WORKERS, default 2)")
    serve.add_argument("--threads", type=int, help="threads per worker (CONNECTOR_THREADS, default 4)")
    serve.add_argument("--graceful-timeout", type=int, dest="graceful_timeout_s",
                       help="seconds a stopping worker may take to finish its requests "
                            "(CONNECTOR_GRACEFUL_TIMEOUT_S, default 30)")
    commands.add_parser("migrate", help="create or upgrade the database schema (Alembic)")
    commands.add_parser("reconcile", help="one reconcile pass: bring Webitel to every pending record now")
    imports = commands.add_parser("import", help="GetWebitelUsers: import every Webitel user into Creatio")
    imports.add_argument("--dry-run", action="store_true", help="show the plan and the summary; write nothing")
    imports.add_argument("--no-stun", action="store_true",
                         help="do not read each user's STUN setting (three Webitel calls a user)")
    imports.add_argument("--demo", action="store_true",
                         help="import into the demo that `make run` (webitel-connector demo) runs in this folder")
    demo = commands.add_parser("demo", help="the emulator and the connector together, with demo Creatio users")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--emulator-port", type=int, default=8090)
    demo.add_argument("--database-url", default=None,
                      help="default: a fresh SQLite file webitel-connector-demo.sqlite in the working folder")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import run_demo

            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin: noise
            return run_demo(host=args.host, port=args.port, emulator_port=args.emulator_port,
                            database_url=args.database_url)
        if args.command == "import":
            return _import(args)
        config = Config.from_env(serves_api=args.command == "serve")
        logs.configure(config.log_level, config.token_set().redact)  # serve and migrate: JSON lines, for a log system
        if args.command == "migrate":
            from .migrate import upgrade

            upgrade(config.database_url)
            print(f"webitel-connector: the database is up to date ({safe_url(config.database_url)})")
            return 0
        if args.command == "reconcile":
            return _reconcile(config)
        return _serve(config, _server_settings(args))
    except ConfigError as exc:
        print(f"webitel-connector: {exc}", file=sys.stderr)
        return 2


def _import(args: argparse.Namespace) -> int:
    """GetWebitelUsers from a terminal. Its log lines are warnings and errors only, unless
    CONNECTOR_LOG_LEVEL asks for more: a line per Webitel call would bury the progress bar."""
    from .demo import demo_config
    from .import_cli import run_import_command

    level = os.environ.get("CONNECTOR_LOG_LEVEL", "").strip() or "WARNING"
    config = replace(demo_config() if args.demo else Config.from_env(serves_api=False), log_level=level)
    logs.configure(level, config.token_set().redact)
    logging.getLogger("alembic").setLevel(level.upper())  # it only reads the schema's revision here
    return run_import_command(config, dry_run=args.dry_run, with_stun=not args.no_stun)


def _server_settings(args: argparse.Namespace) -> ServerSettings:
    defaults = ServerSettings()
    values = {}
    for name in ("workers", "threads", "graceful_timeout_s"):
        value = getattr(args, name)
        if value is None:
            value = _env_int(f"CONNECTOR_{name.upper()}", getattr(defaults, name))
        if value < 1:
            raise ConfigError(f"--{name.removesuffix('_s').replace('_', '-')} / CONNECTOR_{name.upper()} "
                              "must be 1 or more")
        values[name] = value
    return ServerSettings(host=args.host, port=args.port, **values)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None


def _serve(config: Config, settings: ServerSettings) -> int:
    logging.getLogger("connector").info(
        "serving http://%s:%d/api/v1 with %d worker(s) x %d thread(s) (database %s)", settings.host, settings.port,
        settings.workers, settings.threads, safe_url(config.database_url))
    serve(config, settings)
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


if __name__ == "__main__":
    sys.exit(main())
