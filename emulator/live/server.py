"""``GET /ws/websocket``: Webitel's WebSocket on the emulator's own port, under gunicorn's threads or
Werkzeug's (simple-websocket takes the connection over from either). Every other request passes
through, and the changes it made are delivered to the sockets once it is answered.

Each open socket holds one of the server's threads for as long as it stays open (``--threads``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from simple_websocket import ConnectionClosed, Server  # type: ignore[import-untyped]

from ..api.wsgi import to_json
from ..errors import WebitelError, bad_request
from .hub import Connection, Hub
from .protocol import handle

log = logging.getLogger("emulator.live")

WS_PATH = "/ws/websocket"  # the engine's /websocket behind Webitel's /ws prefix (webitel-sdk endpoint + "/websocket")
AUTH_TIMEOUT_S = 20  # engine AUTH_TIMEOUT: a socket that does not sign in is closed
PING_INTERVAL_S = 54  # engine PING_PERIOD
MAX_MESSAGE_BYTES = 1 << 20
E_UPGRADE = "api.web_socket.upgrade.app_error"


def refuse(start_response: Callable, error: WebitelError) -> Iterable[bytes]:
    body = to_json(error.envelope())
    start_response(f"{error.code} {error.envelope()['status']}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class LiveSockets:
    """WSGI: the WebSocket at :data:`WS_PATH`, then ``app`` for everything else."""

    def __init__(self, app: Callable, hub: Hub) -> None:
        self.app, self.hub = app, hub

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ.get("PATH_INFO") == WS_PATH:
            return self.serve(environ, start_response)
        try:
            return self.app(environ, start_response)
        finally:
            try:
                self.hub.flush()
            except Exception:  # a socket's trouble never fails the request that caused the change
                log.exception("delivering events to the sockets failed")

    def serve(self, environ: dict, start_response: Callable) -> Any:
        if environ.get("REQUEST_METHOD") != "GET" or "websocket" not in environ.get("HTTP_UPGRADE", "").lower():
            return refuse(start_response, bad_request(
                E_UPGRADE, "websocket: the client is not using the websocket protocol: 'upgrade' token not found "
                           "in 'Connection' header"))
        if "gunicorn.socket" not in environ and "werkzeug.socket" not in environ:
            return refuse(start_response, WebitelError(
                501, "emulator.websocket.in_process", "the WebSocket needs the emulator on a real port"))
        try:
            ws = Server(environ, ping_interval=PING_INTERVAL_S, max_message_size=MAX_MESSAGE_BYTES)
        except Exception as exc:  # a handshake wsproto refuses (no Sec-WebSocket-Key, a bad version)
            return refuse(start_response, bad_request(E_UPGRADE, f"websocket: bad handshake: {exc}"))
        self.talk(ws)
        if ws.mode == "gunicorn":
            raise StopIteration()  # gunicorn: the connection is closed, nothing more to write
        start_response("200 OK", [])  # Werkzeug: the socket is closed already; this answer goes nowhere
        return []

    def talk(self, ws: Server) -> None:
        conn = Connection(send_text=ws.send, close=ws.close)
        self.hub.add(conn)
        opened = time.monotonic()
        try:
            while True:
                text = ws.receive(timeout=1)
                if text is None:  # a quiet second
                    if conn.authenticated:
                        self.hub.tick(conn)
                    elif time.monotonic() - opened > AUTH_TIMEOUT_S:
                        break
                    continue
                if isinstance(text, str):  # the engine skips binary frames
                    handle(self.hub, conn, text)
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("socket %s failed", conn.id)
        finally:
            self.hub.remove(conn)
            try:
                ws.close()
            except Exception:
                log.debug("socket %s: close failed", conn.id, exc_info=True)
