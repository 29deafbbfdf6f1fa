"""What a view needs from the app: the request's database session, the process's Webitel client and
Creatio side, and the context service functions work with."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .. import deadline
from ..config import Config
from ..creatio import CreatioSide
from ..reconciler import Reconciler
from ..services.context import Context
from ..tokens import TokenSet
from ..webitel import WebitelClient


@dataclass
class Connector:
    """The app's long-lived parts, in ``app.extensions["connector"]``."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    webitel: WebitelClient
    reconciler: Reconciler
    creatio: CreatioSide
    tokens: TokenSet


def connector() -> Connector:
    return current_app.extensions["connector"]


def db() -> Session:
    """The request's session (opened on first use, closed when the request ends), on one database
    connection for the whole request: a create's two transactions (the intent committed before Webitel
    is called, then the result) take one checkout, not two (one pool round and, on PostgreSQL, one
    pre-ping round trip fewer). A request holds one connection at a time either way; the pool is larger
    than a worker's threads."""
    if "db" not in g:
        app = connector()
        try:
            g.db_connection = app.engine.connect()
        except SQLAlchemyError:  # unreachable now: the session reports it where it is used, as it always did
            g.db = app.sessions()
        else:
            g.db = app.sessions(bind=g.db_connection)
    return g.db


def request_session() -> Session | None:
    """The request's session while a request is served; None elsewhere (a background import, the CLI)."""
    return db() if has_request_context() else None


def webitel() -> WebitelClient:
    return connector().webitel


def caller() -> str:
    """Who acts: the name of the API token the request came with (``api`` before authentication)."""
    return g.get("caller", "api")


def services() -> Context:
    """What a service function works with, for this request; the caller's token name is its actor."""
    app = connector()
    return Context(session=db(), webitel=app.webitel, settings=app.config.sync_settings,
                   on_pending=app.reconciler.wake, actor=caller())


def creatio() -> CreatioSide:
    return connector().creatio


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
    connection = g.pop("db_connection", None)
    if connection is not None:
        connection.close()


def start_deadline() -> None:
    """The request's time budget (``CONNECTOR_REQUEST_DEADLINE_S``): no request waits longer."""
    g.deadline = deadline.start(connector().config.request_deadline_s)


def stop_deadline(_exc: BaseException | None = None) -> None:
    token = g.pop("deadline", None)
    if token is not None:
        deadline.stop(token)
