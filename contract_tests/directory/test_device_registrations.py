"""A device's SIP registration (GET /devices/{device.id}/registered) and its login audit
(GET /devices/{device.id}/users/audit): who held the device and when (webitel.go Devices)."""

from __future__ import annotations

import pytest

from .conftest import error_of, items


def holders(api, device_id: str, **params) -> list[dict]:
    return items(api.get(f"/devices/{device_id}/users/audit", params=params))


def test_the_audit_shows_who_held_the_device(api, made):
    ann, bob = made.user(), made.user()
    device = made.device(user={"id": ann["id"]})
    [held] = holders(api, device["id"])
    assert held["user"]["id"] == ann["id"] and held["device"]["id"] == device["id"] and held["logged_in"]
    assert "logged_out" not in held
    api.patch(f"/devices/{device['id']}", json={"user": {"id": bob["id"]}})
    newest, oldest = holders(api, device["id"])
    assert (newest["user"]["id"], oldest["user"]["id"]) == (bob["id"], ann["id"])
    assert int(oldest["logged_out"]) >= int(oldest["logged_in"]) and "logged_out" not in newest
    assert [h["user"]["id"] for h in holders(api, device["id"], **{"user.id": ann["id"]})] == [ann["id"]]
    assert holders(api, device["id"], time_till=str(int(oldest["logged_in"]) - 1)) == []
    api.patch(f"/devices/{device['id']}", json={"user": None})
    assert all("logged_out" in h for h in holders(api, device["id"]))


def test_a_device_without_a_user_has_no_audit(api, made):
    assert holders(api, made.device()["id"]) == []


def test_a_missing_device(api):
    for path in ("/devices/987654321/users/audit", "/devices/987654321/registered"):
        assert error_of(api.get(path)) == (404, "app.device.not_found.error")
    assert error_of(api.get("/devices/1/users/audit", params={"time_from": "x"})) == (400, "api.process.bad_args")


def test_an_unregistered_phone_has_no_registration(api, made):
    user = made.user()
    device = made.device(user={"id": user["id"]})
    assert items(api.get(f"/devices/{device['id']}/registered")) == []


@pytest.mark.control_plane
def test_a_registered_phone_is_listed(api, made, emulator):
    user = made.user()
    device = made.device(user={"id": user["id"]})
    emulator.set_presence(user["id"], "sip")
    [registration] = items(api.get(f"/devices/{device['id']}/registered"))
    assert registration["user"]["id"] == user["id"] and registration["device"]["id"] == device["id"]
    assert int(registration["expires_at"]) > int(registration["register_at"])
    assert api.get(f"/devices/{device['id']}").json()["reged"] is True
    assert items(api.get(f"/devices/{device['id']}/registered", params={"user.id": "1"})) == []
    emulator.advance_clock(2 * 3600)  # the phone re-registers: the registration stays ahead of the clock
    [later] = items(api.get(f"/devices/{device['id']}/registered"))
    assert int(later["expires_at"]) > emulator.advance_clock(0) and later["register_at"] == registration["register_at"]
    api.patch(f"/users/{user['id']}/presence", json={"status": "web"})  # the SIP phone went away
    assert items(api.get(f"/devices/{device['id']}/registered")) == []
