"""The app factory: ``create_app(config)``. Nothing happens at import time."""

from __future__ import annotations

import logging

import httpx
from flask import Flask
from flask_cors import CORS

from .api import admission, auth, context, errors, observe
from .config import Config
from .creatio.factory import make_creatio_side
from .db import make_engine, make_session_factory
from .reconciler import Reconciler
from .webitel import WebitelClient


def create_app(config: Config | None = None, *, webitel_transport: httpx.BaseTransport | None = None,
               creatio_transport: httpx.BaseTransport | None = None, worker_threads: int | None = None) -> Flask:
    """``config`` defaults to the ``CONNECTOR_*`` environment; ``webitel_transport`` and
    ``creatio_transport`` replace the network (tests pass the emulator's and the Creatio stand-in's
    in-process transports); ``worker_threads``: the requests the worker serving the app (gunicorn, with
    one more thread, for the liveness probe) admits at once (:mod:`connector.api.admission`)."""
    from .api import audit, creatio, drift, imports, lookups, service, webitel_users

    config = config or Config.from_env()
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes  # werkzeug refuses a larger body: 413
    logging.getLogger("connector").setLevel(config.log_level.upper())
    engine = make_engine(config.database_url, pool_size=config.database_pool_size)
    sessions = make_session_factory(engine)
    webitel = WebitelClient.from_config(config, transport=webitel_transport)
    reconciler = Reconciler(sessions, webitel, config.sync_settings, interval_s=config.reconcile_interval_s)
    app.extensions["connector"] = context.Connector(
        config=config, engine=engine, sessions=sessions, webitel=webitel, reconciler=reconciler,
        creatio=make_creatio_side(config, sessions, transport=creatio_transport,
                                  request_session=context.request_session),
        tokens=config.token_set())
    for module in (service, creatio, webitel_users, lookups, drift, imports, audit):
        app.register_blueprint(module.bp)
    observe.register(app)  # first: the request id is set before authentication logs anything
    if worker_threads is not None:
        admission.register(app, worker_threads)
    app.before_request(auth.require_token)
    app.before_request(context.start_deadline)
    app.teardown_request(context.stop_deadline)
    app.teardown_appcontext(context.close_db)
    errors.register(app)
    if config.cors_origins:
        CORS(app, resources={r"/api/v1/*": {"origins": list(config.cors_origins)}},
             allow_headers=["Authorization", "Content-Type", "X-Request-ID", "Idempotency-Key"],
             # a Creatio page quotes the request id in a support request, and tells a replayed answer
             expose_headers=["X-Request-ID", "Idempotent-Replayed"],
             methods=["GET", "POST", "PATCH", "PUT", "DELETE"], max_age=600)
    if config.reconcile_interval_s > 0:
        reconciler.start()
    return app


def dispose(app: Flask) -> None:
    """Close the app's Webitel and Creatio clients and database pool (tests and the CLI, at the end)."""
    connector = app.extensions["connector"]
    connector.reconciler.stop()
    connector.webitel.close()
    connector.creatio.close()
    connector.engine.dispose()
