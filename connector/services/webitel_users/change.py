"""Changing a Webitel user: its extension (in Webitel's user) and STUN (the user's phone setting).

Runs under the record's lock. Webitel is changed first, step by step; the record is committed last.
When a step or the commit fails, the Webitel steps already done are undone in reverse order.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import WebitelUser
from ...webitel import WebitelClient, WebitelConflict, WebitelError
from ..steps import OutcomeUnknown, Steps
from ..upstream import upstream_error
from .create import E_EXTENSION_CONFLICT, extension_taken
from .records import DEFAULT_LEASE_S, lock_active
from .stun import set_stun

log = logging.getLogger("connector.webitel_users")


def change_webitel_user(session: Session, webitel: WebitelClient, record_id: uuid.UUID, changes: dict[str, Any],
                        *, lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    record = lock_active(session, webitel, record_id, lease_s=lease_s)
    steps = Steps(f"change {record.webitel_username}")
    uid = record.webitel_user_id
    try:
        if "extension" in changes and (changes["extension"] or None) != record.extension:
            _change_extension(session, webitel, record, changes["extension"] or None, steps)
        if "stun_enabled" in changes and changes["stun_enabled"] != record.stun_enabled:
            old, new = record.stun_enabled, changes["stun_enabled"]
            steps.run("webitel.phone_settings", lambda: set_stun(webitel, uid, new),
                      undo=lambda: set_stun(webitel, uid, old))
            record.stun_enabled = new
    except (WebitelError, OutcomeUnknown) as exc:
        compensated = steps.compensate()  # still under the lock: no other change can slip in between
        session.rollback()
        original = exc.original if isinstance(exc, OutcomeUnknown) else exc
        if isinstance(original, WebitelConflict) and original.error_id == E_EXTENSION_CONFLICT:
            holder = _webitel_holder(webitel, changes["extension"])
            raise extension_taken(changes["extension"], holder, original.envelope()) from exc
        raise upstream_error(original, f"changing the Webitel user {record.webitel_username}",
                             steps=steps.as_list(), compensated=compensated,
                             outcome="unknown" if isinstance(exc, OutcomeUnknown) else "not_changed") from exc
    steps.commit(session, f"The change of {record.webitel_username} could not be saved")
    session.refresh(record)
    return record


def _change_extension(session: Session, webitel: WebitelClient, record: WebitelUser, extension: str | None,
                      steps: Steps) -> None:
    if extension:
        holder = session.scalar(select(WebitelUser.webitel_username)
                                .where(WebitelUser.extension == extension, WebitelUser.id != record.id))
        if holder is not None:
            session.rollback()
            raise extension_taken(extension, holder)
    old = record.extension
    record.extension = extension
    try:
        session.flush()  # the unique constraint speaks before Webitel is touched
    except IntegrityError:
        session.rollback()
        holder = session.scalar(select(WebitelUser.webitel_username).where(WebitelUser.extension == extension))
        raise extension_taken(extension or "", holder) from None
    uid = record.webitel_user_id
    steps.run("webitel.update_user", lambda: webitel.patch_user(uid, {"extension": extension or ""}),
              undo=lambda: webitel.patch_user(uid, {"extension": old or ""}),
              confirm=lambda: _has_extension(webitel, uid, extension))


def _has_extension(webitel: WebitelClient, uid: str, extension: str | None) -> dict | None:
    remote = webitel.get_user(uid)
    return remote if (remote.get("extension") or None) == extension else None


def _webitel_holder(webitel: WebitelClient, extension: str) -> str | None:
    try:
        holder = webitel.find_user_by_extension(extension)
    except WebitelError:
        return None
    return holder.get("username") if holder else None
