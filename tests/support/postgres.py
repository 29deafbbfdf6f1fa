"""A PostgreSQL server for the test session: ``TEST_DATABASE_URL`` when set (CI sets it), otherwise a
throwaway cluster started here (``initdb`` + ``pg_ctl`` in a temporary folder, on a free port, as the
``postgres`` user when running as root, since initdb refuses root) and stopped at the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                  "-c shared_buffers=32MB")


class PostgresUnavailable(RuntimeError):
    pass


class PostgresServer:
    """``url`` is a SQLAlchemy URL (psycopg 3) of a database this session may create databases from."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _admin(self) -> psycopg.Connection:
        url = make_url(self.url)
        return psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                               dbname=url.database or "postgres", autocommit=True)

    def create_database(self, prefix: str = "connector_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def throwaway_cluster(options: str = SERVER_OPTIONS) -> Iterator[PostgresServer]:
    """``options``: the server's settings (the tests trade durability for speed; a benchmark may not)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb/pg_ctl on PATH) and TEST_DATABASE_URL "
                                  "is not set")
    folder = Path(tempfile.mkdtemp(prefix="connector-pg-"))
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    try:
        subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                                     "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
                                     "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 {options}",
                                     "start"]), check=True, capture_output=True)
        try:
            yield PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        finally:
            subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True)
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        raise PostgresUnavailable(f"could not start PostgreSQL: {exc.stderr!r} {log[-2000:]}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server(options: str = SERVER_OPTIONS) -> Iterator[PostgresServer]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from connector.db import normalise_url

        yield PostgresServer(normalise_url(url))
        return
    with throwaway_cluster(options) as server:
        yield server
