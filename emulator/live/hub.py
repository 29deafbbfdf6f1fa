"""The open sockets, what each subscribed to, and the delivery of each domain's changes to them.

Lock order: the hub's lock, then the backend's. A socket's action runs under the backend's lock
alone and then flushes, so a change is delivered after the reply to the action that made it.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..callcenter.agents import Agents
from ..state import Backend, World
from .events import HANGUP, RINGING, AgentStatusChange, CallChange, LiveEvents
from .wire import agent_status, call_event

log = logging.getLogger("emulator.live")


@dataclass(eq=False)
class Connection:
    """One socket. ``send`` writes one text message (thread-safe); ``close`` ends the socket."""

    send_text: Callable[[str], None]
    close: Callable[[], None]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    token: str = ""
    user_id: int = 0
    domain_id: int = 0
    calls: bool = False  # subscribe_call
    agents: set[int] = field(default_factory=set)  # cc_agent_subscribe_status
    known_calls: dict[int, str] = field(default_factory=dict)  # call id -> the last event sent
    seq: int = 0  # events sent (the engine numbers every socket's events from 0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def authenticated(self) -> bool:
        return bool(self.token)

    def send(self, message: dict) -> None:
        """A reply or an event (events carry the socket's own sequence number)."""
        with self.lock:
            if "event" in message:
                message = {**message, "seq": self.seq}
                self.seq += 1
            try:
                self.send_text(json.dumps(message, separators=(",", ":")))
            except Exception:  # the peer went away: its reader ends the connection
                log.debug("socket %s: send failed", self.id, exc_info=True)

    def event(self, name: str, data: dict) -> None:
        self.send({"event": name, "data": data})


class Hub:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.connections: set[Connection] = set()
        self.lock = threading.RLock()  # re-entered by an action's flush
        self._world: World | None = None

    def add(self, conn: Connection) -> None:
        with self.lock:
            self.connections.add(conn)

    def remove(self, conn: Connection) -> None:
        with self.lock:
            self.connections.discard(conn)

    def close_all(self) -> None:
        """Close every socket (the server is stopping). Never waits on the hub's lock: it runs from a
        signal handler, which may have interrupted a thread holding it."""
        for conn in list(self.connections):
            conn.close()

    def tick(self, conn: Connection) -> None:
        """Run the timers of the socket's domain that fell due (a call ringing out, a wrap-up ending)
        and deliver what they changed, so that a panel hears of them without sending anything. A
        timer's effect is dated when it fell due, so running it now or at the next request is the same."""
        with self.lock:
            with self.backend.lock:
                domain = self.backend.world.domains.get(conn.domain_id)
                if domain is not None:
                    domain.emit("catch_up")
            self.flush()

    def flush(self) -> None:
        """Deliver every domain's changes since the last flush to the sockets that subscribed to them.
        A reset or a new seed replaces the world the sockets signed in to: they are closed."""
        with self.lock:
            with self.backend.lock:
                world = self.backend.world
                replaced = self._world is not None and world is not self._world
                self._world = world
                changes = {d.id: d.store(LiveEvents).drain() for d in world.domains.values()}
                if replaced:
                    closing, self.connections = self.connections, set()
                    changes = {}
                else:
                    closing = set()
                    outbox = self._render(world, changes) if self.connections else []
            for conn in closing:
                conn.close()
            if not replaced:
                for conn, name, data in outbox:
                    conn.event(name, data)

    def _render(self, world: World, changes: dict[int, list]) -> list[tuple[Connection, str, dict]]:
        out: list[tuple[Connection, str, dict]] = []
        for domain_id, pending in changes.items():
            listeners = [c for c in self.connections if c.domain_id == domain_id and c.authenticated]
            if not pending or not listeners:
                continue
            domain = world.domains[domain_id]
            agents = domain.store(Agents)
            for change in pending:
                if isinstance(change, AgentStatusChange):
                    agent = agents.find(change.agent_id)
                    if agent is None:
                        continue
                    data = agent_status(agent, change.status, change.payload, change.at)
                    out += [(c, "agent_status", data) for c in listeners if change.agent_id in c.agents]
                else:
                    for conn in listeners:
                        if conn.calls and conn.user_id == change.user_id:
                            out += [(conn, "call", body) for body in _call_events(conn, domain_id, change)]
        return out


def _call_events(conn: Connection, domain_id: int, change: CallChange) -> list[dict]:
    """What the socket's phone shows for the change: a call it has not seen rings first; a
    hangup of a call it never saw is nothing to it."""
    seen = conn.known_calls.get(change.call_id)
    if seen is None and change.event == HANGUP:
        return []
    out = []
    if seen is None and change.event != RINGING:
        out.append(call_event(domain_id, change.call_id, change.user_id, RINGING, change.at, change.info))
    out.append(call_event(domain_id, change.call_id, change.user_id, change.event, change.at, change.data))
    if change.event == HANGUP:
        conn.known_calls.pop(change.call_id, None)
    else:
        conn.known_calls[change.call_id] = change.event
    return out

