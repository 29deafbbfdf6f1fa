"""Reading many users' STUN settings, for the import and the drift check.

Webitel keeps STUN in the user's own settings (``GET /user/settings/phone``, the token's user only)
and has no admin read of another user's settings, nor a bulk one: each user's setting is read as
that user, with an access token minted for the read and deleted after it. That is three calls a
user (mint, read, delete), made ``concurrency`` users at a time.

Unlike a single change's STUN call (``webitel_users.stun``), a read here does not list the user's
tokens first to sweep old ones (a fourth call a user): a token this module may leave behind (its
mint's answer lost, or its delete failed) is noted for the reconciler's sweep instead
(``token_sweeps``), from the calls returned with the flags.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..webitel import WebitelClient, WebitelError
from ..webitel.calls import Call, recording

log = logging.getLogger("connector.stun")

CALLS_PER_USER = 3


@dataclass
class StunFlags:
    """Each user's STUN flag by Webitel user id (None: it could not be read), and the Webitel calls
    made to read them (whoever writes the page notes lost tokens from them)."""

    flags: dict[str, bool | None] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)


def read_one(webitel: WebitelClient, webitel_user_id: str) -> bool:
    """The user's STUN flag (False before the user's first save): mint, read, delete."""
    with webitel.as_user(webitel_user_id, sweep_first=False) as user:
        settings = user.phone_settings() or {}
    return bool(settings.get("webrtc")) and bool(settings.get("stun"))


def read_many(webitel: WebitelClient, uids: Sequence[str], *, concurrency: int) -> StunFlags:
    """The STUN flags of ``uids``, ``concurrency`` users at a time; a user whose read fails is None
    (the others go on)."""
    found = StunFlags()

    def read(uid: str) -> bool | None:
        with recording() as calls:  # each worker thread records its own calls
            try:
                return read_one(webitel, uid)
            except WebitelError as exc:
                log.warning("could not read the STUN of Webitel user %s: %s", uid, exc)
                return None
            finally:
                found.calls.extend(calls.calls)

    if not uids:
        return found
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="stun-read") as pool:
        found.flags = dict(zip(uids, pool.map(read, uids), strict=True))
    return found
