"""Reading every Webitel user as the import and the drift check need them: the users in pages, each
page with its users' STUN flags (``stun_reading``), read by a thread of its own ahead of the consumer,
so that a job takes about the longer of reading and writing, not their sum. The call center (agents
and skills) is read once by the caller (``call_center``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..models import utcnow
from ..webitel import WebitelClient
from ..webitel.calls import Call
from . import stun_reading

READ_AHEAD = 2  # pages read ahead of the consumer: memory stays bounded


@dataclass
class UserPage:
    users: list[dict]
    read_at: datetime  # when Webitel was read (a record changed after it is newer than this page)
    stuns: dict[str, bool | None] = field(default_factory=dict)  # empty when STUN is not read
    calls: list[Call] = field(default_factory=list)  # the STUN reads' Webitel calls


def user_pages(webitel: WebitelClient, *, page_size: int, with_stun: bool, concurrency: int,
               stun_of: Callable[[list[str]], list[str]] | None = None) -> Iterator[UserPage]:
    """Every Webitel user, a page at a time, with their STUN flags when ``with_stun`` (of the page's
    users ``stun_of`` picks, by default all of them; it runs in the reading thread)."""

    def pages() -> Iterator[UserPage]:
        for users in webitel.user_pages(size=page_size):
            page = UserPage(users, utcnow())
            if with_stun:
                uids = [str(user["id"]) for user in users]
                found = stun_reading.read_many(webitel, stun_of(uids) if stun_of else uids, concurrency=concurrency)
                page.stuns, page.calls = found.flags, found.calls
            yield page

    return ahead(pages(), depth=READ_AHEAD)


def count_users(webitel: WebitelClient) -> int:
    """How many users Webitel has (ids only, large pages: cheap beside the job's own reading)."""
    return sum(len(page) for page in webitel.user_pages(size=1000, fields=["id"]))


def ahead(pages: Iterator[UserPage], *, depth: int) -> Iterator[UserPage]:
    """``pages`` read by a thread of their own, at most ``depth`` ahead of the consumer; an error of
    the reader is raised to the consumer."""
    found: queue.Queue[UserPage | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        found.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            found.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            found.put(exc)

    reader = threading.Thread(target=read, name="webitel-reader", daemon=True)
    reader.start()
    try:
        while (item := found.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=5)
