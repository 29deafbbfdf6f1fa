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
:func:`load_services`, so a new service is a new module and nothing else. The HTTP side is
``wsgi.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import ListQuery, Page, paginate
from .request import Call
from .spec import Operation, spec

SERVICE_PACKAGES = ("emulator.directory", "emulator.callcenter")
View = Callable[[Call], Any]


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


def crud(api: Service, store: type, wire: Callable[[Any, Any], dict], fields: Callable[[Call], dict], *,
         page_size: int = 0,
         search: str | None = None, create: str | None = None, read: str | None = None,
         update: tuple[str, ...] = (), delete: str | None = None, entity: str | None = None,
         filters: Callable[[Call, Any], Any] | None = None, default_key: Callable[[Any], Any] | None = None,
         self_service: bool = False) -> None:
    """Serve the usual operations of one resource with one call: ``search`` (``filters(call,
    query)`` gives the rows), ``create``, ``read``, ``update`` (PUT and PATCH) and ``delete``, by
    their operationIds. The store has ``create(*, actor, **attributes)``, ``get(id)``,
    ``update(id, *, actor, **changes)`` and ``delete(id)``; ``wire(domain, row)`` writes a row;
    ``fields(call)`` reads a body into attributes (``Fields.read``); ``self_service``: any user of
    the domain may call them (``Service.operation``). The row's id is the operation's last path
    parameter."""

    def row_id(call: Call) -> Any:
        return call.path[call.op.path_params[-1].name]

    def serve(op_id: str, view: View, with_entity: bool = False) -> None:
        api.operation(op_id, entity=entity if with_entity else None, self_service=self_service)(view)

    if search is not None:
        def search_view(call: Call) -> dict:
            query = call.list_query(page_size)
            rows = filters(call, query) if filters is not None else list(call.store(store))
            return listing(call, query, paginate(rows, query, lambda row: wire(call.domain, row), default_key))

        serve(search, search_view)
    if create is not None:
        serve(create, lambda call: wire(call.domain, call.store(store).create(actor=call.user_id, **fields(call))),
              True)
    if read is not None:
        serve(read, lambda call: wire(call.domain, call.store(store).get(row_id(call))))
    for op_id in update:
        serve(op_id, lambda call: wire(call.domain, call.store(store).update(row_id(call), actor=call.user_id,
                                                                            **fields(call))), True)
    if delete is not None:
        serve(delete, lambda call: wire(call.domain, call.store(store).delete(row_id(call))))
