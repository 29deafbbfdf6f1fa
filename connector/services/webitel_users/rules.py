"""The rules of the Webitel users section, each in one place: who may have a Webitel user, one per
Creatio user, usernames and extensions unique, and Webitel's refusals in the contract's words."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.names import name_key
from ...errors import BusinessRuleError, Conflict, ConnectorError, field_error
from ...models import WebitelUser
from ...webitel import WebitelAPIError, WebitelClient, WebitelError
from ..upstream import upstream_error

T = TypeVar("T")
WEBITEL_USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")  # what Webitel accepts as a username
E_USERNAME_CONFLICT = "app.user.conflict.error"
E_EXTENSION_CONFLICT = "app.user.extension.conflict.error"


class ContactLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...


class SystemUserLike(Protocol):
    """What a Webitel user's record needs of a Creatio system user (either Creatio side gives one)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def active(self) -> bool: ...

    @property
    def contact(self) -> ContactLike | None: ...


def check_system_user(user: SystemUserLike | None, user_id: uuid.UUID) -> SystemUserLike:
    """Only an existing, active Creatio system user with a login Webitel accepts gets a Webitel user."""
    user = check_active_user(user, user_id)
    if not WEBITEL_USERNAME.match(user.name):
        raise BusinessRuleError(f"The login {user.name!r} cannot be a Webitel username (only letters, digits, "
                                f"'.', '_' and '-')", code="username_not_allowed",
                                fields={"user_id": ["the login is not a valid Webitel username"]})
    return user


def check_active_user(user: SystemUserLike | None, user_id: uuid.UUID) -> SystemUserLike:
    """An existing, active Creatio system user (what a record may be made for, or linked to)."""
    if user is None:
        raise BusinessRuleError(f"No Creatio system user with id {user_id}", code="not_a_creatio_user",
                                fields={"user_id": ["not a Creatio system user"]})
    if not user.active:
        raise BusinessRuleError(f"The Creatio user {user.name} is not active", code="not_a_creatio_user",
                                fields={"user_id": ["the Creatio user is not active"]})
    return user


def already_exists(user_name: str, existing_id: uuid.UUID) -> Conflict:
    return Conflict(f"The Creatio user {user_name} already has a Webitel user", code="already_exists",
                    fields={"user_id": ["already has a Webitel user"]}, existing={"id": str(existing_id)})


def extension_taken(extension: str, holder: str | None, webitel: dict | None = None) -> Conflict:
    message = (f"Extension {extension} already belongs to {holder}" if holder
               else f"Extension {extension} is already registered in Webitel")
    return Conflict(message, code="extension_taken", fields={"extension": [message]}, webitel=webitel, holder=holder)


def username_taken(username: str, holder_id: str | None, webitel: dict | None = None) -> Conflict:
    where = f" (Webitel user id {holder_id})" if holder_id else ""
    message = (f"Webitel already has a user {username}{where} that this connector did not create; link it to "
               f"Creatio with the import (POST /api/v1/imports) instead of creating a new one")
    return Conflict(message, code="username_taken", fields={"user_id": [message]}, webitel=webitel,
                    existing={"webitel_user_id": holder_id} if holder_id else None, hint="import")


def extension_holder(session: Session, extension: str, *, other_than: uuid.UUID | None = None) -> str | None:
    """The username of the record that holds ``extension`` (other than ``other_than``)."""
    stmt = select(WebitelUser.webitel_username).where(WebitelUser.extension == extension)
    if other_than is not None:
        stmt = stmt.where(WebitelUser.id != other_than)
    return session.scalar(stmt)


def check_extension_free(session: Session, extension: str | None, *, other_than: uuid.UUID | None = None) -> None:
    """A friendly early answer; the unique constraint decides between concurrent requests."""
    if extension:
        holder = extension_holder(session, extension, other_than=other_than)
        if holder is not None:
            raise extension_taken(extension, holder)


def local_conflict(session: Session, *, record_id: uuid.UUID, system_user_id: uuid.UUID | None,
                   user_name: str | None, webitel_username: str, extension: str | None) -> ConnectorError:
    """Which of the record's uniqueness rules a write broke (after the database refused it)."""
    existing = session.scalar(select(WebitelUser.id).where(WebitelUser.system_user_id == system_user_id,
                                                           WebitelUser.id != record_id)) if system_user_id else None
    if existing is not None:
        return already_exists(user_name or webitel_username, existing)
    if extension:
        holder = extension_holder(session, extension, other_than=record_id)
        if holder is not None:
            return extension_taken(extension, holder)
    holder_id = session.scalar(select(WebitelUser.id).where(
        WebitelUser.webitel_username_key == name_key(webitel_username), WebitelUser.id != record_id))
    if holder_id is not None:
        return Conflict(f"Another record already has the Webitel username {webitel_username}",
                        code="username_taken", fields={"user_id": ["the Webitel username is taken"]},
                        existing={"id": str(holder_id)})
    return Conflict("The record conflicts with another one", code="conflict")


def user_refusal(webitel: WebitelClient, username: str, extension: str | None
                 ) -> Callable[[WebitelAPIError], ConnectorError | None]:
    """Webitel's refusal of a user's create or change, in the contract's words (None: not a rule of ours)."""

    def refusal(exc: WebitelAPIError) -> ConnectorError | None:
        if exc.error_id == E_EXTENSION_CONFLICT and extension:
            holder = _quietly(lambda: webitel.find_user_by_extension(extension))
            return extension_taken(extension, holder.get("username") if holder else None, exc.envelope())
        if exc.error_id == E_USERNAME_CONFLICT:
            holder = _quietly(lambda: webitel.find_user_by_username(username))
            return username_taken(username, str(holder["id"]) if holder else None, exc.envelope())
        if exc.status == 409:
            return Conflict(f"Webitel refused the user {username}: {exc.detail}", code="conflict",
                            webitel=exc.envelope())
        return None

    return refusal


def _quietly(lookup: Callable[[], dict | None]) -> dict | None:
    """A look-up that only makes a message better: its failure must not hide the real error."""
    try:
        return lookup()
    except WebitelError:
        return None


def must_exist(read: Callable[[], T | None], *, field: str, noun: str, item: str) -> T:
    """A Webitel object a change names (a team, a skill, a role, a license), read before anything
    changes: an unknown one is the request's fault (422 on ``field``); Webitel failing to answer is an
    upstream error with nothing changed."""
    try:
        found = read()
    except WebitelError as exc:
        raise upstream_error(exc, f"reading the {noun} {item}").add(outcome="not_changed") from exc
    if found is None:
        raise field_error(field, f"Webitel has no {noun} {item}")
    return found
