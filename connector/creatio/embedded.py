"""The embedded Creatio side: the connector's own tables ``sys_admin_unit``, ``contact`` and
``account`` (the demo's and the tests' Creatio). Answers plain records, as a remote Creatio would.
A write runs in a session of its own and commits; a read made while an API request is served runs in
that request's session (the store lives in the connector's database: one connection per request, not
two), elsewhere (an import, the CLI) in a session of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast

from sqlalchemy import Table, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..core.names import like_pattern, name_key, stored_length
from ..core.paging import paginate
from ..db import one_of
from ..errors import Conflict, NotFound, field_error
from ..models import Account as AccountRow
from ..models import Contact as ContactRow
from ..models import SysAdminUnit, utcnow
from .records import (
    Account,
    AccountRef,
    Contact,
    ContactCreated,
    ContactRef,
    NewContact,
    Page,
    SystemUser,
    SystemUserType,
)
from .rules import MAX_NAME, check_new_contacts, chunks, record_name, too_long

KEYS_PER_QUERY = 500  # bound parameters of one IN (...)
# Of the tables, not the mapped classes: a plain Core query skips the ORM's result machinery (every
# create asks it).
_USERS, _CONTACTS, _ACCOUNTS = (cast(Table, model.__table__) for model in (SysAdminUnit, ContactRow, AccountRow))
_USER_BY_ID = (select(_USERS.c.id, _USERS.c.name, _USERS.c.type_value, _USERS.c.active, _USERS.c.created_at,
                      _CONTACTS.c.id.label("contact_id"), _CONTACTS.c.name.label("contact_name"),
                      _ACCOUNTS.c.id.label("account_id"), _ACCOUNTS.c.name.label("account_name"))
               .join(_CONTACTS, _CONTACTS.c.id == _USERS.c.contact_id)
               .outerjoin(_ACCOUNTS, _ACCOUNTS.c.id == _CONTACTS.c.account_id)
               .where(_USERS.c.id == bindparam("user_id")))


class EmbeddedCreatio:
    kind = "embedded"
    is_live = False

    def __init__(self, sessions: sessionmaker[Session], *,
                 request_session: Callable[[], Session | None] | None = None) -> None:
        """``request_session`` gives the session of the API request being served (None outside one)."""
        self._sessions = sessions
        self._request_session = request_session

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        shared = self._request_session() if self._request_session is not None else None
        if shared is not None:
            yield shared
            return
        with self._sessions() as session:
            yield session

    # -- reads ----------------------------------------------------------------------------------
    def get_system_user(self, user_id: uuid.UUID) -> SystemUser | None:
        # One Core query of the columns the answer needs (every create asks): a plain row, no objects.
        with self._reading() as session:
            # On the session's connection: a Core query needs none of the session's ORM handling.
            row = session.connection().execute(_USER_BY_ID, {"user_id": user_id}).one_or_none()
        if row is None:
            return None
        return SystemUser(id=row.id, name=row.name, type=SystemUserType(row.type_value), active=row.active,
                          contact=ContactRef(row.contact_id, row.contact_name),
                          account=AccountRef(row.account_id, row.account_name) if row.account_id else None,
                          created_at=row.created_at)

    def list_system_users(self, *, page: int, size: int, q: str | None = None,
                          type: SystemUserType | None = None) -> Page[SystemUser]:
        stmt = select(SysAdminUnit).join(SysAdminUnit.contact).order_by(SysAdminUnit.name_key)
        if q:
            pattern = like_pattern(q)
            stmt = stmt.where(or_(SysAdminUnit.name_key.like(pattern, escape="\\"),
                                  ContactRow.name_key.like(pattern, escape="\\")))
        if type is not None:
            stmt = stmt.where(SysAdminUnit.type_value == type.value)
        with self._reading() as session:
            found = paginate(session, stmt, page=page, size=size)
            return Page([system_user(row) for row in found.items], found.page, found.size, found.total)

    def list_contacts(self, *, page: int, size: int, q: str | None = None) -> Page[Contact]:
        stmt = select(ContactRow).order_by(ContactRow.name_key, ContactRow.id)
        if q:
            stmt = stmt.where(ContactRow.name_key.like(like_pattern(q), escape="\\"))
        with self._reading() as session:
            found = paginate(session, stmt, page=page, size=size)
            return Page([contact(row) for row in found.items], found.page, found.size, found.total)

    def list_accounts(self, *, page: int, size: int, q: str | None = None) -> Page[Account]:
        stmt = select(AccountRow).order_by(AccountRow.name_key)
        if q:
            stmt = stmt.where(AccountRow.name_key.like(like_pattern(q), escape="\\"))
        with self._reading() as session:
            found = paginate(session, stmt, page=page, size=size)
            return Page([Account(row.id, row.name) for row in found.items], found.page, found.size, found.total)

    def find_contacts_by_names(self, names: Iterable[str]) -> dict[str, list[Contact]]:
        found: dict[str, list[Contact]] = {name_key(name): [] for name in names}
        with self._reading() as session:
            for keys in chunks(sorted(found), KEYS_PER_QUERY):
                stmt = select(ContactRow).where(one_of(session, ContactRow.name_key, keys)).order_by(ContactRow.id)
                for row in session.scalars(stmt).unique():
                    found[row.name_key].append(contact(row))
        return found

    def find_system_users_by_logins(self, logins: Iterable[str]) -> dict[str, list[SystemUser]]:
        found: dict[str, list[SystemUser]] = {name_key(login): [] for login in logins}
        with self._reading() as session:
            for keys in chunks(sorted(found), KEYS_PER_QUERY):
                stmt = select(SysAdminUnit).where(one_of(session, SysAdminUnit.name_key, keys))
                for row in session.scalars(stmt).unique():
                    found[row.name_key].append(system_user(row))
        return found

    def find_contacts_by_name(self, name: str) -> list[Contact]:
        return self.find_contacts_by_names([name])[name_key(name)]

    def system_users_of_contacts(self, contact_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SystemUser]:
        found: dict[uuid.UUID, SystemUser] = {}
        with self._reading() as session:
            for ids in chunks(sorted(set(contact_ids)), KEYS_PER_QUERY):
                stmt = select(SysAdminUnit).where(one_of(session, SysAdminUnit.contact_id, ids))
                for row in session.scalars(stmt).unique():
                    found[row.contact_id] = system_user(row)
        return found

    def ping(self, timeout_s: float = 3.0) -> None:
        """Nothing to reach: the records are in the connector's database, which health checks."""

    def close(self) -> None:
        """The sessions belong to the app's engine, disposed with it."""

    # -- writes ---------------------------------------------------------------------------------
    def create_contact(self, name: str, account: Account | None = None) -> Contact:
        cleaned = record_name(name)
        with self._sessions() as session:
            if account is not None and session.get(AccountRow, account.id) is None:
                raise NotFound(f"No Creatio account with id {account.id}")
            row = ContactRow(name=cleaned, name_key=name_key(cleaned), account_id=account.id if account else None)
            session.add(row)
            session.commit()
            return Contact(row.id, row.name, account)

    def create_contacts(self, contacts: Sequence[NewContact]) -> list[ContactCreated]:
        """Each item checked first (a name, an existing account), then all valid ones in one
        transaction: a refused item is reported and the others are created."""
        results, valid = check_new_contacts(contacts)
        rows: list[tuple[int, dict]] = []
        now = utcnow()
        with self._sessions() as session:
            known = self._known_accounts(session, {item.account.id for item in contacts if item.account})
            for index, name in valid:
                account = results[index].request.account
                if account is not None and account.id not in known:
                    results[index] = ContactCreated(results[index].request,
                                                    error=f"No Creatio account with id {account.id}")
                    continue
                rows.append((index, {"id": uuid.uuid4(), "name": name, "name_key": name_key(name),
                                     "account_id": account.id if account else None, "created_at": now,
                                     "updated_at": now}))
            if rows:  # one bulk INSERT (an import makes thousands)
                session.execute(insert(ContactRow), [row for _, row in rows])
            session.commit()
        for index, row in rows:
            request = results[index].request
            results[index] = ContactCreated(request, contact=Contact(row["id"], row["name"], request.account))
        return results

    @staticmethod
    def _known_accounts(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        known: set[uuid.UUID] = set()
        for chunk in chunks(ids, KEYS_PER_QUERY):
            known.update(session.scalars(select(AccountRow.id).where(AccountRow.id.in_(chunk))))
        return known

    def find_or_create_account(self, name: str) -> tuple[Account, bool]:
        with self._sessions() as session:
            row, created = find_or_add_account(session, record_name(name))
            return Account(row.id, row.name), created

    def create_system_user(self, *, name: str, contact_name: str, type: SystemUserType,
                           account_name: str | None = None, active: bool = True) -> SystemUser:
        with self._sessions() as session:
            return system_user(add_system_user(session, name=name, contact_name=contact_name, type=type,
                                               account_name=account_name, active=active))

    def set_system_user_active(self, user_id: uuid.UUID, active: bool) -> SystemUser:
        with self._sessions() as session:
            row = session.get(SysAdminUnit, user_id)
            if row is None:
                raise NotFound(f"No Creatio user with id {user_id}")
            row.active = active
            session.commit()
            return system_user(row)


def add_system_user(session: Session, *, name: str, contact_name: str, type: SystemUserType,
                    account_name: str | None = None, active: bool = True) -> SysAdminUnit:
    """A system user with a new contact, committed on ``session``; the account is found by its
    normalised name or created. The login is unique case-insensitively (409 ``already_exists``)."""
    login = name.strip()
    if stored_length(login) > MAX_NAME:  # the API refuses it first; the login's key is stored too
        raise field_error("name", too_long(MAX_NAME))
    if session.scalar(select(SysAdminUnit.id).where(SysAdminUnit.name_key == name_key(login))):
        raise _login_taken(login)
    account = None
    if account_name and account_name.strip():
        account, _created = find_or_add_account(session, record_name(account_name, "account_name"))
    contact_row = ContactRow(name=record_name(contact_name, "contact_name"), name_key=name_key(contact_name),
                             account=account)
    user = SysAdminUnit(name=login, name_key=name_key(login), type_value=type.value, active=active,
                        contact=contact_row)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # a concurrent create of the same login won the race
        session.rollback()
        if session.scalar(select(SysAdminUnit.id).where(SysAdminUnit.name_key == name_key(login))):
            raise _login_taken(login) from None
        raise
    return user


def _login_taken(login: str) -> Conflict:
    message = f"A Creatio user with the login {login} already exists"
    return Conflict(message, code="already_exists", fields={"name": [message]})


def find_or_add_account(session: Session, name: str) -> tuple[AccountRow, bool]:
    """The account with this (normalised) name, created and committed if there is none; (row, created).
    Concurrent creates of one new name all get the one account: the unique key decides, the losers
    read the winner's row."""
    key = name_key(name)
    row = _account_row(session, key)
    if row is not None:
        return row, False
    row = AccountRow(name=name, name_key=key)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        row = _account_row(session, key)
        if row is None:
            raise
        return row, False
    return row, True


def _account_row(session: Session, key: str) -> AccountRow | None:
    return session.scalar(select(AccountRow).where(AccountRow.name_key == key))


def system_user(row: SysAdminUnit) -> SystemUser:
    account = row.contact.account
    return SystemUser(id=row.id, name=row.name, type=SystemUserType(row.type_value), active=row.active,
                      contact=ContactRef(row.contact.id, row.contact.name),
                      account=AccountRef(account.id, account.name) if account is not None else None,
                      created_at=row.created_at)


def contact(row: ContactRow) -> Contact:
    account = row.account
    return Contact(row.id, row.name, AccountRef(account.id, account.name) if account is not None else None)
