"""``webitel-connector demo``: the Webitel emulator and the connector together, on the embedded
defaults, with demo Creatio users, so that a new user can create a Webitel user with one curl line.

The demo starts from scratch every time, like the emulator: a fresh SQLite file, fixed ids for the
demo users (the README's curl line names one), and fixed tokens unless the environment gives others.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from .config import Config, ConfigError
from .core.names import name_key
from .creatio import SystemUserType
from .models import Account, Contact, SysAdminUnit

DEMO_API_TOKEN = "demo-connector-token"
DEMO_DATABASE_FILE = "webitel-connector-demo.sqlite"
# Where a running demo tells the other commands (``webitel-connector import --demo``) its database and
# Webitel: written when it starts, removed when it stops. The tokens in it are the demo's own.
DEMO_SETTINGS_FILE = "webitel-connector-demo.json"


def _demo_id(n: int) -> uuid.UUID:
    return uuid.UUID(f"00000000-0000-4000-a000-{n:012d}")


# (id, login, contact, type, account, active, note)
DEMO_USERS = [
    (_demo_id(1), "jsmith", "John Smith", "employee", "Acme", True, "Webitel already has jsmith: 409 username_taken"),
    (_demo_id(2), "mbrown", "Mary Brown", "employee", "Acme", True, "Webitel already has mbrown: 409 username_taken"),
    (_demo_id(3), "agarcia", "Ana Garcia", "employee", "Acme", True, "new: create her Webitel user"),
    (_demo_id(4), "lnguyen", "Linh Nguyen", "employee", "Acme", True, "new"),
    (_demo_id(5), "pclient", "Paul Client", "portal", "Contoso Ltd", True, "portal user, new"),
    (_demo_id(6), "oldtimer", "Otto Oldtimer", "employee", "Acme", False, "inactive: 400 not_a_creatio_user"),
]


def seed_demo_users(session: Session) -> None:
    accounts: dict[str, Account] = {}
    for user_id, login, contact_name, kind, account_name, active, _note in DEMO_USERS:
        account = accounts.get(account_name) or Account(name=account_name, name_key=name_key(account_name))
        accounts[account_name] = account
        contact = Contact(name=contact_name, name_key=name_key(contact_name), account=account)
        session.add(SysAdminUnit(id=user_id, name=login, name_key=name_key(login),
                                 type_value=SystemUserType.from_label(kind).value, active=active, contact=contact))
    session.commit()


def _fresh_sqlite(folder: Path) -> str:
    path = folder / DEMO_DATABASE_FILE
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def banner(*, connector_url: str, emulator_url: str, api_token: str, webitel_token: str, database_url: str) -> str:
    lines = [
        f"Webitel emulator : {emulator_url}/api   (X-Webitel-Access: {webitel_token}; control plane "
        f"{emulator_url}/__emulator__)",
        f"Connector API    : {connector_url}/api/v1   (Authorization: Bearer {api_token})",
        f"Interactive docs : {connector_url}/api/v1/docs",
        f"Database         : {database_url} (fresh for this demo)",
        "",
        "Demo Creatio users (GET /api/v1/creatio/users):",
    ]
    lines += [f"  {login:<9} {kind:<8} {user_id}  {note}" for user_id, login, _c, kind, _a, _act, note in DEMO_USERS]
    lines += [
        "",
        "Create a Webitel user for agarcia with extension 1010:",
        f"  curl -s -X POST {connector_url}/api/v1/webitel-users -H 'Authorization: Bearer {api_token}' "
        f"-H 'Content-Type: application/json' -d '{{\"user_id\": \"{_demo_id(3)}\", \"extension\": \"1010\"}}'",
        "",
        "GetWebitelUsers (the import of every Webitel user) from another terminal in this folder:",
        "  .venv/bin/webitel-connector import --demo",
        "",
        "Ctrl-C (or SIGTERM) stops both servers.",
    ]
    return "\n".join(lines)


class _Stop(KeyboardInterrupt):
    """SIGTERM or SIGINT: leave ``serve_forever`` the way Ctrl-C does."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGINT stop the demo, also when a background shell started it (with SIGINT
    ignored, so Python installs no Ctrl-C handler of its own). Only the main thread takes signals;
    elsewhere (a test's thread) nothing changes."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {signum: signal.signal(signum, _raise_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_demo(*, host: str = "127.0.0.1", port: int = 8080, emulator_port: int = 8090,
             database_url: str | None = None, ready: threading.Event | None = None) -> int:
    from emulator.testing import ServedEmulator

    from .app import create_app, dispose
    from .migrate import upgrade

    database_url = database_url or _fresh_sqlite(Path.cwd())
    upgrade(database_url)
    try:
        emulator = ServedEmulator(None, host=host, port=emulator_port)
    except (OSError, SystemExit):  # werkzeug says the port is in use and exits: say what to do instead
        return _port_taken("the Webitel emulator", host, emulator_port)
    handle = emulator.handle
    config = Config(api_token=os.environ.get("CONNECTOR_API_TOKEN") or DEMO_API_TOKEN, database_url=database_url,
                    webitel_url=handle.base_url, webitel_token=handle.token)
    app = create_app(config)
    with app.extensions["connector"].sessions() as session:
        seed_demo_users(session)
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit):
        dispose(app)
        emulator.stop()
        return _port_taken("the connector", host, port)
    settings_file = Path.cwd() / DEMO_SETTINGS_FILE
    settings_file.write_text(json.dumps({"database_url": database_url, "webitel_url": handle.base_url,
                                         "webitel_token": handle.token}), encoding="utf-8")
    try:
        with _stopped_by_signals():  # before the banner: a caller may signal as soon as it reads it
            print(banner(connector_url=f"http://{host}:{server.port}", emulator_url=handle.root_url,
                         api_token=config.api_token, webitel_token=handle.token, database_url=database_url),
                  flush=True)
            if ready is not None:
                ready.set()
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        settings_file.unlink(missing_ok=True)
        server.server_close()
        dispose(app)
        emulator.stop()
    return 0


def _port_taken(what: str, host: str, port: int) -> int:
    print(f"webitel-connector demo: {what} cannot listen on {host}:{port}: another program holds the port. Choose "
          f"others, e.g. `make run PORT=8180 EMULATOR_PORT=8190` (or `webitel-connector demo "
          f"--port 8180 --emulator-port 8190`)", file=sys.stderr)
    return 1


def demo_config(folder: Path | None = None) -> Config:
    """The settings of the demo running in ``folder`` (the working folder), for a command run beside
    it; a clear error when none runs there."""
    path = (folder or Path.cwd()) / DEMO_SETTINGS_FILE
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no demo is running in {path.parent} (it writes {DEMO_SETTINGS_FILE} while it runs): "
                          f"start it with `make run` in this folder, or leave out --demo and give the "
                          f"CONNECTOR_* settings") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} cannot be read ({exc}): restart the demo") from None
    return Config(database_url=str(values["database_url"]), webitel_url=str(values["webitel_url"]),
                  webitel_token=str(values["webitel_token"]), serves_api=False)
