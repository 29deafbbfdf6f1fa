"""Licenses and roles of a Webitel user. Webitel takes only the whole set (``PATCH /users/{id}`` with
``{"license": [...]}`` or ``{"roles": [...]}``), so one item is added or removed by read-modify-write
of Webitel's current set while the record is claimed: two concurrent grants run one after the other
and both are kept, and an item someone added in Webitel directly is left there (the drift report
shows it) rather than overwritten with the record's set."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ...errors import BusinessRuleError, Conflict, ConnectorError, NotFound, field_error
from ...models import WebitelUser
from ...webitel import WebitelAPIError, WebitelClient
from ..context import Context
from ..steps import Plan, Step
from . import agents, claims, operation, plans, remote, rules
from .desired import Desired

T = TypeVar("T")
E_LICENSE_EXHAUSTED = "app.user.license.product_exhausted"
E_LICENSE_EXPIRED = "app.user.license.product_expired"
E_LICENSE_NOT_FOUND = "app.user.license.not_found"
E_ROLE_NOT_FOUND = "app.role.not_found.error"
PRODUCT_EXHAUSTED = "product exhausted"
PRODUCT_EXPIRED = "product expired"


@dataclass(frozen=True)
class WholeSet:
    """One of a Webitel user's whole-set attributes."""

    noun: str  # "license", "role"
    field: str  # the Webitel user's attribute
    body_key: str  # the connector's request key
    held: Callable[[dict], dict[str, str]]  # Webitel's set: id -> label
    mine: Callable[[WebitelUser], dict[str, str]]  # the record's set
    put: Callable[[WebitelUser, dict[str, str]], None]  # make the record's set this one

    def body(self, ids: list[str]) -> dict:
        return {self.field: [{"id": i} for i in ids]}


LICENSES = WholeSet("license", "license", "license_id", remote.licenses_of,
                    lambda record: {row.license_id: row.product for row in record.licenses}, remote.set_licenses)
ROLES = WholeSet("role", "roles", "role_id", remote.roles_of,
                 lambda record: {row.role_id: row.name for row in record.roles}, remote.set_roles)


def add_license(ctx: Context, record_id: uuid.UUID, license_id: str) -> WebitelUser:
    license = rules.must_exist(lambda: ctx.webitel.find_license(license_id), field="license_id", noun="license",
                               item=license_id)
    _check_grantable(license)
    return _change(ctx, record_id, LICENSES, license_id, str(license.get("product") or ""))


def remove_license(ctx: Context, record_id: uuid.UUID, license_id: str) -> None:
    _change(ctx, record_id, LICENSES, license_id, None)


def add_role(ctx: Context, record_id: uuid.UUID, role_id: str) -> WebitelUser:
    role = rules.must_exist(lambda: ctx.webitel.find_role(role_id), field="role_id", noun="role", item=role_id)
    return _change(ctx, record_id, ROLES, role_id, str(role.get("name") or ""))


def remove_role(ctx: Context, record_id: uuid.UUID, role_id: str) -> None:
    _change(ctx, record_id, ROLES, role_id, None)


def _change(ctx: Context, record_id: uuid.UUID, kind: WholeSet, item: str, label: str | None) -> WebitelUser:
    """Add ``item`` (with its ``label``) or, when ``label`` is None, remove it."""
    add = label is not None
    record = claims.claim(ctx, record_id)
    name = record.webitel_username
    items = kind.mine(record)
    if add and item in items:
        ctx.session.rollback()
        raise Conflict(f"The {kind.noun} {item} is already granted to {name}", code="already_exists",
                       fields={kind.body_key: [f"already granted to {name}"]})
    if not add and item not in items:
        ctx.session.rollback()
        raise NotFound(f"{name} has no {kind.noun} {item}")
    if not add and kind is LICENSES and record.is_agent and _last_call_center_license(record, item):
        ctx.session.rollback()
        raise BusinessRuleError(f"{name} is a call-center agent: deactivate the agent before revoking its "
                                f"CALL_CENTER license {item}", code="call_center_license_in_use",
                                fields={"license_id": ["the agent needs it"]})
    before = Desired.capture(record)
    kind.put(record, {**items, item: label} if label is not None else {k: v for k, v in items.items() if k != item})
    action = f"{'granting' if add else 'revoking'} the {kind.noun} {item} {'to' if add else 'of'} {name}"
    result = operation.apply(ctx, record, before, _whole_set(ctx.webitel, record, kind, item, add),
                             kind=operation.Kind.CHANGE, operation=action, action=action)
    assert result is not None
    return result


def _whole_set(webitel: WebitelClient, record: WebitelUser, kind: WholeSet, item: str, add: bool) -> Plan:
    uid = record.webitel_user_id
    if uid is None:  # not linked to a Webitel user yet: the create (pending) will carry the whole record
        yield from plans.converge(webitel, record)
        return
    user = yield Step("webitel.read_user", lambda: webitel.get_user(uid))
    before = list(kind.held(user))
    wanted = ([*before, item] if item not in before else before) if add else [i for i in before if i != item]
    if wanted == before:
        return
    yield Step("webitel.update_user", lambda: webitel.patch_user(uid, kind.body(wanted)),
               confirm=_holds(webitel, uid, kind, item, add), refusal=_refusal(kind, item),
               undo=Step("webitel.update_user", lambda: webitel.patch_user(uid, kind.body(before)),
                         confirm=_holds(webitel, uid, kind, item, not add)))


def _last_call_center_license(record: WebitelUser, license_id: str) -> bool:
    held = [row.license_id for row in record.licenses if row.product == agents.CALL_CENTER]
    return held == [license_id]


def _holds(webitel: WebitelClient, uid: str, kind: WholeSet, item: str, add: bool) -> Callable[[], dict | None]:
    def confirm() -> dict | None:
        user = webitel.get_user(uid)
        return user if (item in kind.held(user)) == add else None

    return confirm


def _check_grantable(license: dict) -> None:
    errors = (license.get("status") or {}).get("errors") or []
    if PRODUCT_EXPIRED in errors:
        raise _license_expired(license)
    if int(license.get("remain") or 0) < 1 or PRODUCT_EXHAUSTED in errors:
        raise _license_exhausted(license)


def _license_exhausted(license: dict, webitel: dict | None = None) -> Conflict:
    return Conflict(f"The license {license.get('id')} ({license.get('product', '')}) has no seats left: all "
                    f"{license.get('limit', 0)} are in use", code="license_exhausted",
                    fields={"license_id": ["no seats left"]}, webitel=webitel)


def _license_expired(license: dict, webitel: dict | None = None) -> Conflict:
    return Conflict(f"The license {license.get('id')} ({license.get('product', '')}) is not valid now",
                    code="license_expired", fields={"license_id": ["the license is not valid now"]}, webitel=webitel)


def _refusal(kind: WholeSet, item: str) -> Callable[[WebitelAPIError], ConnectorError | None]:
    """Webitel's refusal of a grant in the contract's words."""

    def refusal(exc: WebitelAPIError) -> ConnectorError | None:
        envelope = exc.envelope()
        if exc.error_id == E_LICENSE_EXHAUSTED:
            return _license_exhausted({"id": item}, envelope)
        if exc.error_id == E_LICENSE_EXPIRED:
            return _license_expired({"id": item}, envelope)
        if exc.error_id in (E_LICENSE_NOT_FOUND, E_ROLE_NOT_FOUND):
            error = field_error(kind.body_key, f"Webitel has no {kind.noun} {item}")
            error.webitel = envelope
            return error
        return None

    return refusal
