"""The registry of served operations, and the thin HTTP layer that runs them.

A Webitel service module makes one :class:`Service` (named as the OpenAPI files tag it, e.g.
``Service("RegionService", permission="dictionaries")``) and registers a view per operation:

    @api.operation("ReadRegion")
    def read(call: Call) -> dict:
        return call.store(Regions).wire(call.store(Regions).get(call.path["id"]))

The method, path, parameters and the answer's schema come from Webitel's OpenAPI files by the
``operationId``; the view gets a typed :class:`~emulator.api.request.Call` and returns plain
Python values, which :func:`~emulator.api.protojson.render` shapes (zero values left out, int64 as
strings). Every module under ``emulator.directory`` and ``emulator.callcenter`` is imported by
:func:`load_services`, so a new service is a new module and nothing else.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, request

from ..errors import NOT_IMPLEMENTED, PERMISSION_DENIED, WebitelError, forbidden
from ..store import ListQuery, Page
from . import protojson
from .request import Call, read_call
from .router import router
from .spec import Operation, spec

if TYPE_CHECKING:
    from ..app import Emulator

SERVICE_PACKAGES = ("emulator.directory", "emulator.callcenter")
View = Callable[[Call], Any]
ACCESS = {"POST": "create", "DELETE": "delete", "GET": "read"}


@dataclass(frozen=True)
class Route:
    op: Operation
    view: View
    service: Service
    entity: str | None
    auth: bool | str  # True, False, or "optional" (a token is used when sent)
    self_service: bool
    project: bool
    clocked: bool


class Service:
    """One of Webitel's services (an OpenAPI tag) and the views of the operations it serves.

    ``permission`` names the object class a refused write reports; ``clocked`` services bring
    the domain to the clock's time (``catch_up`` event) before each request."""

    registry: dict[str, Service] = {}

    def __init__(self, name: str, *, permission: str, clocked: bool = False) -> None:
        if name in Service.registry:
            raise ValueError(f"service {name!r} is registered twice")
        self.name, self.permission, self.clocked = name, permission, clocked
        self.routes: dict[str, Route] = {}
        Service.registry[name] = self

    def operation(self, op_id: str, *, entity: str | None = None, auth: bool | str = True,
                  self_service: bool = False, project: bool | None = None) -> Callable[[View], View]:
        """Serve ``op_id`` with the decorated view.

        ``entity``: the body's entity key, taken wrapped or flat; ``self_service``: any user of
        the domain may call it (else writes need the administrator); ``project``: ``fields``
        selects the answer's attributes (default: on GET)."""
        op = spec().operation(op_id)
        if op.service != self.name:
            raise ValueError(f"{op_id} belongs to {op.service}, not {self.name}")
        if op_id in served_routes():
            raise ValueError(f"{op_id} is served twice")

        def register(view: View) -> View:
            self.routes[op_id] = Route(op, view, self, entity, auth, self_service,
                                       op.method == "GET" if project is None else project, self.clocked)
            return view

        return register


def served_routes() -> dict[str, Route]:
    return {op_id: route for service in Service.registry.values() for op_id, route in service.routes.items()}


def load_services() -> dict[str, Route]:
    """Import every service module (each registers itself) and answer the served operations."""
    for package_name in SERVICE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            importlib.import_module(info.name)
    return served_routes()


# -- HTTP ------------------------------------------------------------------------------------------
def answer(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, separators=(",", ":"), ensure_ascii=False), status=status,
                    mimetype="application/json")


def request_token() -> str | None:
    """The access token from ``X-Webitel-Access``, ``Authorization: Bearer`` or ``?access_token=``."""
    token = request.headers.get("X-Webitel-Access")
    if not token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token or request.args.get("access_token")


def project(value: Any, fields: Iterable[str]) -> Any:
    """``fields=id&fields=name``: only those attributes of the object, or of each listed item."""
    wanted = set(fields)
    if not wanted or not isinstance(value, dict):
        return value
    if isinstance(value.get("items"), list):
        return {**value, "items": [{k: v for k, v in item.items() if k in wanted} for item in value["items"]]}
    return {k: v for k, v in value.items() if k in wanted}


def _handler(route: Route) -> Callable[[dict[str, str]], Response]:
    op = route.op

    def handle(path_args: dict[str, str]) -> Response:
        emulator: Emulator = current_app.extensions["webitel_emulator"]
        backend = emulator.backend
        with backend.lock:
            session = domain = None
            token = request_token()
            if route.auth is True or (route.auth == "optional" and token):
                session, domain = backend.world.authenticate(token)
            call = read_call(op, route.entity, path_args, request.args, request.get_data(cache=True),
                             backend.world, session, domain)
            if session is not None and not session.root and not route.self_service and op.method != "GET":
                raise forbidden(PERMISSION_DENIED, f"userId={session.user_id}, permission={route.service.permission} "
                                                   f"access={ACCESS.get(op.method, 'update')}")
            if route.clocked and domain is not None:
                domain.emit("catch_up")
            result = route.view(call)
            if route.project:
                result = project(result, call.list_query(1).fields)
            return answer(protojson.render(op.response, result))

    return handle


def bind(app: Flask, routes: dict[str, Route]) -> None:
    """One URL rule for the whole API: the router finds the operation; a served one runs its view,
    any other path under /api answers 501 (never a 404 a client would read as "record not found")."""
    table = router()
    handlers = {op_id: _handler(route) for op_id, route in routes.items()}

    def dispatch(rest: str = "") -> Response:
        op, path_args = table.match(request.method, "/" + rest)
        if op is None:
            raise WebitelError(501, NOT_IMPLEMENTED, f"{request.method} {request.path} is not served by the emulator")
        request.environ["emulator.operation"] = op.op_id
        handler = handlers.get(op.op_id)
        if handler is None:
            raise WebitelError(501, NOT_IMPLEMENTED, f"{op.method} /api{op.template} ({op.op_id}) is not served yet")
        return handler(path_args)

    app.add_url_rule("/api/<path:rest>", endpoint="webitel_api", view_func=dispatch,
                     methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])


def listing(call: Call, query: ListQuery, page: Page, **extra: Any) -> dict:
    """A list answer in the shape the operation declares: the engine's ``{next, items}``,
    webitel.go's ``{page, size, next, items}`` (or without ``size`` where the message has none)."""
    declared = spec().resolve(call.op.response).get("properties", {})
    out: dict[str, Any] = {"next": page.next, "items": page.items, **extra}
    if "page" in declared:
        out["page"] = query.page
    if "size" in declared:
        out["size"] = query.size
    return out
