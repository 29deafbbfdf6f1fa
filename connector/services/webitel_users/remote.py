"""What a Webitel user holds, in the record's terms, and how the two compare: one home for reading
Webitel's user JSON (licenses, roles, extension, device) and for the rule "what differs"."""

from __future__ import annotations

from typing import Any

from ...models import WebitelUser, WebitelUserLicense, WebitelUserRole

# Marks the Webitel users the connector creates with the record's id, so that a user whose create
# answer was lost is found and linked, and never mistaken for someone else's user with the username.
RECORD_MARK = "creatio_record_id"


def licenses_of(remote: dict) -> dict[str, str]:
    """License serial -> product."""
    return {str(g["id"]): str(g.get("prod") or "") for g in remote.get("license") or [] if g.get("id")}


def roles_of(remote: dict) -> dict[str, str]:
    """Role id -> name."""
    return {str(r["id"]): str(r.get("name") or "") for r in remote.get("roles") or [] if r.get("id")}


def extension_of(remote: dict) -> str | None:
    return remote.get("extension") or None


def is_own(remote: dict | None, record: WebitelUser) -> bool:
    return remote is not None and (remote.get("profile") or {}).get(RECORD_MARK) == str(record.id)


def link(record: WebitelUser, remote: dict) -> None:
    """Copy what Webitel decided about the user (its id, the default device) onto the record."""
    device = remote.get("device") or {}
    record.webitel_user_id = str(remote["id"])
    record.default_device_id = str(device["id"]) if device.get("id") else None
    record.default_device_name = device.get("name") or None


def set_licenses(record: WebitelUser, licenses: dict[str, str]) -> None:
    """Make the record's licenses exactly ``licenses`` (serial -> product), touching only what differs."""
    for row in list(record.licenses):
        if row.license_id not in licenses:
            record.licenses.remove(row)
        elif licenses[row.license_id] and row.product != licenses[row.license_id]:
            row.product = licenses[row.license_id]
    have = {row.license_id for row in record.licenses}
    record.licenses.extend(WebitelUserLicense(license_id=serial, product=product)
                           for serial, product in sorted(licenses.items()) if serial not in have)


def set_roles(record: WebitelUser, roles: dict[str, str]) -> None:
    for row in list(record.roles):
        if row.role_id not in roles:
            record.roles.remove(row)
        elif roles[row.role_id] and row.name != roles[row.role_id]:
            row.name = roles[row.role_id]
    have = {row.role_id for row in record.roles}
    record.roles.extend(WebitelUserRole(role_id=role_id, name=name)
                        for role_id, name in sorted(roles.items()) if role_id not in have)


def wanted(record: WebitelUser) -> dict[str, Any]:
    """The record's side of the comparison."""
    return {"extension": record.extension, "licenses": sorted(row.license_id for row in record.licenses),
            "roles": sorted(row.role_id for row in record.roles), "stun_enabled": record.stun_enabled}


def held(remote: dict, *, stun: bool | None = None) -> dict[str, Any]:
    """Webitel's side of the comparison (``stun``: None when it was not read)."""
    values: dict[str, Any] = {"extension": extension_of(remote), "licenses": sorted(licenses_of(remote)),
                              "roles": sorted(roles_of(remote))}
    if stun is not None:
        values["stun_enabled"] = stun
    return values


def differences(record: WebitelUser, remote: dict, *, stun: bool | None = None) -> dict[str, dict[str, Any]]:
    """Each field on which the record and Webitel's user differ, with both values."""
    mine, theirs = wanted(record), held(remote, stun=stun)
    return {key: {"record": mine[key], "webitel": theirs[key]} for key in theirs if mine[key] != theirs[key]}


def user_patch(record: WebitelUser, remote: dict) -> dict[str, Any]:
    """The ``PATCH /users/{id}`` body that makes Webitel's user what the record says (whole sets:
    Webitel takes licenses and roles only as a whole)."""
    diff = differences(record, remote)
    patch: dict[str, Any] = {}
    if "extension" in diff:
        patch["extension"] = record.extension or ""
    if "licenses" in diff:
        patch["license"] = [{"id": row.license_id} for row in record.licenses]
    if "roles" in diff:
        patch["roles"] = [{"id": row.role_id} for row in record.roles]
    return patch


def matches(record: WebitelUser, remote: dict) -> bool:
    return not differences(record, remote)
