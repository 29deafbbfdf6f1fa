"""System settings (engine ``SystemSettingService``, ``/settings``): a domain's configuration, one
value per name (``enable_2fa``, ``password_min_length``, ...), which other services read: the
password policy and two-factor keys of webitel.go (``directory/passwords.py``, ``two_factor.py``).

Webitel: engine ``model/system_settings.go`` (``IsValid``: each name's value type),
``store/sqlstore/system_settings_store.go`` (error ids; a second value of a name breaks
``system_settings_domain_id_name_uindex``, answered 500), ``controller/system_settings.go`` (every
operation but the search needs the ``system_setting`` action: 403 ``api.context.action.permissions``).

The emulator's choices (docs/call-center.md): names the engine's ``IsValid`` predates
(``default_members_filter``, ``self_assigned_call_sound_notification``) are typed like their
neighbours; ``password_reg_exp`` and ``password_categories`` must compile as regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..api.spec import spec
from ..errors import bad_request, forbidden, internal, not_found
from ..seed import SeedContext, entry, section
from ..state import Domain, dump_section
from ..store import Record, Table, ilike, paginate
from .base import ENGINE_PAGE_SIZE

E_SETTING_NOT_FOUND = "store.sql_sys_settings.get.app_error"
E_SETTING_SAVE = "store.sql_sys_settings.save.app_error"
E_SETTING_NAME = "model.SystemSetting.invalid_value"
E_SETTING_INT = "model.SystemSetting.invalid.int.value"
E_SETTING_STR = "model.SystemSetting.invalid.str.value"
E_SETTING_BOOL = "model.SystemSetting.invalid.bool.value"
E_ACTION_DENIED = "api.context.action.permissions"  # engine app/authentication.go MakeActionPermissionError
ACTION = "system_setting"

NO_NAME = "empty_system_settings_name"  # the enum's zero: "is not allowed"
# The names Webitel knows, in its enum's order (SearchAvailableSystemSetting lists them so).
NAMES: tuple[str, ...] = tuple(n for n in spec().definitions["engine.SystemSettingName"]["enum"] if n != NO_NAME)
INT, STR, BOOL = "int", "str", "bool"
LISTS = {"export_settings": None, "labels_to_limit_contacts": "label", "password_categories": "category"}
KIND: dict[str, str] = {
    **dict.fromkeys(("member_chunk_size", "scheme_version_limit", "search_number_length",
                     "period_to_playback_records", "push_notification_timeout", "screenshot_interval",
                     "password_expiry_days", "password_min_length", "password_warning_days"), INT),
    **dict.fromkeys(("chat_ai_connection", "password_reg_exp", "password_validation_text", "default_password",
                     "default_workspace_tab", "login_options", "default_members_filter"), STR),
    **dict.fromkeys(LISTS, "json"),
}  # every other name: a boolean (IsValid's longest case)
SPECIAL = "special"  # the password category of characters other than letters and digits (the UI's options)


@dataclass
class SystemSetting(Record):
    name: str = ""
    value: Any = None


def _regex(text: str) -> bool:
    try:
        re.compile(text)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def checked_value(name: str, value: Any) -> Any:
    """``value`` as ``IsValid`` accepts it for ``name`` (else 400 with its id): integers >= 1 (an
    integral number), non-empty strings, booleans (``ParseBool`` of the JSON: also 0 and 1), and
    the three JSON documents."""
    if name not in NAMES:
        raise bad_request(E_SETTING_NAME, f"{name} is not allowed")
    kind = KIND.get(name, BOOL)
    if kind == INT:
        number = value if type(value) is int else int(value) if type(value) is float and value.is_integer() else None
        if number is None or number < 1:
            raise bad_request(E_SETTING_INT, "The value should be more than 1")
        return number
    if kind == STR:
        if not isinstance(value, str) or not value or (name == "password_reg_exp" and not _regex(value)):
            raise bad_request(E_SETTING_STR, "The value invalid string value")
        return value
    if kind == BOOL:
        if not isinstance(value, bool) and value not in (0, 1):
            raise bad_request(E_SETTING_BOOL, "invalid bool value")
        return value
    return _document(name, value)


def _document(name: str, value: Any) -> Any:
    """``export_settings`` {format, separator}; a list of {label} / {category} (Go's json.Unmarshal)."""
    key = LISTS[name]
    if key is None:
        ok = isinstance(value, dict) and all(isinstance(value.get(k, ""), str) for k in ("format", "separator"))
        shape = '{"format": "string", "separator": "string"}'
    else:
        ok = isinstance(value, list) and all(isinstance(item, dict) and isinstance(item.get(key, ""), str)
                                             for item in value)
        if ok and name == "password_categories":
            ok = all(_regex(item.get(key, "")) for item in value if item.get(key) != SPECIAL)
        shape = f'[{{"{key}":"string"}}]'
    if not ok:
        raise bad_request(f"model.SystemSetting.{name}.invalid.value",
                          f"value is not properly formed required: {shape}")
    return value


def flag(value: Any) -> bool:
    """A boolean setting's value (``true`` or 1)."""
    return value is True or (value == 1 and not isinstance(value, bool))


class SystemSettings(Table[SystemSetting]):
    kind = "system_setting"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.by_name: dict[str, int] = {}  # system_settings_domain_id_name_uindex

    def missing(self, row_id: int) -> Exception:
        return not_found(E_SETTING_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def value(self, name: str, default: Any = None) -> Any:
        """The value of the setting ``name`` (``default`` when the domain has none)."""
        row_id = self.by_name.get(name)
        return self.rows[row_id].value if row_id is not None else default

    def create(self, *, actor: int | None, name: str, value: Any) -> SystemSetting:
        value = checked_value(name, value)
        if name in self.by_name:
            raise internal(E_SETTING_SAVE, f"name={name}, pq: duplicate key value violates unique constraint "
                                           "\"system_settings_domain_id_name_uindex\"")
        setting = self.insert(SystemSetting(name=name, value=value), actor)
        self.by_name[name] = setting.id
        self.domain.emit("system_setting.changed", name, value)
        return setting

    def update(self, setting_id: int, *, actor: int | None, value: Any) -> SystemSetting:
        """PUT and PATCH: the value replaced, checked as on create."""
        setting = self.get(setting_id)
        setting.value = checked_value(setting.name, value)
        self.put(setting, actor)
        self.domain.emit("system_setting.changed", setting.name, setting.value)
        return setting

    def delete(self, setting_id: int) -> SystemSetting:
        setting = self.pop(setting_id)
        del self.by_name[setting.name]
        self.domain.emit("system_setting.changed", setting.name, None)
        return setting

    def search(self, *, names: Collection[str] = (), q: str | None = None) -> list[SystemSetting]:
        """By name (``SystemSetting.DefaultOrder`` is ``name``)."""
        return sorted((s for s in self if (not names or s.name in names) and (not q or ilike(q, s.name))),
                      key=lambda s: s.name)

    def available(self, q: str | None = None) -> list[str]:
        """The names the domain has no value of."""
        return [n for n in NAMES if n not in self.by_name and (not q or ilike(q, n))]


def wire_setting(setting: SystemSetting) -> dict:
    return {"id": setting.id, "name": setting.name, "value": setting.value}


@dump_section("system_settings", order=62)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.SystemSetting", wire_setting(s)) for s in domain.store(SystemSettings).search()]


@section("system_settings", order=62)
def seed_settings(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``system_settings: [{name, value}]``, checked as the API checks them."""
    settings = ctx.domain.store(SystemSettings)
    for j, spec_ in enumerate(entries):
        with entry(f"{where}[{j}]"):
            settings.create(actor=ctx.admin_id, name=str(spec_.get("name", "")), value=spec_.get("value"))


# -- HTTP --------------------------------------------------------------------------------------------
# Every operation checks the action itself (self_service): the search needs none, the others the
# system_setting action, refused with the action's own error id.
api = Service("SystemSettingService", permission=ACTION)


def _allowed(call: Call, access: str) -> SystemSettings:
    assert call.session is not None
    if not call.session.root:
        raise forbidden(E_ACTION_DENIED, f"userId={call.user_id}, action={ACTION} access={access}")
    return call.store(SystemSettings)


@api.operation("SearchSystemSetting", self_service=True)
def search(call: Call) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = call.store(SystemSettings).search(names=call.query.get("name", ()), q=query.q)
    return listing(call, query, paginate(rows, query, wire_setting))


@api.operation("SearchAvailableSystemSetting", self_service=True)
def available(call: Call) -> dict:
    """Every name without a value (no paging, as Webitel's store answers)."""
    return {"items": [{"name": n} for n in _allowed(call, "read").available(call.query.get("q") or None)]}


@api.operation("CreateSystemSetting", self_service=True)
def create(call: Call) -> dict:
    settings = _allowed(call, "create")
    return wire_setting(settings.create(actor=call.user_id, name=call.body.get("name", NO_NAME),
                                        value=call.body.get("value")))


@api.operation("ReadSystemSetting", self_service=True)
def read(call: Call) -> dict:
    return wire_setting(_allowed(call, "read").get(call.path["id"]))


@api.operation("UpdateSystemSetting", self_service=True)
@api.operation("PatchSystemSetting", self_service=True)
def update(call: Call) -> dict:
    """PUT replaces the value (an absent one is refused by its type); PATCH only when ``value`` is
    in the mask and sent."""
    settings = _allowed(call, "update")
    setting = settings.get(call.path["id"])
    value = call.body["value"] if call.changed("value") and "value" in call.body else setting.value
    if call.op.method == "PUT":
        value = call.body.get("value")
    return wire_setting(settings.update(setting.id, actor=call.user_id, value=value))


@api.operation("DeleteSystemSetting", self_service=True)
def delete(call: Call) -> dict:
    return wire_setting(_allowed(call, "delete").delete(call.path["id"]))
