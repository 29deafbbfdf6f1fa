"""The emulator's whole state: Webitel domains, sessions, id sequences and the clock.

One :class:`Backend` per emulator app. Every request runs under ``backend.lock`` against
``backend.world``; reset unpickles a snapshot of the seeded world, which keeps it well under a
millisecond for a demo-sized seed (measured in ``bench/bench_emulator.py``).

A :class:`Domain` knows no Webitel service: each service's store (``emulator.store.Store``) is
made on first use (``domain.store(Users)``), and services that must react to one another (a user
deleted while still an agent, a license revoked from an agent) do so through events
(``domain.emit``), so that no module of this package imports a service.
"""

from __future__ import annotations

import gc
import pickle
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import unauthenticated

if TYPE_CHECKING:
    from .store import Store

S = TypeVar("S", bound="Store")

# event name -> the stores (class, method name) that listen to it; filled by ``emulator.store.on``.
LISTENERS: dict[str, list[tuple[type, str]]] = {}
# Read-only views of a domain by attribute name (``domain.directory``), for white-box test code
# written against the emulator's first layout; filled by the services that offer them.
VIEWS: dict[str, Callable[[Domain], Any]] = {}
# Parts of GET /__emulator__/state: (order, key path such as "call_center.teams", function of a domain).
DUMPS: list[tuple[int, str, Callable[[Domain], Any]]] = []


def dump_section(key: str, order: int = 100) -> Callable[[Callable[[Domain], Any]], Callable[[Domain], Any]]:
    """Register a part of a domain's ``GET /__emulator__/state`` (no secrets in it)."""

    def register(fn: Callable[[Domain], Any]) -> Callable[[Domain], Any]:
        DUMPS.append((order, key, fn))
        return fn

    return register


# The list sections that grow with the world, as their rows and one row's dump, so that a page of
# ``GET /__emulator__/state?section=...`` renders only its own rows: key -> (rows, row's dump).
RECORD_DUMPS: dict[str, tuple[Callable[[Domain], Collection[Any]], Callable[[Domain, Any], Any]]] = {}


def dump_records(key: str, rows: Callable[[Domain], Collection[Any]],
                 order: int = 100) -> Callable[[Callable[[Domain, Any], Any]], Callable[[Domain, Any], Any]]:
    """Register a list part of a domain's dump by its rows and one row's dump (no secrets in it):
    the whole part is every row's dump, in the rows' order."""

    def register(fn: Callable[[Domain, Any], Any]) -> Callable[[Domain, Any], Any]:
        dump_section(key, order)(lambda domain: [fn(domain, row) for row in rows(domain)])
        RECORD_DUMPS[key] = (rows, fn)
        return fn

    return register


class Clock:
    """Wall-clock time plus an offset the control plane can advance (``POST /__emulator__/clock``)."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def advance(self, seconds: float) -> None:
        self.offset_ms += int(seconds * 1000)


@dataclass
class Session:
    """An access token and whom it authenticates. ``root`` is the domain's administrator."""

    token: str
    domain_id: int
    user_id: int
    root: bool = False
    expires_at: int | None = None  # unix ms; None = does not expire (admin and user access tokens)
    access_token_id: str | None = None  # set for tokens minted by POST /users/{id}/tokens


class Domain:
    """One Webitel domain (tenant): the stores of its services, made on first use."""

    def __init__(self, id: int, name: str, world: World) -> None:
        self.id = id
        self.name = name
        self.world = world
        self._stores: dict[type, Store] = {}
        self._listeners: dict[str, list[Callable[..., Any]]] = {}  # bound listeners by event (not pickled)

    def store(self, kind: type[S]) -> S:
        found = self._stores.get(kind)
        if found is None:
            found = self._stores[kind] = kind(self)
        return found  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        view = VIEWS.get(name)
        if view is None or name.startswith("_"):
            raise AttributeError(name)
        return view(self)

    def emit(self, event: str, *args: Any) -> None:
        """Tell every store that listens to ``event`` (they may refuse by raising a WebitelError)."""
        listeners = self._listeners.get(event)
        if listeners is None:
            listeners = self._listeners[event] = [getattr(self.store(kind), method)
                                                  for kind, method in LISTENERS.get(event, ())]
        for listener in listeners:
            listener(*args)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_listeners": {}}

    def now(self) -> int:
        return self.world.clock.now_ms()

    def dump(self) -> dict:
        """The domain for ``GET /__emulator__/state`` (secrets left out), each store under its key."""
        self.emit("catch_up")
        out: dict[str, Any] = {"id": str(self.id), "name": self.name}
        for _order, key, fn in sorted(DUMPS, key=lambda d: (d[0], d[1])):
            *parents, last = key.split(".")
            target = out
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = fn(self)
        return out


class World:
    """Everything a reset restores: domains, sessions, id sequences and the clock (picklable)."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.domains: dict[int, Domain] = {}
        self.sessions: dict[str, Session] = {}
        self._sequences: dict[str, int] = {}

    def next_id(self, kind: str) -> int:
        """Ids are global per kind, as Webitel's bigserial columns are."""
        self._sequences[kind] = self._sequences.get(kind, 0) + 1
        return self._sequences[kind]

    def add_domain(self, name: str) -> Domain:
        domain = Domain(self.next_id("domain"), name, self)
        self.domains[domain.id] = domain
        return domain

    def domain_by_name(self, name: str) -> Domain | None:
        return next((d for d in self.domains.values() if d.name.casefold() == name.casefold()), None)

    def open_session(self, domain: Domain, user_id: int, *, root: bool = False, token: str | None = None,
                     ttl_s: int | None = None, access_token_id: str | None = None) -> Session:
        session = Session(token=token or secrets.token_urlsafe(24), domain_id=domain.id, user_id=user_id,
                          root=root, access_token_id=access_token_id,
                          expires_at=self.clock.now_ms() + ttl_s * 1000 if ttl_s else None)
        self.sessions[session.token] = session
        return session

    def authenticate(self, token: str | None) -> tuple[Session, Domain]:
        session = self.sessions.get(token or "")
        if session is None:
            raise unauthenticated()
        if session.expires_at is not None and session.expires_at <= self.clock.now_ms():
            del self.sessions[session.token]
            raise unauthenticated("token expired")
        return session, self.domains[session.domain_id]

    def close_sessions(self, predicate: Callable[[Session], bool]) -> int:
        """End the sessions ``predicate`` picks; how many ended."""
        tokens = [t for t, s in self.sessions.items() if predicate(s)]
        for token in tokens:
            del self.sessions[token]
        return len(tokens)


class _GcPause:
    """No cyclic-GC pass while many long-lived objects are made at once (a seed built, a world
    pickled or unpickled): each pass would walk every object made so far, which at 100,000 users
    costs several times the work itself. Nested and concurrent pauses end with the last one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._was_enabled = gc.isenabled()
                gc.disable()
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()


gc_paused = _GcPause()


class Backend:
    """The live world behind one lock, and the seeded snapshot that reset goes back to."""

    def __init__(self, load: Callable[[dict], World]) -> None:
        self.lock = threading.RLock()
        self.world = World()
        self._load = load
        self._seed_doc: dict | None = None
        self._snapshot: bytes | None = None

    def load_seed(self, doc: dict) -> None:
        """Replace the world with the seed ``doc``; a seed that fails to load changes nothing."""
        with gc_paused():
            world = self._load(doc)
            snapshot = pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self.world, self._seed_doc, self._snapshot = world, doc, snapshot

    def install(self, world: World, snapshot: bytes) -> None:
        """Replace the world with one loaded from a snapshot (``snapshot``: it pickled, which a
        reset goes back to); the seed document is then unknown."""
        with self.lock:
            self.world, self._seed_doc, self._snapshot = world, None, snapshot

    def reset(self) -> None:
        """Back to the world right after the last seed (or snapshot)."""
        with self.lock:
            if self._snapshot is None:
                self.world = World()
                return
            with gc_paused():
                self.world = pickle.loads(self._snapshot)

    @property
    def seed_doc(self) -> dict | None:
        return self._seed_doc
