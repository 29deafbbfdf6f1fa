"""A handle on a running emulator for test code: its Webitel API client and its control plane.

The same :class:`EmulatorHandle` drives an emulator in process (no sockets, through
:class:`~emulator.transport.EmulatorTransport`) or one on a real port, so a test does not care which.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .transport import EmulatorTransport

IN_PROCESS_URL = "http://webitel-emulator.invalid"


class EmulatorHandle:
    """``base_url`` is the Webitel API base (``.../api``); ``token`` the seeded admin token of the
    first domain; ``client`` an ``httpx.Client`` on the API with that token."""

    def __init__(self, app: Flask, root_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self.app = app
        self.emulator = app.extensions["webitel_emulator"]
        self.root_url = root_url.rstrip("/")
        self.base_url = f"{self.root_url}/api"
        self.transport = transport
        self._control = httpx.Client(base_url=f"{self.root_url}/__emulator__", transport=transport, timeout=10)
        self.client = self.api_client()
        self._start_seed = self.emulator.backend.seed_doc

    @property
    def token(self) -> str:
        return next(iter(self.emulator.admin_tokens().values()))

    def tokens(self) -> dict[str, str]:
        """Admin tokens by domain name."""
        return self.emulator.admin_tokens()

    def api_client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """A new client of the Webitel API, authenticated with ``token`` (default: the admin's)."""
        headers = {"X-Webitel-Access": token or self.token, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base_url, transport=self.transport, headers=headers,
                            timeout=kwargs.pop("timeout", 10), **kwargs)

    # -- control plane --------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._control.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._call("POST", "/reset")
        self.client.headers["X-Webitel-Access"] = self.token

    def fresh(self) -> None:
        """Back to the seed this emulator started with: a reset, or a reload when a test seeded
        another one (a reset alone would keep that seed for the next test). A request the previous
        test left held by a delay fault lands first, so that it cannot change this test's world."""
        self.wait_settled()
        if self._start_seed is not None and self.emulator.backend.seed_doc != self._start_seed:
            self.seed(self._start_seed)
        else:
            self.reset()

    def seed(self, doc: dict) -> dict:
        result = self._call("POST", "/seed", json=doc)
        self.client.headers["X-Webitel-Access"] = self.token
        return result

    def state(self) -> dict:
        return self._call("GET", "/state")

    def state_pages(self, domain: str, section: str, size: int = 1000) -> Iterator[dict]:
        """Every page of one domain's section (``GET /__emulator__/state?domain=&section=&page=&size=``),
        the first to the last; each holds the emulator's lock only for its own records."""
        page = 1
        while True:
            params = {"domain": domain, "section": section, "page": page, "size": size}
            body = self._call("GET", "/state", params=params)
            yield body
            if not body["next"]:
                return
            page += 1

    def snapshot(self) -> bytes:
        """The whole state as a snapshot file (``GET /__emulator__/snapshot``)."""
        response = self._control.get("/snapshot")
        response.raise_for_status()
        return response.content

    def load_snapshot(self, data: bytes) -> dict:
        """Replace the state (and what a reset returns to) with a snapshot file's."""
        result = self._call("PUT", "/snapshot", content=data)
        self.client.headers["X-Webitel-Access"] = self.token
        return result

    def add_fault(self, **rule: Any) -> dict:
        return self._call("POST", "/faults", json=rule)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def requests(self, limit: int | None = None) -> list[dict]:
        return self._call("GET", "/requests", params={"limit": limit} if limit else None)["items"]

    def in_flight(self) -> int:
        """How many API requests the emulator is serving now."""
        return self._call("GET", "/requests", params={"limit": 1})["in_flight"]

    def wait_settled(self, timeout_s: float = 30) -> None:
        """Until no request is being served: every late request (held by a delay fault) has landed."""
        deadline = time.monotonic() + timeout_s
        while self.in_flight():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the emulator still serves requests after {timeout_s} s")
            time.sleep(0.02)

    def set_presence(self, user_id: str | int, status: str) -> dict:
        return self._call("POST", f"/presence/{user_id}", json={"status": status})

    # -- simulated calls and the clock ----------------------------------------------------------
    def add_call(self, queue_id: str | int, from_: str | None = None, bucket_id: str | int | None = None) -> dict:
        """An inbound call enters the queue: ``{"id", "state", "agent"?}``."""
        body: dict[str, Any] = {"queue_id": str(queue_id)}
        if from_ is not None:
            body["from"] = from_
        if bucket_id is not None:
            body["bucket_id"] = str(bucket_id)
        return self._call("POST", "/calls", json=body)

    def calls(self) -> list[dict]:
        return self._call("GET", "/calls")["items"]

    def call(self, call_id: str | int) -> dict:
        return self._call("GET", f"/calls/{call_id}")

    def answer(self, call_id: str | int) -> dict:
        return self._call("POST", f"/calls/{call_id}/answer")

    def miss(self, call_id: str | int) -> dict:
        return self._call("POST", f"/calls/{call_id}/miss")

    def hangup(self, call_id: str | int) -> dict:
        return self._call("POST", f"/calls/{call_id}/hangup")

    def advance_clock(self, seconds: float) -> int:
        """Move the emulator's clock forward; the new time (unix ms)."""
        return int(self._call("POST", "/clock", json={"advance_s": seconds})["clock_ms"])

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any control-plane call, answered as is (for paths without a helper here)."""
        return self._control.request(method, path, **kwargs)

    def close(self) -> None:
        self.client.close()
        self._control.close()


def in_process(seed: dict | None = None) -> EmulatorHandle:
    app = create_app(seed)
    return EmulatorHandle(app, IN_PROCESS_URL, EmulatorTransport(app))


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log on stderr: ``GET /__emulator__/requests`` is the emulator's log."""


class ServedEmulator:
    """The emulator on a real local port, served by a threaded WSGI server in a daemon thread."""

    def __init__(self, seed: dict | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = create_app(seed)
        self.server: BaseWSGIServer = make_server(host, port, self.app, threaded=True,
                                                   request_handler=_QuietHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="webitel-emulator", daemon=True)
        self.thread.start()
        self.handle = EmulatorHandle(self.app, f"http://{host}:{self.server.port}")

    def stop(self) -> None:
        self.handle.close()
        self.server.shutdown()
        self.thread.join(timeout=5)
