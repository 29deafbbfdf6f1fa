"""What the Creatio side answers: plain, frozen values, the same whichever side holds the records.

They carry no database session and no HTTP client, so a caller can keep them after the request
(the Webitel user record keeps a snapshot of the user's login and contact name).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from ..core.paging import Page

__all__ = ["Account", "AccountRef", "Contact", "ContactCreated", "ContactRef", "NewContact", "Page", "SystemUser",
           "SystemUserType"]


class SystemUserType(enum.IntEnum):
    """``SysAdminUnitTypeValue`` of Creatio's system users. 0-3 (organisation, division, manager
    role, team) and 6 (functional role) are org units and roles: never users."""

    EMPLOYEE = 4  # "Company employee", ConnectionType 0
    PORTAL = 5  # "Portal user", ConnectionType 1

    @property
    def label(self) -> str:
        """The contract's word: ``employee`` or ``portal``."""
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> SystemUserType:
        return cls[label.upper()]


@dataclass(frozen=True)
class ContactRef:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    name: str


# A reference to an account is the account itself: its id and name are all Creatio's lists show.
AccountRef = Account

@dataclass(frozen=True)
class Contact:
    id: uuid.UUID
    name: str
    account: AccountRef | None = None


@dataclass(frozen=True)
class SystemUser:
    """A Creatio system user (``SysAdminUnit`` of type 4 or 5); ``name`` is the login."""

    id: uuid.UUID
    name: str
    type: SystemUserType
    active: bool
    contact: ContactRef
    account: AccountRef | None = None  # the contact's account
    created_at: datetime | None = None


@dataclass(frozen=True)
class NewContact:
    """One contact of a bulk create (the import)."""

    name: str
    account: Account | None = None


@dataclass(frozen=True)
class ContactCreated:
    """The outcome of one contact of a bulk create: the contact, or why it was not created."""

    request: NewContact
    contact: Contact | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.contact is not None
