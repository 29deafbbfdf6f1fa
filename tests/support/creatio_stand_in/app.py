"""A small Creatio stand-in for the connector's tests (not part of the product): the subset of
Creatio the connector uses, speaking as Creatio does.

* ``POST /ServiceModel/AuthService.svc/Login`` ``{UserName, UserPassword}``: 200 with ``"Code": 0``
  and the session cookies (``.ASPXAUTH``, ``BPMCSRF``, ``BPMLOADER``, ``UserName``), or 200 with
  ``"Code": 1`` for bad credentials. An OData request needs the session cookie and the ``BPMCSRF``
  header echoing the cookie; otherwise 401.
* ``POST /connect/token`` (OAuth 2.0 client credentials): a bearer token of ``token_lifetime_s``.
* ``/0/odata/{Entity}``: GET with ``$filter``, ``$select``, ``$expand``, ``$orderby``, ``$top``,
  ``$skip``, ``$count``; POST; ``{Entity}({guid})`` GET, PATCH, DELETE; ``$batch`` (JSON, at most
  100 requests, stops at the first failure unless ``Prefer: continue-on-error``).
  Errors have OData's body ``{"error": {"code": "", "message": "..."}}``.

Control, for tests: ``expire_sessions()``, ``expire_tokens()``, ``fail(...)`` (an error status, a
timeout or a dropped connection, before the request is applied or after it with the answer
lost), the records (``add_system_user`` and friends), and ``journal`` (the requests seen).
In process its ``transport`` plugs into an ``httpx.Client``; ``serve()`` puts it on a real port.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from emulator.control.middleware import EmulatedConnectionReset, EmulatedTimeout
from emulator.transport import EmulatorTransport

from .query import QueryError, evaluate, parse_expand, parse_filter, parse_orderby, parse_select
from .store import ENTITIES, DuplicateKey, Entity, NoSuchRow, Store, wire

IN_PROCESS_URL = "http://creatio.test"
ODATA = "/0/odata/"
LOGIN = "/ServiceModel/AuthService.svc/Login"
TOKEN = "/connect/token"
MAX_BATCH = 100
QUERY_OPTIONS = {"$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$count"}
USER_TYPES = {"employee": 4, "portal": 5}
ORG_UNIT_TYPES = {"organisation": 0, "division": 1, "manager": 2, "team": 3, "functional_role": 6}


@dataclass
class Fault:
    path: str
    action: str  # "status", "timeout" or "reset"
    status: int = 503
    method: str | None = None
    times: int | None = 1
    when: str = "before"  # "after": the request is applied, then its answer is lost or replaced
    delay_s: float = 1.0  # on a real port, how late a "timeout" answers
    skip: int = 0  # let this many matching requests through first
    hits: int = 0
    seen: int = 0

    def matches(self, method: str, path: str, when: str) -> bool:
        return (self.when == when and (self.method is None or self.method == method)
                and fnmatch.fnmatchcase(path, self.path) and (self.times is None or self.hits < self.times))


class CreatioStandIn:
    def __init__(self, *, users: dict[str, str] | None = None, clients: dict[str, str] | None = None,
                 case_insensitive: bool = False, token_lifetime_s: int = 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = Store(case_insensitive=case_insensitive)
        self.users = dict(users or {"Supervisor": "Supervisor"})
        self.clients = dict(clients or {})
        self.token_lifetime_s = token_lifetime_s
        self.clock = clock
        self.sessions: dict[str, str] = {}  # .ASPXAUTH -> its CSRF token
        self.tokens: dict[str, float] = {}  # bearer token -> when it expires
        self.logins = self.failed_logins = self.token_requests = 0
        self.journal: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self.flask = self._make_app()
        self.base_url = IN_PROCESS_URL
        self.transport = EmulatorTransport(self.wsgi)

    # -- control ------------------------------------------------------------------------------------
    def expire_sessions(self) -> None:
        with self._lock:
            self.sessions.clear()

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def fail(self, path: str, *, action: str = "status", status: int = 503, method: str | None = None,
             times: int | None = 1, when: str = "before", delay_s: float = 1.0, skip: int = 0) -> Fault:
        fault = Fault(path, action, status, method, times, when, delay_s, skip)
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests(self, path: str = "*") -> list[dict[str, Any]]:
        return [entry for entry in self.journal if fnmatch.fnmatchcase(entry["path"], path)]

    # -- records -------------------------------------------------------------------------------------
    def add_account(self, name: str) -> uuid.UUID:
        return self.store.insert("Account", {"Name": name})["Id"]

    def add_contact(self, name: str, account_id: uuid.UUID | None = None) -> uuid.UUID:
        return self.store.insert("Contact", {"Name": name, "AccountId": account_id})["Id"]

    def add_system_user(self, name: str, contact: str | None = None, *, type: str = "employee", active: bool = True,
                        account: str | None = None, contact_id: uuid.UUID | None = None) -> uuid.UUID:
        """A system user with a new contact (of ``account``, found by its exact name or created)."""
        if contact_id is None:
            account_id = self._account_named(account) if account else None
            contact_id = self.add_contact(contact or name.title(), account_id)
        return self.store.insert("SysAdminUnit", {
            "Name": name, "SysAdminUnitTypeValue": USER_TYPES[type], "ConnectionType": int(type == "portal"),
            "Active": active, "ContactId": contact_id})["Id"]

    def add_org_unit(self, name: str, kind: str = "division") -> uuid.UUID:
        """An organisation, division, manager role, team or functional role: never a system user."""
        return self.store.insert("SysAdminUnit", {"Name": name, "SysAdminUnitTypeValue": ORG_UNIT_TYPES[kind]})["Id"]

    def set_active(self, user_id: uuid.UUID, active: bool) -> None:
        self.store.update("SysAdminUnit", user_id, {"Active": active})

    def rows(self, entity: str) -> list[dict[str, Any]]:
        return self.store.all(entity)

    def _account_named(self, name: str) -> uuid.UUID:
        for row in self.store.all("Account"):
            if row["Name"] == name:
                return row["Id"]
        return self.add_account(name)

    # -- serving -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1") -> Iterator[str]:
        """The stand-in on a real local port; yields its base URL."""
        server = make_server(host, 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="creatio-stand-in", daemon=True)
        thread.start()
        try:
            yield f"http://{host}:{server.port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)

    def wsgi(self, environ: dict, start_response: Callable) -> Any:
        """The Flask app behind the fault rules."""
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        before = self._pick(method, path, "before")
        if before is not None:
            return self._fail(before, environ, start_response)
        after = self._pick(method, path, "after")
        if after is None:
            return self.flask(environ, start_response)
        b"".join(self.flask(environ, _discard_start))  # applied; the answer is what the fault says
        return self._fail(after, environ, start_response)

    def _pick(self, method: str, path: str, when: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, when):
                    fault.seen += 1
                    if fault.seen <= fault.skip:
                        continue
                    fault.hits += 1
                    return fault
        return None

    @staticmethod
    def _fail(fault: Fault, environ: dict, start_response: Callable) -> Any:
        in_process = environ.get("werkzeug.socket") is None
        if fault.action == "timeout":
            if in_process:
                raise EmulatedTimeout()
            time.sleep(fault.delay_s)  # the client has given up by now
        elif fault.action == "reset":
            if not in_process:
                raise RuntimeError("the stand-in drops connections in process only")
            raise EmulatedConnectionReset()
        return _odata_error(fault.status, f"fault injected by the Creatio stand-in ({fault.status})")(
            environ, start_response)

    # -- the Flask app ----------------------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("creatio_stand_in")

        @app.after_request
        def journal(response: Response) -> Response:
            self.journal.append({"method": request.method, "path": request.path, "query": request.args.to_dict(),
                                 "prefer": request.headers.get("Prefer"), "status": response.status_code})
            return response

        @app.post(LOGIN)
        def login() -> Response:
            body = request.get_json(silent=True) or {}
            user, password = body.get("UserName"), body.get("UserPassword")
            if not isinstance(user, str) or not user or self.users.get(user) != password:
                self.failed_logins += 1
                return jsonify({"Code": 1, "Message": "Invalid username or password specified.", "Exception": None,
                                "PasswordChangeUrl": None, "RedirectUrl": None})
            session, csrf = secrets.token_hex(16), secrets.token_urlsafe(16)
            with self._lock:
                self.sessions[session] = csrf
                self.logins += 1
            response = jsonify({"Code": 0, "Message": "", "Exception": None, "PasswordChangeUrl": None,
                                "RedirectUrl": None})
            response.set_cookie(".ASPXAUTH", session, httponly=True)
            response.set_cookie("BPMCSRF", csrf)
            response.set_cookie("BPMLOADER", secrets.token_hex(8), httponly=True)
            response.set_cookie("UserName", user)
            return response

        @app.post(TOKEN)
        def token() -> Response | tuple[Response, int]:
            self.token_requests += 1
            form = request.form
            if form.get("grant_type") != "client_credentials":
                return jsonify({"error": "unsupported_grant_type"}), 400
            client_id = form.get("client_id") or ""
            if not client_id or self.clients.get(client_id) != form.get("client_secret"):
                return jsonify({"error": "invalid_client"}), 400
            issued = secrets.token_urlsafe(24)
            with self._lock:
                self.tokens[issued] = self.clock() + self.token_lifetime_s
            return jsonify({"access_token": issued, "expires_in": self.token_lifetime_s, "token_type": "Bearer",
                            "scope": "ApplicationAccess"})

        @app.route(ODATA + "<path:segment>", methods=["GET", "POST", "PATCH", "DELETE"])
        def odata(segment: str) -> Response:
            refused = self._refuse_unauthenticated()
            if refused is not None:
                return refused
            if segment == "$batch":
                return self._batch()
            status, body = self.dispatch(request.method, segment, request.args.to_dict(),
                                         request.get_json(silent=True) if request.method in ("POST", "PATCH") else None)
            return _json(status, body)

        return app

    def _refuse_unauthenticated(self) -> Response | None:
        header = request.headers.get("Authorization", "")
        with self._lock:
            if header.startswith("Bearer "):
                expires = self.tokens.get(header.removeprefix("Bearer "))
                valid = expires is not None and self.clock() < expires
                return None if valid else _json(401, _error_body("The access token is invalid or has expired"))
            csrf = self.sessions.get(request.cookies.get(".ASPXAUTH", ""))
        if csrf is None:
            return _json(401, _error_body("Unauthorized: sign in first"))
        if request.headers.get("BPMCSRF") != csrf:
            return _json(401, _error_body("The CSRF token is missing or invalid"))
        return None

    def _batch(self) -> Response:
        body = request.get_json(silent=True)
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list):
            return _json(400, _error_body("The $batch body must be JSON with 'requests'"))
        if len(requests) > MAX_BATCH:
            return _json(400, _error_body(f"A $batch takes at most {MAX_BATCH} requests"))
        keep_going = "continue-on-error" in request.headers.get("Prefer", "")
        responses = []
        for item in requests:
            url = str(item.get("url", ""))
            segment = url.split(ODATA, 1)[-1].lstrip("/")
            segment, _, query = segment.partition("?")
            args = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
            status, answer = self.dispatch(str(item.get("method", "GET")).upper(), segment, args, item.get("body"))
            responses.append({"id": item.get("id"), "status": status,
                              "headers": {"Content-Type": "application/json; odata.metadata=minimal"},
                              "body": answer})
            if status >= 400 and not keep_going:
                break
        return _json(200, {"responses": responses})

    # -- OData ------------------------------------------------------------------------------------------
    def dispatch(self, method: str, segment: str, args: dict[str, str], body: Any) -> tuple[int, Any]:
        try:
            name, key = _segment(segment)
            entity = self.store.entity(name)
            if key is None and method == "GET":
                return 200, self._query(entity, args)
            if key is None and method == "POST":
                if not isinstance(body, dict):
                    raise QueryError("The request body must be a JSON object")
                return 201, self._project(entity, self.store.insert(name, body), None, {})
            if key is not None and method == "GET":
                row = self.store.get(name, key)
                return (200, self._project(entity, row, parse_select(args.get("$select")),
                                           parse_expand(args.get("$expand")))) if row else _not_found(name, key)
            if key is not None and method == "PATCH":
                self.store.update(name, key, body if isinstance(body, dict) else {})
                return 204, None
            if key is not None and method == "DELETE":
                self.store.delete(name, key)
                return 204, None
            return 405, _error_body(f"{method} is not supported on {segment}")
        except QueryError as exc:
            return 400, _error_body(str(exc))
        except NoSuchRow as exc:
            return _not_found(segment, exc.args[0] if exc.args else None)
        except DuplicateKey as exc:  # Creatio passes the database's refusal on as a 500
            return 500, _error_body(str(exc))

    def _query(self, entity: Entity, args: dict[str, str]) -> dict[str, Any]:
        unknown = [key for key in args if key.startswith("$") and key not in QUERY_OPTIONS]
        if unknown:
            raise QueryError(f"The query parameter '{unknown[0]}' is not supported")
        rows = self.store.all(entity.name)
        if args.get("$filter"):
            node = parse_filter(args["$filter"])
            kept = []
            for row in rows:
                result = evaluate(node, row, self._resolver(entity), case_insensitive=self.store.case_insensitive)
                if not isinstance(result, bool):
                    raise QueryError("The $filter expression must evaluate to a boolean")
                if result:
                    kept.append(row)
            rows = kept
        total = len(rows)
        for path, descending in reversed(parse_orderby(args.get("$orderby"))):
            resolve = self._resolver(entity)
            rows.sort(key=functools.partial(self._row_key, resolve, path), reverse=descending)
        skip, top = _count_option(args, "$skip", 0), _count_option(args, "$top", None)
        rows = rows[skip:skip + top if top is not None else None]
        select, expand = parse_select(args.get("$select")), parse_expand(args.get("$expand"))
        body: dict[str, Any] = {"@odata.context": f"{self.base_url}{ODATA}$metadata#{entity.name}",
                                "value": [self._project(entity, row, select, expand) for row in rows]}
        if args.get("$count") == "true":
            body["@odata.count"] = total
        return body

    def _row_key(self, resolve: Callable[[dict, str], Any], path: str, row: dict) -> tuple:
        return self._sort_key(resolve(row, path))

    def _sort_key(self, value: Any) -> tuple:
        if isinstance(value, str) and self.store.case_insensitive:
            value = value.lower()
        return (value is not None, str(value) if isinstance(value, uuid.UUID) else value)

    def _resolver(self, root: Entity) -> Callable[[dict, str], Any]:
        def resolve(row: dict, path: str) -> Any:
            entity, current = root, row
            *navigation, column = path.split("/")
            for step in navigation:
                if step not in entity.lookups:
                    raise QueryError(f"Could not find a navigation property named '{step}' on '{entity.name}'")
                lookup_column, target = entity.lookups[step]
                entity = ENTITIES[target]
                found = self.store.get(target, current[lookup_column])
                if found is None:
                    return None
                current = found
            if column not in entity.columns:
                raise QueryError(f"Could not find a property named '{column}' on type '{entity.name}'")
            return current[column]

        return resolve

    def _project(self, entity: Entity, row: dict, select: list[str] | None, expand: dict) -> dict[str, Any]:
        columns = select or list(entity.columns)
        for column in columns:
            if column not in entity.columns:
                raise QueryError(f"Could not find a property named '{column}' on type '{entity.name}'")
        projected = {column: wire(row[column]) for column in columns}
        for navigation, options in expand.items():
            if navigation not in entity.lookups:
                raise QueryError(f"Could not find a navigation property named '{navigation}' on '{entity.name}'")
            lookup_column, target = entity.lookups[navigation]
            found = self.store.get(target, row[lookup_column])
            projected[navigation] = (self._project(ENTITIES[target], found, options.select, options.expand)
                                     if found is not None else None)
        return projected


# -- helpers ---------------------------------------------------------------------------------------------
class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log: ``journal`` is the stand-in's log."""


def _segment(segment: str) -> tuple[str, uuid.UUID | None]:
    name, _, key = segment.partition("(")
    if not key:
        return name, None
    try:
        return name, uuid.UUID(key.rstrip(")"))
    except ValueError:
        raise QueryError(f"The key '{key.rstrip(')')}' is not a GUID") from None


def _count_option(args: dict[str, str], name: str, default: int | None) -> Any:
    if name not in args:
        return default
    try:
        value = int(args[name])
    except ValueError:
        raise QueryError(f"{name} must be a whole number") from None
    if value < 0:
        raise QueryError(f"{name} must not be negative")
    return value


def _error_body(message: str) -> dict[str, Any]:
    return {"error": {"code": "", "message": message}}


def _not_found(entity: str, key: Any) -> tuple[int, dict[str, Any]]:
    return 404, _error_body(f"No {entity} with Id {key}")


def _json(status: int, body: Any) -> Response:
    """An answer (no Flask app context needed: a fault answers before Flask)."""
    if body is None:
        return Response(status=status)
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _odata_error(status: int, message: str) -> Response:
    return _json(status, _error_body(message))


def _discard_start(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[[bytes], object]:
    """A start_response for an answer nobody reads (a fault replaces it)."""
    return lambda data: None
