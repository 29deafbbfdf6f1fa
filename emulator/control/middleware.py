"""WSGI middleware in front of the Webitel API: fault injection and the request journal.

It sits outside Flask so that a fault can hit any path (even one the emulator does not serve)
before routing, and so that a dropped connection never reaches Flask's error handling.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .journal import BODY_LIMIT, redact_body, redact_query

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from ..app import Emulator
    from .faults import FaultRule

API_PREFIX = "/api"


class EmulatedTimeout(Exception):
    """Raised in process for a ``timeout`` fault; the emulator's httpx transport turns it into
    ``httpx.ReadTimeout``."""


class EmulatedConnectionReset(Exception):
    """Raised in process for a ``reset`` fault; the transport turns it into ``httpx.RemoteProtocolError``."""


def _socket_of(environ: WSGIEnvironment) -> socket.socket | None:
    return environ.get("gunicorn.socket") or environ.get("werkzeug.socket")


def _drop_connection(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """Close the client's connection without an answer, or raise in process. The server's own
    write then fails on the closed socket, which servers treat as a client that went away."""
    sock = _socket_of(environ)
    if sock is None:
        raise EmulatedConnectionReset()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    start_response("500 Connection Dropped", [("Content-Length", "0")])
    return [b""]


REQUEST_ID_LIMIT = 200  # characters of X-Request-ID kept in the journal


class EmulatorMiddleware:
    """``resolve(environ)`` names the operation a request is for (used when a fault answers before
    the request reaches the operation's view, which names it itself)."""

    def __init__(self, app: WSGIApplication, api: WSGIApplication, emulator: Emulator,
                 resolve: Callable[[WSGIEnvironment], str | None]) -> None:
        self.app = app  # everything outside /api (the control plane, /metrics)
        self.api = api  # the Webitel API
        self.emulator = emulator
        self.resolve = resolve

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(API_PREFIX):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        started = time.perf_counter()
        body = b""
        length = environ.get("CONTENT_LENGTH")
        # Without a length (a DELETE with no body), read only a stream the server ends (chunked):
        # reading a keep-alive socket to its end would wait for the client to hang up.
        if method not in ("GET", "HEAD") and (length or environ.get("wsgi.input_terminated")):
            body = environ["wsgi.input"].read(int(length) if length else -1)
            environ["wsgi.input"] = io.BytesIO(body)
        entry: dict[str, Any] = {"at": self.emulator.backend.world.clock.now_ms(), "method": method, "path": path,
                                  "query": redact_query(environ.get("QUERY_STRING", ""))}
        request_id = environ.get("HTTP_X_REQUEST_ID")
        if request_id:
            entry["request_id"] = request_id[:REQUEST_ID_LIMIT]
        if body:
            entry["body"] = redact_body(body[:BODY_LIMIT])
        faults = self.emulator.faults
        self.emulator.journal.begin()  # ended by record() below, whatever happens
        try:
            rule = faults.pick(method, path, "before")
            if rule is not None:
                entry["fault"] = rule.id
                self.emulator.metrics.fault(self.resolve(environ), rule.action, "before")
                early = self._before(rule, environ, start_response, entry)
                if early is not None:
                    return early
            after = faults.pick(method, path, "after")
            status, headers, chunks = self._call(environ)
            if after is not None:
                entry["fault"] = after.id
                self.emulator.metrics.fault(environ.get("emulator.operation"), after.action, "after")
                if after.action == "delay":  # the answer is late, but it comes
                    self._delay(after.delay_ms, environ)
                else:
                    entry["applied"] = int(status.split(" ", 1)[0])
                    return self._fail(after, environ, start_response, entry)
            entry["status"] = int(status.split(" ", 1)[0])
            start_response(status, headers)
            return chunks
        finally:
            entry.setdefault("status", 0)
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            self.emulator.journal.record(entry)
            operation = environ.get("emulator.operation") or (self.resolve(environ) if "fault" in entry else None)
            self.emulator.metrics.request(operation, method, entry["status"])

    def _call(self, environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]],
                    exc_info: OptExcInfo | None = None) -> Callable[[bytes], object]:
            captured["status"], captured["headers"] = status, headers
            return written.append  # WSGI's write(): kept ahead of the returned body

        written: list[bytes] = []
        result = self.api(environ, capture)
        try:
            chunks = [b"".join([*written, *result])]
        finally:
            getattr(result, "close", lambda: None)()
        return captured["status"], captured["headers"], chunks

    def _before(self, rule: FaultRule, environ: WSGIEnvironment, start_response: StartResponse,
                entry: dict[str, Any]) -> list[bytes] | None:
        if rule.action == "delay":
            self._delay(rule.delay_ms, environ)
            return None
        return self._fail(rule, environ, start_response, entry)

    def _fail(self, rule: FaultRule, environ: WSGIEnvironment, start_response: StartResponse,
              entry: dict[str, Any]) -> list[bytes]:
        if rule.action == "error":
            error = rule.error()
            entry["status"] = error.code
            payload = json.dumps(error.envelope()).encode()
            start_response(f"{error.code} {error.envelope()['status']}",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        if rule.action == "timeout":
            if _socket_of(environ) is None:
                raise EmulatedTimeout()
            time.sleep(rule.delay_ms / 1000)  # the client has given up by now; then hang up
        entry["status"] = 0
        return _drop_connection(environ, start_response)

    @staticmethod
    def _delay(delay_ms: int, environ: WSGIEnvironment) -> None:
        """Answer late. In process, a delay at least as long as the client's read timeout
        (``emulator.read_timeout``, set by the emulator's transport) ends as that timeout at once."""
        read_timeout = environ.get("emulator.read_timeout")
        if _socket_of(environ) is None and read_timeout is not None and delay_ms / 1000 >= read_timeout:
            raise EmulatedTimeout()
        time.sleep(delay_ms / 1000)
