"""User settings (webitel.go ``UserSettings``, ``/user/settings/{key}``): values of the token's own
user. ``phone`` holds the WebRTC and STUN switches (``docs/emulator.md``)."""

from __future__ import annotations

from typing import Any

from ..api import gateway, protojson
from ..api.request import Call
from ..api.service import Service
from ..errors import bad_args, not_found
from ..state import Domain, dump_records
from ..store import Store, on
from .users import User

E_SETTING_NOT_FOUND = "app.user.settings.not_found"


class UserSettings(Store):
    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.values: dict[tuple[int, str], dict] = {}

    def get(self, user_id: int, key: str) -> dict:
        if (user_id, key) not in self.values:
            raise not_found(E_SETTING_NOT_FOUND, f"settings: {key} not found")
        return self.values[(user_id, key)]

    def put(self, user_id: int, key: str, value: dict[str, Any]) -> dict:
        if key == "phone":
            unknown = set(value) - {"webrtc", "stun"}
            if unknown:
                raise bad_args(f"settings: phone: unknown attributes {sorted(unknown)}")
            webrtc = bool(value.get("webrtc", False))
            # STUN only applies to WebRTC calls: with WebRTC off it is stored off, as Webitel's UI does.
            value = {"webrtc": webrtc, "stun": webrtc and bool(value.get("stun", False))}
        self.values[(user_id, key)] = value
        return value

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        if permanent:
            for key in [k for k in self.values if k[0] == user.id]:
                del self.values[key]


@dump_records("settings", lambda domain: domain.store(UserSettings).values.items(), order=50)
def _dump(domain: Domain, row: tuple[tuple[int, str], Any]) -> dict:
    (uid, key), value = row
    return {"user_id": str(uid), "key": key, "value": value}


api = Service("UserSettings", permission="users")


@api.operation("GetUserSettings", self_service=True)
def read(call: Call) -> dict:
    return call.store(UserSettings).get(call.session.user_id, call.path["key"])  # type: ignore[union-attr]


@api.operation("SetUserSettings", self_service=True)
def write(call: Call) -> dict:
    """The body is the bare value: an object (the phone's attributes typed as booleans)."""
    value = protojson.decode(gateway.PHONE_SETTINGS if call.path["key"] == "phone" else gateway.USER_SETTING,
                             call.body if call.body is not None else {})
    return call.store(UserSettings).put(call.session.user_id, call.path["key"], value)  # type: ignore[union-attr]
