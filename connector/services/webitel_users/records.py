"""Reading, locking and settling Webitel user records.

The per-user lock: every change of an existing record starts with an UPDATE of its row (``version``
bumped), held until the change commits. On PostgreSQL that is a row lock that works across gunicorn
workers and hosts; SQLite lets one writer in at a time. Two concurrent grants therefore run one
after the other, and the second reads the set the first wrote.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ...models import Contact, SysAdminUnit, WebitelUser, WebitelUserLicense, WebitelUserRole, WebitelUserState
from ...webitel import WebitelClient, WebitelError
from ..names import like_pattern
from ..paging import Page, paginate

log = logging.getLogger("connector.webitel_users")

# Marks the Webitel users the connector creates, so that a lost answer is never mistaken for
# someone else's user with the same username (which would be a silent adoption).
RECORD_MARK = "creatio_record_id"
DEFAULT_LEASE_S = 120.0  # longer than any one operation can run (timeouts x retries)


def get_record(session: Session, record_id: uuid.UUID) -> WebitelUser:
    record = session.get(WebitelUser, record_id)
    if record is None:
        raise NotFound(f"No Webitel user record with id {record_id}")
    return record


def read_record(session: Session, webitel: WebitelClient, record_id: uuid.UUID, *,
                lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    """The record; one left mid-operation past its lease is settled first (when Webitel answers:
    a read never fails because Webitel does not)."""
    record = get_record(session, record_id)
    if record.state != WebitelUserState.ACTIVE and is_stale(record, lease_s):
        try:
            settled = settle(session, webitel, record)
        except WebitelError:
            session.rollback()
            log.warning("could not settle %s now; it stays %s", record.webitel_username, record.state)
            return get_record(session, record_id)
        if settled is None:
            raise NotFound(f"No Webitel user record with id {record_id}")
    return record


def list_records(session: Session, *, page: int, size: int, q: str | None = None) -> Page:
    stmt = (select(WebitelUser).join(WebitelUser.system_user).join(WebitelUser.contact)
            .order_by(SysAdminUnit.name_key))
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(SysAdminUnit.name_key.like(pattern, escape="\\"),
                              Contact.name_key.like(pattern, escape="\\"),
                              WebitelUser.extension.like(f"%{q.strip()}%")))
    return paginate(session, stmt, page=page, size=size)


def lock_record(session: Session, record_id: uuid.UUID) -> WebitelUser:
    """The record, write-locked until the session commits or rolls back."""
    result = session.execute(update(WebitelUser).where(WebitelUser.id == record_id)
                             .values(version=WebitelUser.version + 1).execution_options(synchronize_session=False))
    if result.rowcount == 0:
        session.rollback()
        raise NotFound(f"No Webitel user record with id {record_id}")
    return session.execute(select(WebitelUser).where(WebitelUser.id == record_id)
                           .execution_options(populate_existing=True)).scalar_one()


def lock_active(session: Session, webitel: WebitelClient, record_id: uuid.UUID, *,
                lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    """The record locked for a change; an interrupted create or delete is settled first."""
    record = lock_record(session, record_id)
    if record.state == WebitelUserState.ACTIVE:
        return record
    if not is_stale(record, lease_s):
        session.rollback()
        raise Conflict(f"The Webitel user {record.webitel_username} is being {record.state.removesuffix('ing')}ed "
                       f"by another request; try again in a moment", code="operation_in_progress")
    if settle(session, webitel, record) is None:
        raise NotFound(f"No Webitel user record with id {record_id}")
    return lock_record(session, record_id)


def is_stale(record: WebitelUser, lease_s: float) -> bool:
    return record.state_since <= datetime.now(UTC) - timedelta(seconds=lease_s)


def state_change(state: WebitelUserState) -> dict:
    """The columns that put a record in ``state`` (and say since when)."""
    return {"state": state, "state_since": datetime.now(UTC)}


def set_state(record: WebitelUser, state: WebitelUserState) -> None:
    for key, value in state_change(state).items():
        setattr(record, key, value)


def settle(session: Session, webitel: WebitelClient, record: WebitelUser) -> WebitelUser | None:
    """Finish or undo the create or delete that left ``record`` in ``creating`` or ``deleting``,
    from what Webitel holds now. Returns the record when it is active, None when it is gone.
    Raises a Webitel error when Webitel cannot be asked (the mark stays for a later try)."""
    if record.state == WebitelUserState.CREATING:
        remote = find_own_user(webitel, record)
        if remote is None:
            log.info("settle: %s was never created in Webitel; dropping the reservation", record.webitel_username)
            return _drop(session, record)
        log.info("settle: %s exists in Webitel (id %s); finishing the create", record.webitel_username, remote["id"])
        fill_from_remote(record, remote)
        set_state(record, WebitelUserState.ACTIVE)
        session.commit()
        return record
    if record.state == WebitelUserState.DELETING:
        if record.webitel_user_id and webitel.find_user(record.webitel_user_id) is not None:
            log.info("settle: finishing the delete of %s in Webitel", record.webitel_username)
            webitel.delete_user(record.webitel_user_id)
        return _drop(session, record)
    return record


def find_own_user(webitel: WebitelClient, record: WebitelUser) -> dict | None:
    """The Webitel user this record's create made, if it exists (found by username, recognised by
    the connector's mark). A user with the username but without the mark is someone else's."""
    remote = webitel.find_user_by_username(record.webitel_username)
    if remote is None or (remote.get("profile") or {}).get(RECORD_MARK) != str(record.id):
        return None
    return remote


def _drop(session: Session, record: WebitelUser) -> None:
    session.delete(record)
    session.commit()
    return None


def fill_from_remote(record: WebitelUser, remote: dict) -> None:
    """Copy what Webitel decided (ids, default device, licenses, roles) onto the record."""
    for key, value in remote_columns(remote).items():
        setattr(record, key, value)
    sync_licenses(record, remote)
    sync_roles(record, remote)


def remote_columns(remote: dict) -> dict:
    """What Webitel decided about a user that the record keeps in its own columns: ids, default device."""
    device = remote.get("device") or {}
    return {"webitel_user_id": str(remote["id"]), "default_device_id": str(device["id"]) if device.get("id") else None,
            "default_device_name": device.get("name") or None}


def sync_licenses(record: WebitelUser, remote: dict) -> None:
    granted = {str(g["id"]): g.get("prod") or "" for g in remote.get("license") or [] if g.get("id")}
    if {lic.license_id for lic in record.licenses} == set(granted):
        return  # unchanged: the collection is not touched, so the flush has nothing to do for it
    record.licenses[:] = [lic for lic in record.licenses if lic.license_id in granted]
    have = {lic.license_id for lic in record.licenses}
    record.licenses.extend(WebitelUserLicense(license_id=serial, product=product)
                           for serial, product in granted.items() if serial not in have)


def sync_roles(record: WebitelUser, remote: dict) -> None:
    roles = {str(r["id"]): r.get("name") or "" for r in remote.get("roles") or [] if r.get("id")}
    for role in record.roles:
        if role.role_id in roles and roles[role.role_id] and role.name != roles[role.role_id]:
            role.name = roles[role.role_id]
    if {role.role_id for role in record.roles} == set(roles):
        return
    record.roles[:] = [role for role in record.roles if role.role_id in roles]
    have = {role.role_id for role in record.roles}
    record.roles.extend(WebitelUserRole(role_id=role_id, name=name)
                        for role_id, name in roles.items() if role_id not in have)
