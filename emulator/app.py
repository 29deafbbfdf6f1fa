"""The emulator application: ``create_app(seed)`` serves the Webitel API and the control plane."""

from __future__ import annotations

import logging
import os

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from .api.router import router
from .api.service import load_services
from .api.wsgi import WebitelApi, to_json
from .control.faults import Faults
from .control.journal import Journal
from .control.metrics import Metrics
from .control.middleware import EmulatorMiddleware
from .control.responses import bp as control_bp
from .control.snapshot_http import bp as snapshot_bp
from .control.ui_http import bp as ui_bp
from .errors import WebitelError
from .live.hub import Hub
from .live.server import LiveSockets
from .seed import build_world, demo_seed
from .state import Backend, World

log = logging.getLogger("emulator")


class Emulator:
    """Everything one emulator holds: the Webitel state, fault rules and the request journal."""

    def __init__(self, seed: dict | None = None, *, journal_size: int = 500) -> None:
        load_services()  # every service registers its seed sections and listeners on import
        self.backend = Backend(build_world)
        self.faults = Faults()
        self.journal = Journal(journal_size)
        self.metrics = Metrics()
        self.backend.load_seed(seed if seed is not None else demo_seed())
        self.live = Hub(self.backend)  # the open WebSockets (emulator/live)

    def reset(self) -> None:
        """Back to the last seed, with no fault rules and an empty journal."""
        self.backend.reset()
        self.faults.clear()
        self.journal.clear()

    @property
    def world(self) -> World:
        return self.backend.world

    def admin_tokens(self) -> dict[str, str]:
        """Each domain's administrator token (the seeded ones), by domain name."""
        with self.backend.lock:
            world = self.backend.world
            return {world.domains[s.domain_id].name: s.token for s in world.sessions.values()
                    if s.root and s.expires_at is None and s.access_token_id is None}


def create_app(seed: dict | None = None, *, journal_size: int | None = None) -> Flask:
    app = Flask(__name__.rsplit(".", 1)[0])
    emulator = Emulator(seed, journal_size=journal_size or int(os.environ.get("EMULATOR_JOURNAL_SIZE", "500")))
    app.extensions["webitel_emulator"] = emulator
    app.register_blueprint(control_bp)
    app.register_blueprint(snapshot_bp)
    app.register_blueprint(ui_bp)

    @app.errorhandler(WebitelError)
    def webitel_error(error: WebitelError) -> Response:
        return Response(to_json(error.envelope()), status=error.code, mimetype="application/json")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        return webitel_error(WebitelError(code, f"emulator.http.{code}", error.description or ""))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error serving %s %s", request.method, request.path)
        return webitel_error(WebitelError(500, "emulator.internal", "internal error (see the emulator's log)"))

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule
        emulator.metrics.control_request(rule.rule if rule is not None else None, request.method, response.status_code)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        payload, content_type = emulator.metrics.exposition()
        return Response(payload, content_type=content_type)

    def resolve(environ: dict) -> str | None:
        op, _args = router().match(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")[len("/api"):])
        return op.op_id if op is not None else None

    # /api is the Webitel API's own WSGI app (no framework in the way); Flask serves the rest;
    # /ws/websocket is Webitel's WebSocket, told of every change once its request is answered.
    api = WebitelApi(emulator, load_services())
    app.wsgi_app = LiveSockets(EmulatorMiddleware(app.wsgi_app, api, emulator, resolve),  # type: ignore[method-assign]
                               emulator.live)
    return app
