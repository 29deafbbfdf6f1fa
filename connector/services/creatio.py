"""Creatio's own records: system users (employees and portal users), their contacts and accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import Account, Contact, SysAdminUnit, SysAdminUnitType
from .names import clean_name, like_pattern, name_key
from .paging import Page, paginate


def create_system_user(session: Session, *, name: str, contact_name: str, type: str,
                       account_name: str | None = None, active: bool = True) -> SysAdminUnit:
    """A system user with a new contact; the account is found by its normalised name or created."""
    login = name.strip()
    if session.scalar(select(SysAdminUnit.id).where(SysAdminUnit.name_key == name_key(login))):
        raise _login_taken(login)
    account = _account(session, account_name) if account_name and account_name.strip() else None
    contact = Contact(name=clean_name(contact_name), name_key=name_key(contact_name), account=account)
    user = SysAdminUnit(name=login, name_key=name_key(login), type_value=SysAdminUnitType[type.upper()].value,
                        active=active, contact=contact)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # a concurrent create of the same login (or account) won the race
        session.rollback()
        if session.scalar(select(SysAdminUnit.id).where(SysAdminUnit.name_key == name_key(login))):
            raise _login_taken(login) from None
        raise
    return user


def _login_taken(login: str) -> Conflict:
    message = f"A Creatio user with the login {login} already exists"
    return Conflict(message, code="already_exists", fields={"name": [message]})


def _account(session: Session, account_name: str) -> Account:
    key = name_key(account_name)
    account = session.scalar(select(Account).where(Account.name_key == key))
    if account is None:
        account = Account(name=clean_name(account_name), name_key=key)
        session.add(account)
    return account


def find_system_user(session: Session, user_id: uuid.UUID) -> SysAdminUnit | None:
    return session.get(SysAdminUnit, user_id)


def get_system_user(session: Session, user_id: uuid.UUID) -> SysAdminUnit:
    user = session.get(SysAdminUnit, user_id)
    if user is None:
        raise NotFound(f"No Creatio user with id {user_id}")
    return user


def set_system_user_active(session: Session, user_id: uuid.UUID, active: bool) -> SysAdminUnit:
    user = get_system_user(session, user_id)
    user.active = active
    session.commit()
    return user


def list_system_users(session: Session, *, page: int, size: int, q: str | None = None,
                      type: str | None = None) -> Page:
    stmt = select(SysAdminUnit).join(SysAdminUnit.contact).order_by(SysAdminUnit.name_key)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(SysAdminUnit.name_key.like(pattern, escape="\\"),
                              Contact.name_key.like(pattern, escape="\\")))
    if type:
        stmt = stmt.where(SysAdminUnit.type_value == SysAdminUnitType[type.upper()].value)
    return paginate(session, stmt, page=page, size=size)


def list_contacts(session: Session, *, page: int, size: int, q: str | None = None) -> Page:
    stmt = select(Contact).order_by(Contact.name_key, Contact.id)
    if q:
        stmt = stmt.where(Contact.name_key.like(like_pattern(q), escape="\\"))
    return paginate(session, stmt, page=page, size=size)


def list_accounts(session: Session, *, page: int, size: int, q: str | None = None) -> Page:
    stmt = select(Account).order_by(Account.name_key)
    if q:
        stmt = stmt.where(Account.name_key.like(like_pattern(q), escape="\\"))
    return paginate(session, stmt, page=page, size=size)
