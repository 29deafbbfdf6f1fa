"""Deleting a Webitel user: the record is marked ``deleting`` (committed), the Webitel user is
deleted for good, then the record is removed.

The mark makes the operation durable: if the process dies or the final commit fails, the record says
the delete is under way, and the next call that touches it finishes it. If Webitel refuses or keeps
the user, the mark is taken back and nothing has changed.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ...errors import DatabaseUnavailable
from ...models import WebitelUserState
from ...webitel import WebitelClient, WebitelError, WebitelNotFound
from ..steps import OutcomeUnknown, Steps
from ..upstream import upstream_error
from .records import DEFAULT_LEASE_S, get_record, lock_active, set_state

log = logging.getLogger("connector.webitel_users")


def delete_webitel_user(session: Session, webitel: WebitelClient, record_id: uuid.UUID, *,
                        lease_s: float = DEFAULT_LEASE_S) -> None:
    record = lock_active(session, webitel, record_id, lease_s=lease_s)
    username, uid = record.webitel_username, record.webitel_user_id
    steps = Steps(f"delete {username}")
    set_state(record, WebitelUserState.DELETING)
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        raise DatabaseUnavailable(f"The connector's database failed; {username} was not deleted",
                                  steps=[{"step": "database.mark_deleting", "status": "failed"}]) from None
    steps.record("database.mark_deleting", "done")
    try:
        steps.run("webitel.delete_user", lambda: _delete(webitel, uid), confirm=lambda: _gone(webitel, uid))
    except OutcomeUnknown as exc:
        raise upstream_error(exc.original, f"deleting the Webitel user {username}", steps=steps.as_list(),
                             outcome="unknown") from exc
    except WebitelError as exc:
        compensated = _unmark(session, record_id, steps)
        raise upstream_error(exc, f"deleting the Webitel user {username}", steps=steps.as_list(),
                             compensated=compensated, outcome="not_deleted") from exc
    try:
        session.delete(get_record(session, record_id))
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        steps.record("database.delete", "failed")
        raise DatabaseUnavailable(f"{username} was deleted from Webitel, but its record could not be removed; "
                                  f"it stays marked as deleting and the next call that touches it removes it",
                                  steps=steps.as_list(), outcome="deleted_in_webitel") from None
    log.info("deleted Webitel user %s (id %s)", username, uid)


def _delete(webitel: WebitelClient, uid: str | None) -> bool:
    if uid:
        with contextlib.suppress(WebitelNotFound):  # already gone: what was wanted
            webitel.delete_user(uid)
    return True


def _gone(webitel: WebitelClient, uid: str | None) -> bool | None:
    return True if uid is None or webitel.find_user(uid) is None else None


def _unmark(session: Session, record_id: uuid.UUID, steps: Steps) -> bool:
    try:
        record = get_record(session, record_id)
        set_state(record, WebitelUserState.ACTIVE)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not take back the deleting mark of %s; the next call settles it", record_id)
        steps.record("database.mark_deleting", "compensation_failed")
        return False
    steps.record("database.mark_deleting", "compensated")
    return True
