"""Snapshots: the whole Webitel state in a file, and back (``GET|PUT /__emulator__/snapshot``,
``webitel-emulator --snapshot FILE``), so that a QA run can start from a recorded world.

A snapshot file is a text header and the pickled world::

    webitel-emulator-snapshot 1
    {"clock_ms": ..., "sha256": ..., "bytes": ..., "domains": [...]}
    <the world, pickled>

The world is what a reset restores: domains with every service's records, sessions and tokens,
id sequences and the clock. Fault rules and the request journal are not part of it. Loading makes
the snapshot the state a reset returns to, and the clock resumes from the moment of the export.

Reading is guarded: the digest must match, and unpickling may make only the emulator's own
records and stores and a few plain containers (the ``find_class`` restriction of Python's pickle
documentation: the classes defined in the state's and the services' modules, never a function),
so a file cannot run code. A loaded world must then dump whole, which catches a
file that is well formed but not the emulator's.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..state import Clock, World, gc_paused

if TYPE_CHECKING:
    from ..state import Backend

MAGIC = b"webitel-emulator-snapshot"
VERSION = 1
E_INVALID = "emulator.snapshot.invalid"
CONTENT_TYPE = "application/vnd.webitel-emulator.snapshot"
# Modules whose classes a snapshot may hold: the state and every service's records and stores (the
# live events' store among them: it pickles with nothing pending).
_MODULES = ("emulator.state", "emulator.store", "emulator.live.events")
_PACKAGES = ("emulator.directory.", "emulator.callcenter.")
_PLAIN = {("builtins", "set"), ("builtins", "frozenset"), ("builtins", "list"), ("builtins", "dict"),
          ("builtins", "int"), ("builtins", "bytearray"), ("collections", "deque"),
          ("collections", "OrderedDict"), ("collections", "defaultdict")}


class SnapshotError(ValueError):
    """A file that is not an emulator snapshot, or not one this emulator can load."""


def copy_world(backend: Backend) -> World:
    """A private copy of the live world. The lock is held only while the world is pickled (C
    speed); whatever is then done with the copy (a dump, a snapshot's header) no longer stops
    other requests."""
    with gc_paused():
        with backend.lock:
            payload = pickle.dumps(backend.world, protocol=pickle.HIGHEST_PROTOCOL)
        return pickle.loads(payload)


def export(backend: Backend) -> bytes:
    """The live world as a snapshot file."""
    with gc_paused(), backend.lock:
        payload = pickle.dumps(backend.world, protocol=pickle.HIGHEST_PROTOCOL)
        clock_ms = backend.world.clock.now_ms()
        domains = [d.name for d in backend.world.domains.values()]
    header = {"clock_ms": clock_ms, "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload),
              "domains": domains, "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    return b"%s %d\n%s\n%s" % (MAGIC, VERSION, json.dumps(header).encode(), payload)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module in _MODULES or module.startswith(_PACKAGES):
            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and found.__module__ == module:  # a class of the model, no function
                return found
        raise SnapshotError(f"the world holds {module}.{name}, which a snapshot may not")


def read(data: bytes) -> tuple[World, bytes]:
    """The world in a snapshot file, and its pickled form (what a reset goes back to)."""
    first, _, rest = data.partition(b"\n")
    magic, _, version = first.partition(b" ")
    if magic != MAGIC:
        raise SnapshotError("not an emulator snapshot (it must begin with 'webitel-emulator-snapshot')")
    if version != str(VERSION).encode():
        raise SnapshotError(f"snapshot format {version.decode(errors='replace')!r}; this emulator reads {VERSION}")
    line, _, payload = rest.partition(b"\n")
    try:
        header = json.loads(line)
        digest, clock_ms = header["sha256"], header["clock_ms"]
    except (ValueError, KeyError, TypeError):
        raise SnapshotError("the snapshot's header is not its JSON line") from None
    if hashlib.sha256(payload).hexdigest() != digest:
        raise SnapshotError("the snapshot is damaged: its content does not match its sha256")
    if isinstance(clock_ms, bool) or not isinstance(clock_ms, int):
        raise SnapshotError("the snapshot's header has no clock_ms")
    with gc_paused():  # a world of many objects is made, walked and pickled again
        return _world(payload, clock_ms)


def _world(payload: bytes, clock_ms: int) -> tuple[World, bytes]:
    try:
        world = _Unpickler(io.BytesIO(payload)).load()
    except SnapshotError:
        raise
    except Exception as exc:  # a well-digested file that is still not a world: any unpickling error
        raise SnapshotError(f"the snapshot cannot be read: {type(exc).__name__}: {exc}") from None
    if not isinstance(world, World):
        raise SnapshotError("the snapshot does not hold an emulator world")
    world.clock.offset_ms = clock_ms - Clock().now_ms()  # resume from the moment of the export
    try:
        for domain in world.domains.values():
            domain.dump()
    except Exception as exc:
        raise SnapshotError(f"the snapshot's world is not whole: {type(exc).__name__}: {exc}") from None
    return world, pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL)


def install_file(backend: Backend, path: str | Path) -> None:
    """Start from a snapshot file (``webitel-emulator --snapshot FILE``)."""
    backend.install(*read(Path(path).read_bytes()))


def load(backend: Backend, data: bytes) -> None:
    """Replace the live world (and what a reset returns to) with the snapshot's; a file that
    cannot be loaded changes nothing (400 ``emulator.snapshot.invalid``)."""
    try:
        world, payload = read(data)
    except SnapshotError as exc:
        raise bad_request(E_INVALID, f"snapshot: {exc}") from None
    backend.install(world, payload)
