"""The one interface of the Creatio side: the connector reads and writes Creatio's records only here.

Two implementations, chosen by configuration (``connector.creatio.factory``):

* ``EmbeddedCreatio`` (the default): the connector's own tables ``sys_admin_unit``, ``contact`` and
  ``account``, for the demo and for tests;
* ``ODataCreatio``: a live Creatio over OData 4 (``CONNECTOR_CREATIO_URL``).

Names are matched in code on the normalised key (``connector.core.names.name_key``), never
through the collation of the database behind Creatio.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from .records import Account, Contact, ContactCreated, NewContact, Page, SystemUser, SystemUserType


class CreatioSide(Protocol):
    #: "embedded" or "odata".
    kind: str

    @property
    def is_live(self) -> bool:
        """True when the records are in a Creatio of their own (its reachability is worth a health check)."""
        ...

    def get_system_user(self, user_id: uuid.UUID) -> SystemUser | None:
        """The system user with its contact (and the contact's account); None for an unknown id and
        for an org unit or role (``SysAdminUnitTypeValue`` other than 4 and 5). A deactivated user
        is returned with ``active=False``: the caller decides what that forbids."""
        ...

    def list_system_users(self, *, page: int, size: int, q: str | None = None,
                          type: SystemUserType | None = None) -> Page[SystemUser]:
        """Employees and portal users by login; ``q`` searches the login and the contact's name."""
        ...

    def list_contacts(self, *, page: int, size: int, q: str | None = None) -> Page[Contact]:
        ...

    def list_accounts(self, *, page: int, size: int, q: str | None = None) -> Page[Account]:
        ...

    def find_contacts_by_names(self, names: Iterable[str]) -> dict[str, list[Contact]]:
        """Every contact whose normalised name equals one of ``names``', by that key (each key of
        ``names`` is present, with an empty list when no contact has it). More than one candidate
        is an ambiguity for the caller to report, never to resolve by guessing."""
        ...

    def find_system_users_by_logins(self, logins: Iterable[str]) -> dict[str, list[SystemUser]]:
        """Every system user (employee or portal user) whose normalised login equals one of ``logins``',
        by that key (each key present, an empty list when none has it)."""
        ...

    def find_contacts_by_name(self, name: str) -> list[Contact]:
        """``find_contacts_by_names`` for one name."""
        ...

    def system_users_of_contacts(self, contact_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SystemUser]:
        """The system user (employee or portal user) of each contact that has one, by contact id."""
        ...

    def create_contact(self, name: str, account: Account | None = None) -> Contact:
        """A new contact, of ``account`` when given (one ``find_or_create_account`` answered)."""
        ...

    def create_contacts(self, contacts: Sequence[NewContact]) -> list[ContactCreated]:
        """Many contacts (the import), one result per item in order: one item's refusal does not stop
        the others (OData: ``$batch`` of at most 100 with ``Prefer: continue-on-error``)."""
        ...

    def find_or_create_account(self, name: str) -> tuple[Account, bool]:
        """The account with this normalised name, or a new one; ``(account, created)``. Raises
        ``AmbiguousName`` when Creatio already has several."""
        ...

    def create_system_user(self, *, name: str, contact_name: str, type: SystemUserType,
                           account_name: str | None = None, active: bool = True) -> SystemUser:
        """Embedded only: a system user with a new contact (the account found by name or created).
        A live Creatio answers ``MethodNotAllowed``: its users are created in Creatio."""
        ...

    def set_system_user_active(self, user_id: uuid.UUID, active: bool) -> SystemUser:
        """Embedded only, like ``create_system_user``."""
        ...

    def ping(self, timeout_s: float = 3.0) -> None:
        """A cheap request that proves Creatio answers and accepts the credentials (health)."""
        ...

    def close(self) -> None:
        ...
