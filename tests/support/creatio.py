"""The Creatio side under test: the embedded store, the OData stand-in, or a live Creatio.

A test runs on both sides with ``@both_creatio_sides`` (it parametrizes the ``creatio_kind``
fixture). The ``odata`` side is the stand-in (``tests.support.creatio_stand_in``), unless a live
Creatio is given in the environment, like ``WEBITEL_URL`` for the contract tests::

    CREATIO_URL=https://acme.creatio.com CREATIO_USERNAME=... CREATIO_PASSWORD=... pytest tests/creatio
    CREATIO_URL=... CREATIO_CLIENT_ID=... CREATIO_CLIENT_SECRET=... CREATIO_TOKEN_URL=... pytest tests/creatio

(``CREATIO_ODATA_PATH=odata`` for Creatio on .NET). Against a live Creatio the tests create
uniquely named records (see ``CreatioRecords.name``) and delete them afterwards; a test marked
``stand_in`` (it needs the stand-in's control, or an otherwise empty Creatio) is skipped there.
"""

from __future__ import annotations

import os
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from connector.creatio import Account, SystemUserType
from connector.creatio.embedded import EmbeddedCreatio
from connector.creatio.odata.auth import ClientCredentials, FormsLogin
from connector.creatio.odata.http import CreatioHTTP
from tests.support.creatio_stand_in import CreatioStandIn

SIDES = ["embedded", "odata"]
both_creatio_sides = pytest.mark.parametrize("creatio_kind", SIDES, indirect=True)
odata_side = pytest.mark.parametrize("creatio_kind", ["odata"], indirect=True)

# The stand-in's integration user and OAuth client. The password is distinctive, so that a test
# can look for it in logs and answers.
STAND_IN_USERNAME = "Integration"
STAND_IN_PASSWORD = "stand-in-pa55word-4f9c1e"
STAND_IN_CLIENT_ID = "webitel-connector"
STAND_IN_CLIENT_SECRET = "stand-in-client-secret-7d2b"


def live_settings(environ: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The connector's settings for the live Creatio of ``CREATIO_*``, or None."""
    env = os.environ if environ is None else environ
    if not env.get("CREATIO_URL"):
        return None
    settings: dict[str, Any] = {"creatio_url": env["CREATIO_URL"]}
    for name in ("username", "password", "client_id", "client_secret", "token_url", "odata_path"):
        if env.get(f"CREATIO_{name.upper()}"):
            settings[f"creatio_{name}"] = env[f"CREATIO_{name.upper()}"]
    return settings


def stand_in_settings(base_url: str, *, oauth: bool = False, **extra: Any) -> dict[str, Any]:
    """The connector's settings for the stand-in at ``base_url`` (forms login, or OAuth)."""
    if oauth:
        credentials = {"creatio_client_id": STAND_IN_CLIENT_ID, "creatio_client_secret": STAND_IN_CLIENT_SECRET,
                       "creatio_token_url": f"{base_url}/connect/token"}
    else:
        credentials = {"creatio_username": STAND_IN_USERNAME, "creatio_password": STAND_IN_PASSWORD}
    return {"creatio_url": base_url, "creatio_backoff_s": 0.0, **credentials, **extra}


def new_stand_in(**kwargs: Any) -> CreatioStandIn:
    return CreatioStandIn(users={STAND_IN_USERNAME: STAND_IN_PASSWORD},
                          clients={STAND_IN_CLIENT_ID: STAND_IN_CLIENT_SECRET}, **kwargs)


@dataclass
class CreatioUnderTest:
    """What the app is configured with: ``config`` (Config overrides) and ``transport``."""

    kind: str
    stand_in: CreatioStandIn | None = None
    config: dict[str, Any] = field(default_factory=dict)
    transport: httpx.BaseTransport | None = None

    @property
    def live(self) -> bool:
        return self.kind == "odata" and self.stand_in is None


def under_test_for(kind: str) -> CreatioUnderTest:
    if kind == "embedded":
        return CreatioUnderTest("embedded")
    live = live_settings()
    if live is not None:
        return CreatioUnderTest("odata", config=live)
    stand_in = new_stand_in()
    return CreatioUnderTest("odata", stand_in, stand_in_settings(stand_in.base_url), stand_in.transport)


# -- records for a test ---------------------------------------------------------------------------------
class CreatioRecords(ABC):
    """Puts the records a test needs into the Creatio side under test, whichever it is."""

    def name(self, name: str) -> str:
        """The name the record really gets (a live Creatio's are prefixed per run)."""
        return name

    @abstractmethod
    def system_user(self, name: str, contact: str | None = None, *, type: str = "employee", active: bool = True,
                    account: str | None = "Acme") -> uuid.UUID:
        ...

    @abstractmethod
    def org_unit(self, name: str) -> uuid.UUID:
        """The id of an org unit or role (never a system user)."""
        ...

    @abstractmethod
    def deactivate(self, user_id: uuid.UUID) -> None:
        ...

    @abstractmethod
    def contact(self, name: str, account_id: uuid.UUID | None = None) -> uuid.UUID:
        ...

    @abstractmethod
    def account(self, name: str) -> uuid.UUID:
        ...

    def created(self, entity: str, record_id: uuid.UUID) -> None:  # noqa: B027 - only a live Creatio cleans up
        """The connector created this record (removed afterwards from a live Creatio)."""

    def cleanup(self) -> None:  # noqa: B027 - only a live Creatio cleans up
        """Remove what the test made (a throwaway side needs nothing)."""


class EmbeddedRecords(CreatioRecords):
    def __init__(self, side: EmbeddedCreatio) -> None:
        self.side = side

    def system_user(self, name, contact=None, *, type="employee", active=True, account="Acme"):
        return self.side.create_system_user(name=name, contact_name=contact or name.title(),
                                            type=SystemUserType.from_label(type), account_name=account,
                                            active=active).id

    def org_unit(self, name):
        return uuid.uuid4()  # the embedded store holds system users only: any other id is not one

    def deactivate(self, user_id):
        self.side.set_system_user_active(user_id, False)

    def contact(self, name, account_id=None):
        return self.side.create_contact(name, Account(account_id, "") if account_id else None).id

    def account(self, name):
        return self.side.find_or_create_account(name)[0].id


class StandInRecords(CreatioRecords):
    def __init__(self, stand_in: CreatioStandIn) -> None:
        self.stand_in = stand_in

    def system_user(self, name, contact=None, *, type="employee", active=True, account="Acme"):
        return self.stand_in.add_system_user(name, contact, type=type, active=active, account=account)

    def org_unit(self, name):
        return self.stand_in.add_org_unit(name)

    def deactivate(self, user_id):
        self.stand_in.set_active(user_id, False)

    def contact(self, name, account_id=None):
        return self.stand_in.add_contact(name, account_id)

    def account(self, name):
        return self.stand_in.add_account(name)


class LiveRecords(CreatioRecords):
    """Records in a live Creatio over its own OData, with names prefixed per run, deleted afterwards."""

    def __init__(self, settings: dict[str, Any]) -> None:
        auth = (ClientCredentials(settings["creatio_client_id"], settings["creatio_client_secret"],
                                  settings["creatio_token_url"]) if settings.get("creatio_client_id")
                else FormsLogin(settings["creatio_username"], settings["creatio_password"]))
        self.http = CreatioHTTP(settings["creatio_url"], auth, odata_path=settings.get("creatio_odata_path", "0/odata"),
                                read_timeout_s=30)
        self.prefix = f"wct{uuid.uuid4().hex[:6]}-"
        self.made: list[tuple[str, uuid.UUID]] = []
        self.accounts: dict[str, uuid.UUID] = {}

    def name(self, name):
        return self.prefix + name

    def _post(self, entity: str, body: dict) -> uuid.UUID:
        record_id = uuid.uuid4()
        self.http.request("POST", entity, json={"Id": str(record_id), **body}, action=f"seeding {entity}")
        self.made.append((entity, record_id))
        return record_id

    def system_user(self, name, contact=None, *, type="employee", active=True, account="Acme"):
        account_id = self.account(account) if account else None
        contact_id = self.contact(contact or name.title(), account_id)
        return self._post("SysAdminUnit", {"Name": self.name(name), "ContactId": str(contact_id),
                                           "SysAdminUnitTypeValue": SystemUserType.from_label(type).value,
                                           "ConnectionType": int(type == "portal"), "Active": active})

    def org_unit(self, name):
        return self._post("SysAdminUnit", {"Name": self.name(name), "SysAdminUnitTypeValue": 1})  # a division

    def deactivate(self, user_id):
        self.http.request("PATCH", f"SysAdminUnit({user_id})", json={"Active": False}, action="deactivating")

    def contact(self, name, account_id=None):
        body: dict[str, Any] = {"Name": self.name(name)}
        if account_id:
            body["AccountId"] = str(account_id)
        return self._post("Contact", body)

    def account(self, name):
        if name not in self.accounts:
            self.accounts[name] = self._post("Account", {"Name": self.name(name)})
        return self.accounts[name]

    def created(self, entity, record_id):
        self.made.append((entity, record_id))

    def cleanup(self):
        order = {"SysAdminUnit": 0, "Contact": 1, "Account": 2}
        for entity, record_id in sorted(reversed(self.made), key=lambda made: order[made[0]]):
            try:
                self.http.request("DELETE", f"{entity}({record_id})", action="removing a test record")
            except Exception as exc:  # noqa: BLE001 - one left-over record must not hide the others
                print(f"could not remove {entity} {record_id} from the live Creatio: {exc}")
        self.http.close()


def records_for(under_test: CreatioUnderTest, side: Any) -> CreatioRecords:
    if under_test.kind == "embedded":
        return EmbeddedRecords(side)
    if under_test.stand_in is not None:
        return StandInRecords(under_test.stand_in)
    return LiveRecords(under_test.config)
