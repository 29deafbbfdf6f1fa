"""Licenses and roles of a Webitel user: Webitel takes only the whole set (``PATCH /users/{id}``
with ``{"license": [...]}`` or ``{"roles": [...]}``), so one item is added or removed by
read-modify-write under the record's lock; two concurrent grants run one after the other and both
are kept. Webitel's answer is the truth the record is synced to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound, field_error
from ...models import WebitelUser
from ...webitel import WebitelBadRequest, WebitelClient, WebitelError
from ..steps import OutcomeUnknown, Steps
from ..upstream import upstream_error
from .records import DEFAULT_LEASE_S, lock_active, sync_licenses, sync_roles

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
    sync: Callable[[WebitelUser, dict], None]

    def ids(self, remote: dict) -> list[str]:
        return [str(item["id"]) for item in remote.get(self.field) or [] if item.get("id")]

    def local_ids(self, record: WebitelUser) -> list[str]:
        if self.field == "license":
            return [lic.license_id for lic in record.licenses]
        return [role.role_id for role in record.roles]

    def body(self, ids: list[str]) -> dict:
        return {self.field: [{"id": i} for i in ids]}


LICENSES = WholeSet("license", "license", "license_id", sync_licenses)
ROLES = WholeSet("role", "roles", "role_id", sync_roles)


def add_license(session: Session, webitel: WebitelClient, record_id: uuid.UUID, license_id: str, *,
                lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    return _change(session, webitel, record_id, LICENSES, license_id, add=True, lease_s=lease_s,
                   check=lambda: _check_license(webitel, license_id))


def remove_license(session: Session, webitel: WebitelClient, record_id: uuid.UUID, license_id: str, *,
                   lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    return _change(session, webitel, record_id, LICENSES, license_id, add=False, lease_s=lease_s)


def add_role(session: Session, webitel: WebitelClient, record_id: uuid.UUID, role_id: str, *,
             lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    return _change(session, webitel, record_id, ROLES, role_id, add=True, lease_s=lease_s,
                   check=lambda: _check_role(webitel, role_id))


def remove_role(session: Session, webitel: WebitelClient, record_id: uuid.UUID, role_id: str, *,
                lease_s: float = DEFAULT_LEASE_S) -> WebitelUser:
    return _change(session, webitel, record_id, ROLES, role_id, add=False, lease_s=lease_s)


def _change(session: Session, webitel: WebitelClient, record_id: uuid.UUID, kind: WholeSet, item: str, *,
            add: bool, lease_s: float, check: Callable[[], None] | None = None) -> WebitelUser:
    record = lock_active(session, webitel, record_id, lease_s=lease_s)
    name, uid = record.webitel_username, record.webitel_user_id
    action = f"{'granting' if add else 'revoking'} the {kind.noun} {item} {'to' if add else 'of'} {name}"
    steps = Steps(action)
    try:
        if add and item in kind.local_ids(record):
            raise Conflict(f"The {kind.noun} {item} is already granted to {name}", code="already_exists",
                           fields={kind.body_key: [f"already granted to {name}"]})
        if not add and item not in kind.local_ids(record):
            raise NotFound(f"{name} has no {kind.noun} {item}")
        if check is not None:
            steps.run(f"webitel.read_{kind.noun}", check)
        remote = steps.run("webitel.read_user", lambda: webitel.get_user(uid))
        before = kind.ids(remote)
        wanted = ([*before, item] if item not in before else before) if add else [i for i in before if i != item]
        if wanted != before:
            remote = steps.run("webitel.update_user", lambda: webitel.patch_user(uid, kind.body(wanted)),
                               undo=lambda: webitel.patch_user(uid, kind.body(before)),
                               confirm=lambda: _holds(webitel, uid, kind, item, add))
    except (WebitelError, OutcomeUnknown) as exc:
        session.rollback()
        raise _refusal(exc, kind, item, action, steps) from exc
    except Exception:
        session.rollback()
        raise
    kind.sync(record, remote)
    steps.commit(session, f"The change could not be saved while {action}")
    session.refresh(record)
    return record


def _holds(webitel: WebitelClient, uid: str, kind: WholeSet, item: str, add: bool) -> dict | None:
    remote = webitel.get_user(uid)
    return remote if (item in kind.ids(remote)) == add else None


def _check_license(webitel: WebitelClient, license_id: str) -> None:
    license = webitel.find_license(license_id)
    if license is None:
        raise field_error("license_id", f"Webitel has no license {license_id}")
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


def _check_role(webitel: WebitelClient, role_id: str) -> None:
    if webitel.find_role(role_id) is None:
        raise field_error("role_id", f"Webitel has no role {role_id}")


def _refusal(exc: Exception, kind: WholeSet, item: str, action: str, steps: Steps):
    """Webitel's refusal of a grant in the contract's words."""
    original = exc.original if isinstance(exc, OutcomeUnknown) else exc
    if isinstance(original, WebitelBadRequest):
        envelope = original.envelope()
        if original.error_id == E_LICENSE_EXHAUSTED:
            return _license_exhausted({"id": item}, envelope)
        if original.error_id == E_LICENSE_EXPIRED:
            return _license_expired({"id": item}, envelope)
        if original.error_id in (E_LICENSE_NOT_FOUND, E_ROLE_NOT_FOUND):
            error = field_error(kind.body_key, f"Webitel has no {kind.noun} {item}")
            error.webitel = envelope
            return error
    return upstream_error(original, action, steps=steps.as_list(),
                          outcome="unknown" if isinstance(exc, OutcomeUnknown) else "not_changed")
