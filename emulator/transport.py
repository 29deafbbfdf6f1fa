"""An httpx transport that calls the emulator in process (no sockets), with faults made real.

``httpx.Client(transport=EmulatorTransport(app))`` behaves like a client of a Webitel server:
a ``timeout`` fault raises ``httpx.ReadTimeout`` and a ``reset`` fault ``httpx.RemoteProtocolError``,
exactly what the same client sees from a real server on a socket.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx

from .control.middleware import EmulatedConnectionReset, EmulatedTimeout

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class EmulatorTransport(httpx.WSGITransport):
    def __init__(self, app: WSGIApplication, **kwargs: Any) -> None:
        self._local = threading.local()
        self._target = app
        super().__init__(app=self._with_timeout, **kwargs)

    def _with_timeout(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        read_timeout = getattr(self._local, "read_timeout", None)
        if read_timeout is not None:
            environ["emulator.read_timeout"] = read_timeout
        return self._target(environ, start_response)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._local.read_timeout = (request.extensions.get("timeout") or {}).get("read")
        try:
            return super().handle_request(request)
        except EmulatedTimeout:
            raise httpx.ReadTimeout("timed out (emulated)", request=request) from None
        except EmulatedConnectionReset:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                            request=request) from None
