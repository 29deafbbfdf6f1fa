"""What a view needs from the app: the request's database session, the process's Webitel client
and its Creatio side."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from ..creatio import CreatioSide
from ..webitel import WebitelClient


@dataclass
class Connector:
    """The app's long-lived parts, in ``app.extensions["connector"]``."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    webitel: WebitelClient
    creatio: CreatioSide


def connector() -> Connector:
    return current_app.extensions["connector"]


def db() -> Session:
    """The request's session (opened on first use, closed when the request ends)."""
    if "db" not in g:
        g.db = connector().sessions()
    return g.db


def webitel() -> WebitelClient:
    return connector().webitel


def creatio() -> CreatioSide:
    return connector().creatio


def lease_s() -> float:
    return connector().config.operation_lease_s


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
