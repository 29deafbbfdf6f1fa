"""The thin HTTP layer shared by the Webitel API blueprints: auth, the lock, bodies and answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, request

from . import wire
from .errors import PERMISSION_DENIED, WebitelError, bad_args, forbidden

if TYPE_CHECKING:
    from .app import Emulator


def emulator() -> Emulator:
    return current_app.extensions["webitel_emulator"]


def request_token() -> str | None:
    """The access token from ``X-Webitel-Access``, ``Authorization: Bearer`` or ``?access_token=``."""
    token = request.headers.get("X-Webitel-Access")
    if not token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token or request.args.get("access_token")


def endpoint(bp: Blueprint, rules: str | tuple[str, ...], methods: Sequence[str], *, auth: bool = True,
             self_service: bool = False, permission: str | None = None) -> Callable:
    """Register a Webitel API view that runs under the state lock with the caller's session.

    A write needs the domain's administrator unless ``self_service`` (the caller acts on its own
    settings or status); reads are open to every user of the domain."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def handler(**kwargs: Any) -> Response:
            backend = emulator().backend
            with backend.lock:
                if not auth:
                    return view(**kwargs)
                session, domain = backend.world.authenticate(request_token())
                if request.method != "GET" and not session.root and not self_service:
                    access = {"POST": "create", "DELETE": "delete"}.get(request.method, "update")
                    raise forbidden(PERMISSION_DENIED, f"userId={session.user_id}, "
                                                       f"permission={permission or bp.name} access={access}")
                return view(session, domain, **kwargs)

        for rule in (rules,) if isinstance(rules, str) else rules:
            bp.add_url_rule(rule, view.__name__, handler, methods=list(methods))
        return view

    return decorate


def json_body(*wrappers: str) -> dict:
    """The JSON object sent, flat or wrapped in one of ``wrappers`` (``{"user": {...}}``)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_args(f"invalid JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise bad_args("the request body must be a JSON object")
    for key in wrappers:
        if len(body) == 1 and isinstance(body.get(key), dict):
            return body[key]
    return body


def patch_fields(body: dict) -> tuple[str, ...]:
    """The attributes a PATCH changes: ``fields`` when sent, else the body's top-level keys
    (what Webitel's gateway derives for clients that send no ``fields``)."""
    sent = wire.multi(request.args, "fields") or body.get("fields") or []
    return tuple(sent) if sent else tuple(k for k in body if k != "fields")


def path_id(value: str, name: str = "id") -> int:
    return wire.parse_int64(value, name)


def answer(obj: Any, status: int = 200) -> Response:
    return Response(json.dumps(obj, separators=(",", ":"), ensure_ascii=False), status=status,
                    mimetype="application/json")


def one(obj: dict) -> Response:
    """A single object, flat, projected by ``?fields=``."""
    return answer(wire.project(obj, wire.multi(request.args, "fields")))


def page(rows: list[dict], has_next: bool, query: wire.ListQuery, *, size: str | None = "int32") -> Response:
    """webitel.go's list shape ``{"page", "size", "next", "items"}`` (zero values left out).

    ``size`` is how the message declares it: ``"int32"`` (a number), ``"int64"`` (a string, as in
    ``UserAccessTokenList``) or None (no size, as in the license lists)."""
    items = [wire.project(r, query.fields) for r in rows]
    sizes = {"int32": query.size, "int64": wire.i64(query.size), None: None}
    return answer(wire.compact({"page": query.page, "size": sizes[size], "next": has_next, "items": items}))


def engine_page(rows: list[dict], has_next: bool, query: wire.ListQuery, **extra: Any) -> Response:
    """The engine's list shape ``{"next", "items"}``."""
    items = [wire.project(r, query.fields) for r in rows]
    return answer(wire.compact({"next": has_next, "items": items, **extra}))


def error_response(error: WebitelError) -> Response:
    return answer(error.envelope(), error.code)
