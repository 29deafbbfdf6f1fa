"""Clean connector databases for tests: migrated once per session, emptied per test.

SQLite: a migrated template file copied for each test. PostgreSQL: one migrated database per
session (per xdist worker), truncated before each test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import Connection, create_engine, text

from connector.db import normalise_url
from connector.migrate import upgrade
from connector.models import Base


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "connector.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def truncate_all(url: str) -> None:
    """Every table emptied (PostgreSQL: TRUNCATE; SQLite: DELETE, children first)."""
    tables = [f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            if url.startswith("sqlite"):
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
            else:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def commits_alone(conn: Connection) -> bool:
    """Whether the driver's connection is in autocommit (each statement its own transaction, no BEGIN),
    asked of the driver itself, not of SQLAlchemy's options."""
    driver = conn.connection.dbapi_connection
    assert driver is not None, "asked of a live connection"
    return conn.dialect.detect_autocommit_setting(driver)


_WRITE = re.compile(r"^\s*(?:WITH\b.*\b)?(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


def writes(statement: str) -> bool:
    """Whether a SQL statement writes: an INSERT, UPDATE or DELETE, or a WITH whose parts do."""
    return _WRITE.match(statement) is not None
