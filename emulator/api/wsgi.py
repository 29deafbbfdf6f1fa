"""The Webitel API's HTTP layer: a lean WSGI app for everything under ``/api``.

It routes (``router.py``), authenticates, reads the request (``request.read_call``), runs the
operation's view under the state lock and writes the answer (``protojson.render``, then JSON),
with no web framework in between: the API answers at the cost of the WSGI server itself. Errors
are Webitel's envelope; a path no served operation has answers 501 ``emulator.not_implemented``
(never a bare 404, which a client would read as "record not found").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson
from werkzeug.datastructures import MultiDict

from ..errors import NOT_IMPLEMENTED, PERMISSION_DENIED, WebitelError, forbidden
from . import protojson
from .request import read_call
from .router import router
from .service import Route

if TYPE_CHECKING:
    from ..app import Emulator

log = logging.getLogger("emulator")
API_PREFIX = "/api"
ACCESS = {"POST": "create", "DELETE": "delete", "GET": "read"}
EMPTY: MultiDict = MultiDict()
HEADERS = [("Content-Type", "application/json")]
INTERNAL = WebitelError(500, "emulator.internal", "internal error (see the emulator's log)")
STATUS_LINES = {int(s): f"{int(s)} {s.phrase}" for s in HTTPStatus}


def to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON (orjson; the standard library for what orjson refuses, e.g. an integer
    beyond 64 bits inside a client's free-form ``payload``)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def request_token(environ: dict, args: MultiDict) -> str | None:
    """The access token from ``X-Webitel-Access``, ``Authorization: Bearer`` or ``?access_token=``."""
    token = environ.get("HTTP_X_WEBITEL_ACCESS")
    if not token:
        scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token or args.get("access_token")


def project(value: Any, fields: Iterable[str]) -> Any:
    """``fields=id&fields=name``: only those attributes of the object, or of each listed item."""
    wanted = set(fields)
    if not wanted or not isinstance(value, dict):
        return value
    if isinstance(value.get("items"), list):
        return {**value, "items": [{k: v for k, v in item.items() if k in wanted} for item in value["items"]]}
    return {k: v for k, v in value.items() if k in wanted}


def _body(environ: dict) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    if not length and not environ.get("wsgi.input_terminated"):
        return b""
    stream = environ["wsgi.input"]
    return stream.read(int(length)) if length else stream.read()


class WebitelApi:
    """The WSGI app of ``/api``: ``routes`` are the served operations by operationId."""

    def __init__(self, emulator: Emulator, routes: dict[str, Route]) -> None:
        self.emulator = emulator
        self.routes = routes
        self.router = router()

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        try:
            status, body = 200, self._serve(environ, method, path)
        except WebitelError as error:
            status, body = error.code, to_json(error.envelope())
        except Exception:
            log.exception("unexpected error serving %s %s", method, path)
            status, body = 500, to_json(INTERNAL.envelope())
        start_response(STATUS_LINES.get(status, f"{status} Error"), [*HEADERS, ("Content-Length", str(len(body)))])
        return [body]

    def _serve(self, environ: dict, method: str, path: str) -> bytes:
        op, path_args = self.router.match(method, path[len(API_PREFIX):])
        if op is None:
            raise WebitelError(501, NOT_IMPLEMENTED, f"{method} {path} is not served by the emulator")
        environ["emulator.operation"] = op.op_id
        route = self.routes.get(op.op_id)
        if route is None:
            raise WebitelError(501, NOT_IMPLEMENTED, f"{op.method} /api{op.template} ({op.op_id}) is not served yet")
        query = environ.get("QUERY_STRING")
        args = MultiDict(parse_qsl(query, keep_blank_values=True)) if query else EMPTY
        raw = _body(environ) if op.body_schema is not None else b""
        backend = self.emulator.backend
        with backend.lock:
            session = domain = None
            token = request_token(environ, args)
            if route.auth is True or (route.auth == "optional" and token):
                session, domain = backend.world.authenticate(token)
            call = read_call(op, route.entity, path_args, args, raw, backend.world, session, domain)
            if session is not None and not session.root and not route.self_service and op.method != "GET":
                raise forbidden(PERMISSION_DENIED, f"userId={session.user_id}, permission={route.service.permission} "
                                                   f"access={ACCESS.get(op.method, 'update')}")
            if route.clocked and domain is not None:
                domain.emit("catch_up")
            result = route.view(call)
            if route.project and ("fields" in call.query or "fields" in call.extra):
                result = project(result, call.list_query(1).fields)
            return to_json(protojson.render(op.response, result))
