"""What a view needs from the app: the request's database session and the process's Webitel client."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from ..webitel import WebitelClient


@dataclass
class Connector:
    """The app's long-lived parts, in ``app.extensions["connector"]``."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    webitel: WebitelClient


def connector() -> Connector:
    return current_app.extensions["connector"]


def db() -> Session:
    """The request's session (opened on first use, closed when the request ends)."""
    if "db" not in g:
        g.db = connector().sessions()
    return g.db


def webitel() -> WebitelClient:
    return connector().webitel


def lease_s() -> float:
    return connector().config.operation_lease_s


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
