"""While an import runs, Python's cyclic garbage collector runs less often.

An import makes and drops millions of short-lived objects (parsed pages, rows, views) while the
process holds many long-lived ones (the call center it read, SQLAlchemy's mappers). At the default
thresholds the collector walks them thousands of times: a fifth of a 100,000-user import (``bench/``
measures it). Reference counting frees those objects anyway; the collector is only for cycles, so
during an import it runs after 20,000 allocations instead of 700 (at 50,000 the cycles waiting for it
took the peak of a 100,000-user import from 217 MB to 288 MB; at 20,000, 243 MB, and as fast). The
thresholds are the process's, so they are raised while any import in this process runs and put back
when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

IMPORT_THRESHOLDS = (20_000, 20, 100)

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*IMPORT_THRESHOLDS)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
