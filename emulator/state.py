"""The emulator's whole state: Webitel domains, sessions, id sequences and the clock.

One :class:`Backend` per emulator app. Every request runs under ``backend.lock`` against
``backend.world``; reset unpickles a snapshot of the seeded world, which keeps it well under a
millisecond for a demo-sized seed (measured in ``bench/bench_emulator.py``).
"""

from __future__ import annotations

import gc
import pickle
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import unauthenticated

if TYPE_CHECKING:
    from .callcenter.models import CallCenter
    from .directory.models import Directory


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


@dataclass
class Domain:
    id: int
    name: str
    world: World
    directory: Directory = field(init=False)
    call_center: CallCenter = field(init=False)

    def __post_init__(self) -> None:
        from .callcenter.models import CallCenter
        from .directory.models import Directory

        self.directory = Directory(self)
        self.call_center = CallCenter(self)

    # Rules that cross services meet here, so that the directory does not import the call center.
    def before_user_delete(self, user, permanent: bool) -> None:
        """Refuse (raise) a user delete that another service forbids: a user who is still an agent."""
        self.call_center.before_user_delete(user, permanent)

    def on_licenses_revoked(self, user, serials: set[str]) -> None:
        """React to licenses taken from a user: an agent without CALL_CENTER goes offline."""
        self.call_center.on_licenses_revoked(user, serials)

    def on_presence(self, user, status: str) -> None:
        """The user's phone registered (``sip``, ``web``) or went away (``""``)."""
        user.presence = status
        self.call_center.on_presence(user)

    def dump(self) -> dict:
        """The domain for ``GET /__emulator__/state`` (secrets left out)."""
        from .callcenter.serialize import Wire

        self.call_center.catch_up()
        return {"id": str(self.id), "name": self.name, **self.directory.dump(),
                "call_center": Wire(self.call_center).dump()}


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

    def close_sessions(self, predicate) -> None:
        for token in [t for t, s in self.sessions.items() if predicate(s)]:
            del self.sessions[token]


class Backend:
    """The live world behind one lock, and the seeded snapshot that reset goes back to."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.world = World()
        self._seed_doc: dict | None = None
        self._snapshot: bytes | None = None

    def load_seed(self, doc: dict) -> None:
        """Replace the world with the seed ``doc``; a seed that fails to load changes nothing."""
        from .seed import apply_seed, validate_seed

        validate_seed(doc)
        world = World()
        apply_seed(world, doc)
        snapshot = pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self.world, self._seed_doc, self._snapshot = world, doc, snapshot

    def reset(self) -> None:
        """Back to the world right after the last seed."""
        with self.lock:
            if self._snapshot is None:
                self.world = World()
                return
            # Unpickling makes many objects at once; a cyclic-GC pass in the middle of it would
            # cost more than the whole load, so collection waits until the world is rebuilt.
            enabled = gc.isenabled()
            gc.disable()
            try:
                self.world = pickle.loads(self._snapshot)
            finally:
                if enabled:
                    gc.enable()

    @property
    def seed_doc(self) -> dict | None:
        return self._seed_doc
