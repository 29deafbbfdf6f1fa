"""The app factory: ``create_app(config)``. Nothing happens at import time."""

from __future__ import annotations

import logging

import httpx
from flask import Flask
from flask_cors import CORS

from .api import auth, context, errors, observe
from .config import Config
from .db import make_engine, make_session_factory
from .webitel import WebitelClient


def create_app(config: Config | None = None, *, webitel_transport: httpx.BaseTransport | None = None) -> Flask:
    """``config`` defaults to the ``CONNECTOR_*`` environment; ``webitel_transport`` replaces the
    network (tests pass the emulator's in-process transport)."""
    from .api import creatio, lookups, service, webitel_users

    config = config or Config.from_env()
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logging.getLogger("connector").setLevel(config.log_level.upper())
    engine = make_engine(config.database_url, pool_size=config.database_pool_size)
    app.extensions["connector"] = context.Connector(
        config=config, engine=engine, sessions=make_session_factory(engine),
        webitel=WebitelClient.from_config(config, transport=webitel_transport))
    for module in (service, creatio, webitel_users, lookups):
        app.register_blueprint(module.bp)
    observe.register(app)  # first: the request id is set before authentication logs anything
    app.before_request(auth.require_token)
    app.teardown_appcontext(context.close_db)
    errors.register(app)
    if config.cors_origins:
        CORS(app, resources={r"/api/v1/*": {"origins": list(config.cors_origins)}},
             allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
             expose_headers=["X-Request-ID"],  # so that a Creatio page can quote it in a support request
             methods=["GET", "POST", "PATCH", "PUT", "DELETE"], max_age=600)
    return app


def dispose(app: Flask) -> None:
    """Close the app's Webitel client and database pool (tests and the CLI, at the end)."""
    connector = app.extensions["connector"]
    connector.webitel.close()
    connector.engine.dispose()
