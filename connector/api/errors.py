"""The one error handler: every failure becomes the contract's error shape
``{"error": {"code", "message", "fields"?, "webitel"?, ...}}`` — never a traceback."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..errors import ConnectorError, DatabaseUnavailable, NotFound, ValidationFailed
from ..services.upstream import upstream_error
from ..webitel import WebitelError
from .context import connector

log = logging.getLogger("connector.api")


def register(app: Flask) -> None:
    app.register_error_handler(Exception, handle)


def handle(exc: Exception) -> Response:
    error = translate(exc)
    if error.status >= 500:
        log.warning("%s %s: %s", error.status, error.code, _redact(error.message))
    response = Response(json.dumps(error.to_dict()), status=error.status, mimetype="application/json")
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="webitel-connector"'
    if error.status == 405:
        response.headers["Allow"] = ", ".join(sorted(allowed_methods()))
    if error.code == "server_busy":
        response.headers["Retry-After"] = "1"
    return response


def allowed_methods() -> set[str]:
    """What the request's path takes, this method aside: routing's 405 and a 405 of the configuration
    (a live Creatio's users are managed there) both say it in ``Allow``, as HTTP requires."""
    adapter = current_app.create_url_adapter(request)
    return (set(adapter.allowed_methods()) if adapter is not None else set()) - {request.method}


def translate(exc: Exception) -> ConnectorError:
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, ValidationError):
        return ValidationFailed("The request is not valid", fields=_flatten(exc.messages))
    if isinstance(exc, WebitelError):
        return upstream_error(exc, "calling Webitel")
    if isinstance(exc, SQLAlchemyError):
        log.error("database failure: %s", _redact(_traceback(exc)))
        return DatabaseUnavailable("The connector's database failed")
    if isinstance(exc, HTTPException):
        if exc.code == 404:
            return NotFound("No such endpoint; see /api/v1/openapi.json")
        if exc.code == 405:
            return _http_error(405, "method_not_allowed", "This endpoint does not take that method")
        if exc.code == 413:
            return _http_error(413, "payload_too_large",
                               f"The request body is larger than {_size(current_app.config['MAX_CONTENT_LENGTH'])}")
        return _http_error(exc.code or 400, "bad_request", exc.description or exc.name)
    log.error("unexpected error: %s", _redact(_traceback(exc)))
    return ConnectorError("Internal error; the connector's log has the details")


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _redact(text: str) -> str:
    """No API token in a log line, even one a caller put where it does not belong (a body, a path)."""
    return connector().tokens.redact(text)


def _http_error(status: int, code: str, message: str) -> ConnectorError:
    error = ConnectorError(message, code=code)
    error.status = status
    return error


def _size(limit: int) -> str:
    """1048576 -> "1 MB" (nginx's 1m), else bytes."""
    return f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit} bytes"


def _flatten(messages: list[Any] | dict[Any, Any], prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"field.sub": ["..."]}``."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = "_body" if key == "_schema" and not prefix else f"{prefix}.{key}" if prefix else str(key)
        flat.update(_flatten(value, name))
    return flat
