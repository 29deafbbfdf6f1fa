"""The emulator application: ``create_app(seed)`` serves the Webitel API and the control plane."""

from __future__ import annotations

import logging
import os

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from .control.faults import Faults
from .control.journal import Journal
from .control.middleware import EmulatorMiddleware
from .errors import NOT_IMPLEMENTED, WebitelError
from .http import error_response
from .seed import demo_seed
from .state import Backend

log = logging.getLogger("emulator")


class Emulator:
    """Everything one emulator holds: the Webitel state, fault rules and the request journal."""

    def __init__(self, seed: dict | None = None, *, journal_size: int = 500) -> None:
        self.backend = Backend()
        self.faults = Faults()
        self.journal = Journal(journal_size)
        self.backend.load_seed(seed if seed is not None else demo_seed())

    def reset(self) -> None:
        """Back to the last seed, with no fault rules and an empty journal."""
        self.backend.reset()
        self.faults.clear()
        self.journal.clear()

    def admin_tokens(self) -> dict[str, str]:
        """Each domain's administrator token (the seeded ones), by domain name."""
        with self.backend.lock:
            world = self.backend.world
            return {world.domains[s.domain_id].name: s.token for s in world.sessions.values()
                    if s.root and s.expires_at is None and s.access_token_id is None}


def create_app(seed: dict | None = None, *, journal_size: int | None = None) -> Flask:
    from .callcenter.responses import bp as call_center_bp
    from .control.responses import bp as control_bp
    from .directory.responses import bp as directory_bp

    app = Flask(__name__.rsplit(".", 1)[0])
    emulator = Emulator(seed, journal_size=journal_size or int(os.environ.get("EMULATOR_JOURNAL_SIZE", "500")))
    app.extensions["webitel_emulator"] = emulator
    app.register_blueprint(directory_bp)
    app.register_blueprint(call_center_bp)
    app.register_blueprint(control_bp)

    @app.errorhandler(WebitelError)
    def webitel_error(error: WebitelError):
        return error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (404, 405) and request.path.startswith("/api"):
            # Never a bare 404, which a client would read as "record not found".
            return error_response(WebitelError(501, NOT_IMPLEMENTED,
                                               f"{request.method} {request.path} is not served by the emulator"))
        return error_response(WebitelError(error.code or 500, f"emulator.http.{error.code}", error.description))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error serving %s %s", request.method, request.path)
        return error_response(WebitelError(500, "emulator.internal", "internal error (see the emulator's log)"))

    app.wsgi_app = EmulatorMiddleware(app.wsgi_app, emulator)  # type: ignore[method-assign]
    return app
