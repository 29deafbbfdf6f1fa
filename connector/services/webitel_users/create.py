"""Creating a Webitel user for a Creatio system user.

1. Check the rules locally (an active system user, one Webitel user each, a free extension).
2. Reserve: commit a ``creating`` record. The database's unique constraints decide between
   concurrent creates (same user, same extension) before Webitel is called.
3. Create the user in Webitel, with a default SIP device whose password Webitel generates, and a
   login password made here with ``secrets`` that goes only into that request's body.
4. Finish: the record becomes ``active`` with Webitel's ids.

A failure undoes what was done: a refused create drops the reservation; a lost answer is settled by
looking the user up (created: finish; not created: drop); a failed final commit deletes the new
Webitel user again. The error names each step and what happened to it.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid

from sqlalchemy import Row, bindparam, delete, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from ...db import insert_row, update_row
from ...errors import BusinessRuleError, Conflict, DatabaseUnavailable
from ...models import Contact, SysAdminUnit, WebitelUser, WebitelUserState
from ...webitel import WebitelClient, WebitelConflict, WebitelError
from ..steps import OutcomeUnknown, Steps
from ..upstream import upstream_error
from .records import (
    DEFAULT_LEASE_S,
    RECORD_MARK,
    find_own_user,
    is_stale,
    remote_columns,
    settle,
    state_change,
    sync_licenses,
    sync_roles,
)

log = logging.getLogger("connector.webitel_users")

WEBITEL_USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")  # what Webitel accepts as a username
E_USERNAME_CONFLICT = "app.user.conflict.error"
E_EXTENSION_CONFLICT = "app.user.extension.conflict.error"

# Everything a create checks before its reservation, in one query (it runs on every create): the
# system user with its contact (the answer shows both), and each record that already has this user
# or this extension. A null extension matches no record. The contact's account is not needed.
_LOOK_UP = (select(SysAdminUnit, WebitelUser.id.label("record_id"), WebitelUser.system_user_id.label("holder_id"),
                   WebitelUser.webitel_username.label("holder"))
            .options(joinedload(SysAdminUnit.contact).lazyload(Contact.account))
            .outerjoin(WebitelUser, or_(WebitelUser.system_user_id == SysAdminUnit.id,
                                        WebitelUser.extension == bindparam("extension")))
            .where(SysAdminUnit.id == bindparam("user_id")))


def create_webitel_user(session: Session, webitel: WebitelClient, *, user_id: uuid.UUID,
                        extension: str | None = None, lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    rows = session.execute(_LOOK_UP, {"user_id": user_id, "extension": extension}).all()
    system_user = _creatio_user(rows[0].SysAdminUnit if rows else None, user_id)
    _check_free(session, webitel, system_user, [row for row in rows if row.record_id is not None], extension,
                lease_s)
    record = _reserve(session, system_user, extension)
    steps = Steps(f"create {record.webitel_username}")
    steps.record("database.reserve", "done")
    remote = _create_in_webitel(session, webitel, record, steps)
    try:
        update_row(session, record, **remote_columns(remote), **state_change(WebitelUserState.ACTIVE))
        # Licenses and roles Webitel reports for the new user (normally none: none were sent), in
        # the same transaction.
        sync_licenses(record, remote)
        sync_roles(record, remote)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        steps.record("database.commit", "failed")
        undone = _undo_webitel_create(session, webitel, record.id, remote, steps)
        outcome = ("it was deleted from Webitel again" if undone
                   else "deleting it from Webitel failed too; the next call that touches the record settles it")
        raise DatabaseUnavailable(f"The Webitel user {record.webitel_username} was created in Webitel but could "
                                  f"not be saved: {outcome}", steps=steps.as_list(), compensated=undone,
                                  outcome="not_created" if undone else "unknown") from None
    log.info("created Webitel user %s (id %s)", record.webitel_username, record.webitel_user_id)
    return record


def _creatio_user(system_user: SysAdminUnit | None, user_id: uuid.UUID) -> SysAdminUnit:
    if system_user is None:
        raise BusinessRuleError(f"No Creatio system user with id {user_id}", code="not_a_creatio_user",
                                fields={"user_id": ["not a Creatio system user"]})
    if not system_user.active:
        raise BusinessRuleError(f"The Creatio user {system_user.name} is not active", code="not_a_creatio_user",
                                fields={"user_id": ["the Creatio user is not active"]})
    if not WEBITEL_USERNAME.match(system_user.name):
        raise BusinessRuleError(f"The login {system_user.name!r} cannot be a Webitel username (only letters, digits, "
                                f"'.', '_' and '-')", code="username_not_allowed",
                                fields={"user_id": ["the login is not a valid Webitel username"]})
    return system_user


def _check_free(session: Session, webitel: WebitelClient, system_user: SysAdminUnit, holders: list[Row],
                extension: str | None, lease_s: float) -> None:
    """The rules on the records the look-up found; the full record is loaded only when the user
    already has one."""
    own = next((row for row in holders if row.holder_id == system_user.id), None)
    if own is not None:
        existing = session.get(WebitelUser, own.record_id)
        if existing is not None and existing.state != WebitelUserState.ACTIVE and is_stale(existing, lease_s):
            try:
                existing = settle(session, webitel, existing)
            except WebitelError as exc:
                raise upstream_error(exc, f"settling the earlier create of {existing.webitel_username}") from exc
        if existing is not None:
            raise already_exists(system_user, existing)
        holders = [row for row in holders if row is not own]
    if extension and holders:
        raise extension_taken(extension, holders[0].holder)


def already_exists(system_user: SysAdminUnit, existing: WebitelUser) -> Conflict:
    return Conflict(f"The Creatio user {system_user.name} already has a Webitel user", code="already_exists",
                    fields={"user_id": ["already has a Webitel user"]}, existing={"id": str(existing.id)})


def extension_taken(extension: str, holder: str | None, webitel: dict | None = None) -> Conflict:
    message = (f"Extension {extension} already belongs to {holder}" if holder
               else f"Extension {extension} is already registered in Webitel")
    return Conflict(message, code="extension_taken", fields={"extension": [message]}, webitel=webitel)


def _reserve(session: Session, system_user: SysAdminUnit, extension: str | None) -> WebitelUser:
    # The user and contact loaded by the look-up are the answer's; a new record's details are known
    # to be empty. Saying so spares lazy loads later.
    record = WebitelUser(system_user_id=system_user.id, contact_id=system_user.contact_id,
                         system_user=system_user, contact=system_user.contact,
                         webitel_username=system_user.name, extension=extension or None,
                         state=WebitelUserState.CREATING, licenses=[], roles=[], skills=[])
    try:
        insert_row(session, record)
        session.commit()
    except IntegrityError:  # a concurrent create got there first: say which rule it broke
        session.rollback()
        existing = session.scalar(select(WebitelUser).where(WebitelUser.system_user_id == system_user.id))
        if existing is not None:
            raise already_exists(system_user, existing) from None
        holder = session.scalar(select(WebitelUser.webitel_username).where(WebitelUser.extension == extension))
        raise extension_taken(extension or "", holder) from None
    except SQLAlchemyError:
        session.rollback()
        raise DatabaseUnavailable("The connector's database failed; nothing was created",
                                  steps=[{"step": "database.reserve", "status": "failed"}]) from None
    return record


def _create_in_webitel(session: Session, webitel: WebitelClient, record: WebitelUser, steps: Steps) -> dict | None:
    body = {"username": record.webitel_username, "name": record.contact.name,
            # The user's own login password: random, sent only here, never stored, logged or returned.
            "password": secrets.token_urlsafe(24),
            "profile": {RECORD_MARK: str(record.id)}}
    if record.extension:
        body["extension"] = record.extension
    action = f"creating the Webitel user {record.webitel_username}"
    try:
        return steps.run("webitel.create_user", lambda: webitel.create_user(body),
                         confirm=lambda: find_own_user(webitel, record))
    except WebitelConflict as exc:
        _drop_reservation(session, record.id, steps)
        raise _conflict(webitel, record, exc) from exc
    except OutcomeUnknown as exc:
        # The record stays "creating": the next call that touches it settles it.
        raise upstream_error(exc.original, action, steps=steps.as_list(), outcome="unknown") from exc
    except WebitelError as exc:
        _drop_reservation(session, record.id, steps)
        raise upstream_error(exc, action, steps=steps.as_list(), outcome="not_created") from exc


def _conflict(webitel: WebitelClient, record: WebitelUser, exc: WebitelConflict) -> Conflict:
    if exc.error_id == E_EXTENSION_CONFLICT and record.extension:
        holder = _quietly(lambda: webitel.find_user_by_extension(record.extension))
        return extension_taken(record.extension, holder.get("username") if holder else None, exc.envelope())
    if exc.error_id == E_USERNAME_CONFLICT:
        holder = _quietly(lambda: webitel.find_user_by_username(record.webitel_username))
        where = f" (Webitel user id {holder['id']})" if holder else ""
        message = (f"Webitel already has a user {record.webitel_username}{where}; link it to Creatio with the "
                   f"import (POST /api/v1/imports) instead of creating a new one")
        return Conflict(message, code="username_taken", fields={"user_id": [message]}, webitel=exc.envelope(),
                        existing={"webitel_user_id": str(holder["id"])} if holder else None,
                        hint="import")
    return Conflict(f"Webitel refused the user {record.webitel_username}: {exc.detail}", code="conflict",
                    webitel=exc.envelope())


def _quietly(lookup):
    """A look-up that only makes a message better: its failure must not hide the real error."""
    try:
        return lookup()
    except WebitelError:
        return None


def _undo_webitel_create(session: Session, webitel: WebitelClient, record_id: uuid.UUID, remote: dict,
                         steps: Steps) -> bool:
    try:
        webitel.delete_user(str(remote["id"]))
    except WebitelError:
        log.exception("could not delete Webitel user %s after a failed save", remote["id"])
        steps.record("webitel.create_user", "compensation_failed")
        return False  # the "creating" record stays, so that a later call settles it
    steps.record("webitel.create_user", "compensated")
    _drop_reservation(session, record_id, steps)
    return True


def _drop_reservation(session: Session, record_id: uuid.UUID, steps: Steps) -> None:
    try:
        session.execute(delete(WebitelUser).where(WebitelUser.id == record_id))
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not drop the reservation %s; a later call settles it", record_id)
        steps.record("database.reserve", "compensation_failed")
    else:
        steps.record("database.reserve", "compensated")
