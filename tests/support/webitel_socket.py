"""A Python client of Webitel's WebSocket (``/ws/websocket``), as a CTI panel talks to it: requests
``{seq, action, data}`` answered by ``{status, seq_reply, ...}``, and events kept in arrival order
until a test waits for them."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from simple_websocket import Client, ConnectionClosed  # type: ignore[import-untyped]

WAIT_S = 10


class WebitelSocket:
    def __init__(self, root_url: str) -> None:
        self.ws = Client.connect(root_url.replace("http", "ws", 1) + "/ws/websocket?application_name=tests")
        self.seq = 0
        self.events: list[dict] = []

    def send(self, frame: Any) -> None:
        self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    def _next(self, deadline: float) -> dict:
        text = self.ws.receive(timeout=max(0.0, deadline - time.monotonic()))
        if text is None:
            raise TimeoutError("nothing came from the socket in time")
        return json.loads(text)

    def reply(self, seq: int) -> dict:
        """The reply to request ``seq``; events that come first are kept."""
        deadline = time.monotonic() + WAIT_S
        while True:
            message = self._next(deadline)
            if "event" in message:
                self.events.append(message)
            elif message.get("seq_reply", 0) == seq:
                return message

    def request(self, action: str, data: dict | None = None) -> dict:
        self.seq += 1
        self.send({"seq": self.seq, "action": action, **({"data": data} if data is not None else {})})
        return self.reply(self.seq)

    def ok(self, action: str, data: dict | None = None) -> dict:
        answer = self.request(action, data)
        assert answer["status"] == "OK", answer
        return answer.get("data", {})

    def error(self, action: str, data: dict | None = None) -> tuple[int, str]:
        answer = self.request(action, data)
        assert answer["status"] == "FAIL" and set(answer) == {"status", "seq_reply", "error"}, answer
        return answer["error"]["code"], answer["error"]["id"]

    def sign_in(self, token: str) -> dict:
        """``authentication_challenge`` and the ``hello`` event's data."""
        self.ok("authentication_challenge", {"token": token})
        return self.event("hello")["data"]

    def event(self, name: str, match: Callable[[dict], bool] = lambda data: True) -> dict:
        """The first event ``name`` (not taken yet) whose data ``match`` es, waiting for it."""
        deadline = time.monotonic() + WAIT_S
        while True:
            for i, message in enumerate(self.events):
                if message["event"] == name and match(message["data"]):
                    return self.events.pop(i)
            message = self._next(deadline)
            if "event" in message:
                self.events.append(message)

    def call_event(self, call_id: str, event: str) -> dict:
        """The call event ``event`` of call ``call_id`` (the ``call`` object of its data)."""
        return self.event("call", lambda d: d["call"]["id"] == call_id and d["call"]["event"] == event)["data"]["call"]

    def closed(self) -> bool:
        """The server closed the socket (waiting for that)."""
        deadline = time.monotonic() + WAIT_S
        try:
            while time.monotonic() < deadline:
                self.ws.receive(timeout=max(0.0, deadline - time.monotonic()))
        except ConnectionClosed:
            return True
        return False

    def close(self) -> None:
        with contextlib.suppress(ConnectionClosed):  # the server may have closed it first
            self.ws.close()
