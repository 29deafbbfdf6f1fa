"""The Creatio side of a live Creatio, over OData 4: ``SysAdminUnit``, ``Contact`` and ``Account``.

Reads ask Creatio for what is needed (``$select``, ``$expand`` of the contact and its account,
``$filter``, ``$top``/``$skip``, ``$count``). Names are matched exactly in code, on the normalised
key: Creatio is asked for a superset (its rows containing a distinctive word of the name,
case-insensitively) and the rows whose key differs are dropped.

Writes choose the new record's ``Id`` here. A create whose answer is lost (a timeout, a dropped
connection, a 5xx) is looked up by that id before anything is said about it, and is never sent twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import httpx

from ...config import Config
from ...core.names import name_key
from ..errors import AmbiguousName, CreatioError, MethodNotAllowed
from ..records import Account, Contact, ContactCreated, ContactRef, NewContact, Page, SystemUser, SystemUserType
from ..rules import check_new_contacts, chunks, record_name
from .answers import json_of, unexpected
from .auth import Auth, ClientCredentials, FormsLogin
from .http import CreatioHTTP
from .query import all_of, any_of, contains_text, eq, name_token, query_string, search_text

log = logging.getLogger("connector.creatio")

USER_SELECT = "Id,Name,SysAdminUnitTypeValue,Active,CreatedOn"
ACCOUNT_EXPAND = "Account($select=Id,Name)"
USER_EXPAND = f"Contact($select=Id,Name;$expand={ACCOUNT_EXPAND})"
USER_TYPES = tuple(SystemUserType)
BATCH_SIZE = 100  # Creatio's limit of requests in one $batch
SCAN_PAGE = 500  # rows per request when a superset is read to its end
MAX_SCAN_PAGES = 200  # a guard against a server whose paging never ends
TOKENS_PER_QUERY = 10  # names per superset query (the URL stays short)
IDS_PER_QUERY = 25  # ids per "Contact/Id eq … or …" query (the URL stays short)
IDS_PER_QUERY = 25  # ids per read-back query (IIS refuses query strings over 2 KB by default)
USERS_ARE_MANAGED_IN_CREATIO = ("The connector reads Creatio's system users over OData; create, activate and "
                                "deactivate them in Creatio itself")


class ODataCreatio:
    kind = "odata"
    is_live = True

    def __init__(self, http: CreatioHTTP, *, new_id: Callable[[], uuid.UUID] = uuid.uuid4) -> None:
        self.http = http
        self._new_id = new_id

    @classmethod
    def from_config(cls, config: Config, transport: httpx.BaseTransport | None = None) -> ODataCreatio:
        auth: Auth
        if config.creatio_client_id:
            auth = ClientCredentials(config.creatio_client_id, config.creatio_client_secret, config.creatio_token_url)
        else:
            auth = FormsLogin(config.creatio_username, config.creatio_password)
        return cls(CreatioHTTP(config.creatio_url, auth, odata_path=config.creatio_odata_path,
                               connect_timeout_s=config.creatio_connect_timeout_s,
                               read_timeout_s=config.creatio_read_timeout_s, retries=config.creatio_retries,
                               backoff_s=config.creatio_backoff_s, transport=transport))

    def close(self) -> None:
        self.http.close()

    def ping(self, timeout_s: float = 3.0) -> None:
        self.http.request("GET", "SysAdminUnit", params={"$select": "Id", "$top": 1}, action="checking Creatio",
                          timeout=timeout_s, retries=0)

    # -- reads ----------------------------------------------------------------------------------
    def get_system_user(self, user_id: uuid.UUID) -> SystemUser | None:
        action = f"reading the system user {user_id}"
        rows, _ = self._query("SysAdminUnit", action=action, filter=eq("Id", user_id), select=USER_SELECT,
                              expand=USER_EXPAND, top=1)
        return _convert(_system_user, rows[0], action) if rows else None

    def list_system_users(self, *, page: int, size: int, q: str | None = None,
                          type: SystemUserType | None = None) -> Page[SystemUser]:
        kinds = [type] if type is not None else USER_TYPES
        searched = None
        if q and search_text(q):
            searched = any_of(contains_text("Name", search_text(q)), contains_text("Contact/Name", search_text(q)))
        where = all_of(any_of(*(eq("SysAdminUnitTypeValue", kind.value) for kind in kinds)), searched)
        return self._page("SysAdminUnit", _system_user, action="listing system users", filter=where,
                          select=USER_SELECT, expand=USER_EXPAND, page=page, size=size)

    def list_contacts(self, *, page: int, size: int, q: str | None = None) -> Page[Contact]:
        where = contains_text("Name", search_text(q)) if q and search_text(q) else None
        return self._page("Contact", _contact, action="listing contacts", filter=where, select="Id,Name",
                          expand=ACCOUNT_EXPAND, page=page, size=size)

    def list_accounts(self, *, page: int, size: int, q: str | None = None) -> Page[Account]:
        where = contains_text("Name", search_text(q)) if q and search_text(q) else None
        return self._page("Account", _account, action="listing accounts", filter=where, select="Id,Name",
                          page=page, size=size)

    def find_contacts_by_names(self, names: Iterable[str]) -> dict[str, list[Contact]]:
        names = list(names)
        found: dict[str, dict[uuid.UUID, Contact]] = {name_key(name): {} for name in names}
        # The token comes from the name as given, lower-cased as Creatio's tolower would (a case-folded
        # key could differ: "ß" folds to "ss").
        tokens = sorted({name_token(name) for name in names if name_key(name)})
        for group in chunks(tokens, TOKENS_PER_QUERY):
            where = any_of(*(contains_text("Name", token) for token in group))
            for row in self._scan("Contact", action="finding contacts by name", filter=where, select="Id,Name",
                                  expand=ACCOUNT_EXPAND):
                contact = _convert(_contact, row, "finding contacts by name")
                candidates = found.get(name_key(contact.name))
                if candidates is not None:
                    candidates[contact.id] = contact
        return {key: list(candidates.values()) for key, candidates in found.items()}

    def find_system_users_by_logins(self, logins: Iterable[str]) -> dict[str, list[SystemUser]]:
        logins = list(logins)
        found: dict[str, dict[uuid.UUID, SystemUser]] = {name_key(login): {} for login in logins}
        kinds = any_of(*(eq("SysAdminUnitTypeValue", kind.value) for kind in USER_TYPES))
        tokens = sorted({name_token(login) for login in logins if name_key(login)})
        for group in chunks(tokens, TOKENS_PER_QUERY):
            where = all_of(kinds, any_of(*(contains_text("Name", token) for token in group)))
            for row in self._scan("SysAdminUnit", action="finding system users by login", filter=where or "",
                                  select=USER_SELECT, expand=USER_EXPAND):
                user = _convert(_system_user, row, "finding system users by login")
                candidates = found.get(name_key(user.name)) if user is not None else None
                if user is not None and candidates is not None:
                    candidates[user.id] = user
        return {key: list(candidates.values()) for key, candidates in found.items()}

    def find_contacts_by_name(self, name: str) -> list[Contact]:
        return self.find_contacts_by_names([name])[name_key(name)]

    def system_users_of_contacts(self, contact_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SystemUser]:
        found: dict[uuid.UUID, SystemUser] = {}
        kinds = any_of(*(eq("SysAdminUnitTypeValue", kind.value) for kind in USER_TYPES))
        for group in chunks(sorted(set(contact_ids)), IDS_PER_QUERY):
            where = all_of(kinds, any_of(*(eq("Contact/Id", contact_id) for contact_id in group)))
            for row in self._scan("SysAdminUnit", action="finding the system users of contacts", filter=where or "",
                                  select=USER_SELECT, expand=USER_EXPAND):
                user = _convert(_system_user, row, "finding the system users of contacts")
                if user is not None:
                    found[user.contact.id] = user
        return found

    # -- writes ---------------------------------------------------------------------------------
    def create_contact(self, name: str, account: Account | None = None) -> Contact:
        cleaned = record_name(name)
        contact = Contact(self._new_id(), cleaned, account)
        self._create("Contact", _contact_body(contact), action=f"creating the contact {cleaned}")
        return contact

    def create_contacts(self, contacts: Sequence[NewContact]) -> list[ContactCreated]:
        results, valid = check_new_contacts(contacts)
        planned = [(index, Contact(self._new_id(), name, results[index].request.account)) for index, name in valid]
        failure: CreatioError | None = None
        for group in chunks(planned, BATCH_SIZE):
            if failure is not None:
                note = f"not attempted: Creatio failed on an earlier part ({failure.message})"
                for index, _contact in group:
                    results[index] = ContactCreated(results[index].request, error=note)
                continue
            try:
                outcomes = self._batch_create(group)
            except CreatioError as exc:
                outcomes, known = self._settle_lost_batch(group, exc)
                if known and not any(result.ok for result in results) and None not in outcomes.values():
                    raise  # certainly nothing was created: the call failed as a whole
                failure = exc
            for index, contact in group:
                error = outcomes.get(contact.id)
                request = results[index].request
                results[index] = (ContactCreated(request, contact=contact) if error is None
                                  else ContactCreated(request, error=error))
        return results

    def find_or_create_account(self, name: str) -> tuple[Account, bool]:
        cleaned = record_name(name)
        key = name_key(cleaned)
        action = f"finding the account {cleaned}"
        matches = [account for account in (_convert(_account, row, action) for row in self._scan(
            "Account", action=action, filter=contains_text("Name", name_token(cleaned)), select="Id,Name"))
            if name_key(account.name) == key]
        if len(matches) > 1:
            message = f"Creatio has {len(matches)} accounts named {cleaned!r}; the connector does not guess which"
            raise AmbiguousName(message, fields={"account_name": [message]},
                                candidates=[str(account.id) for account in matches])
        if matches:
            return matches[0], False
        account = Account(self._new_id(), cleaned)
        self._create("Account", {"Id": str(account.id), "Name": account.name}, action=f"creating the account {cleaned}")
        return account, True

    def create_system_user(self, *, name: str, contact_name: str, type: SystemUserType,
                           account_name: str | None = None, active: bool = True) -> SystemUser:
        raise MethodNotAllowed(USERS_ARE_MANAGED_IN_CREATIO)

    def set_system_user_active(self, user_id: uuid.UUID, active: bool) -> SystemUser:
        raise MethodNotAllowed(USERS_ARE_MANAGED_IN_CREATIO)

    # -- OData ----------------------------------------------------------------------------------
    def _query(self, entity: str, *, action: str, select: str, filter: str | None = None, expand: str | None = None,
               orderby: str | None = None, top: int | None = None, skip: int | None = None,
               count: bool = False) -> tuple[list[dict], int | None]:
        params: dict[str, str | int] = {"$select": select}
        for key, value in (("$filter", filter), ("$expand", expand), ("$orderby", orderby), ("$top", top),
                           ("$skip", skip)):
            if value is not None:
                params[key] = value
        if count:
            params["$count"] = "true"
        body = json_of(self.http.request("GET", f"{entity}?{query_string(params)}", action=action), action)
        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise unexpected(action, "no list of records in 'value'")
        total = body.get("@odata.count")
        return rows, total if isinstance(total, int) and not isinstance(total, bool) else None

    def _page(self, entity: str, convert: Callable[[dict], Any], *, action: str, filter: str | None, select: str,
              page: int, size: int, expand: str | None = None) -> Page[Any]:
        skip = (page - 1) * size
        rows, total = self._query(entity, action=action, filter=filter, select=select, expand=expand,
                                  orderby="Name,Id", top=size, skip=skip, count=True)
        items = [_convert(convert, row, action) for row in rows]
        return Page(items, page, size, total if total is not None else skip + len(items))

    def _scan(self, entity: str, *, action: str, filter: str, select: str,
              expand: str | None = None) -> Iterator[dict]:
        """Every row matching ``filter``, page by page (ordered by id, so that paging is stable)."""
        for number in range(MAX_SCAN_PAGES):
            rows, _ = self._query(entity, action=action, filter=filter, select=select, expand=expand,
                                  orderby="Id", top=SCAN_PAGE, skip=number * SCAN_PAGE)
            yield from rows
            if len(rows) < SCAN_PAGE:
                return
        raise unexpected(action, f"more than {MAX_SCAN_PAGES * SCAN_PAGE} candidates; the filter is not selective")

    def _create(self, entity: str, body: dict, *, action: str) -> None:
        try:
            self.http.request("POST", entity, json=body, action=action)
        except CreatioError as exc:
            if not exc.outcome_unknown:
                raise
            exc.details["outcome"] = "unknown"
            ids = self._existing(entity, [uuid.UUID(body["Id"])], action=f"looking up what {action} did")
            if ids is None:
                raise
            if not ids:
                exc.details["outcome"] = "not_created"
                raise
            log.info("creatio: the lost answer of %s was settled by a look-up: created", action)

    def _existing(self, entity: str, ids: list[uuid.UUID], *, action: str) -> set[uuid.UUID] | None:
        """Which of ``ids`` exist in Creatio; None when Creatio does not answer that either."""
        found: set[uuid.UUID] = set()
        try:
            for group in chunks(ids, IDS_PER_QUERY):
                rows, _ = self._query(entity, action=action, filter=any_of(*(eq("Id", i) for i in group)),
                                      select="Id", top=len(group))
                found.update(uuid.UUID(str(row.get("Id"))) for row in rows)
        except (CreatioError, ValueError):
            return None
        return found

    def _batch_create(self, group: list[tuple[int, Contact]]) -> dict[uuid.UUID, str | None]:
        """One ``$batch`` of contact creates with ``Prefer: continue-on-error``: each contact's error,
        or None for a created one."""
        action = f"creating {len(group)} contacts"
        headers = {"Content-Type": "application/json", "Prefer": "continue-on-error"}  # as Creatio's own examples
        requests = [{"id": str(n), "method": "POST", "url": "Contact", "headers": headers,
                     "body": _contact_body(contact)} for n, (_index, contact) in enumerate(group)]
        response = self.http.request("POST", "$batch", json={"requests": requests},
                                     headers={"Prefer": "continue-on-error"}, action=action)
        body = json_of(response, action)
        answers = body.get("responses") if isinstance(body, dict) else None
        if not isinstance(answers, list):
            raise unexpected(action, "no 'responses' in the $batch answer")
        by_id = {str(answer.get("id")): answer for answer in answers if isinstance(answer, dict)}
        outcomes: dict[uuid.UUID, str | None] = {}
        for n, (_index, contact) in enumerate(group):
            answer = by_id.get(str(n))
            if answer is None:
                outcomes[contact.id] = "Creatio did not process this contact (its $batch stopped before it)"
            elif isinstance(answer.get("status"), int) and 200 <= answer["status"] < 300:
                outcomes[contact.id] = None
            else:
                outcomes[contact.id] = _item_error(answer)
        return outcomes

    def _settle_lost_batch(self, group: list[tuple[int, Contact]],
                           error: CreatioError) -> tuple[dict[uuid.UUID, str | None], bool]:
        """After a failed ``$batch``: which of its contacts exist (a lost answer may hide creates),
        and whether that is known."""
        ids = [contact.id for _index, contact in group]
        existing: set[uuid.UUID] | None = set()
        if error.outcome_unknown:
            existing = self._existing("Contact", ids, action="looking up the contacts of a lost $batch")
        if existing is None:
            unknown = f"{error.message} (outcome unknown: Creatio did not answer the look-up either)"
            return dict.fromkeys(ids, unknown), False
        return {i: None if i in existing else error.message for i in ids}, True


# -- records ----------------------------------------------------------------------------------------
def _convert(convert: Callable[[dict], Any], row: dict, action: str) -> Any:
    try:
        return convert(row)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise unexpected(action, f"{type(exc).__name__}: {exc}") from None


def _id(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _account(row: dict | None) -> Account | None:
    return Account(_id(row["Id"]), _text(row["Name"])) if row is not None else None


def _contact(row: dict) -> Contact:
    return Contact(_id(row["Id"]), _text(row["Name"]), _account(row.get("Account")))


def _system_user(row: dict) -> SystemUser | None:
    """None for an org unit or role: only types 4 and 5 are system users."""
    kind = row["SysAdminUnitTypeValue"]
    if kind not in {t.value for t in USER_TYPES}:
        return None
    contact = row.get("Contact")
    if not isinstance(contact, dict):
        raise ValueError(f"the system user {row.get('Name')!r} has no contact")
    created = row.get("CreatedOn")
    return SystemUser(id=_id(row["Id"]), name=_text(row["Name"]), type=SystemUserType(kind),
                      active=bool(row["Active"]), contact=ContactRef(_id(contact["Id"]), _text(contact["Name"])),
                      account=_account(contact.get("Account")),
                      created_at=datetime.fromisoformat(created) if isinstance(created, str) else None)


def _contact_body(contact: Contact) -> dict:
    body: dict[str, Any] = {"Id": str(contact.id), "Name": contact.name}
    if contact.account is not None:
        body["AccountId"] = str(contact.account.id)
    return body


def _item_error(answer: dict) -> str:
    status = answer.get("status")
    body = answer.get("body")
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = str(body["error"].get("message") or "")
    return f"Creatio refused it ({status}){': ' + message if message else ''}"

