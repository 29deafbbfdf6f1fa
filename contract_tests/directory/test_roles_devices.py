"""Roles and devices (docs/emulator.md): CRUD, search, PATCH of the keys sent, uniqueness."""

from __future__ import annotations

from contract_tests.target import Target

from .conftest import error_of, items


# -- roles -----------------------------------------------------------------------------------------
def test_role_crud(api, made):
    role = made.role(description="Handles calls", metadata={"team": "blue"}, permissions=[{"id": "read"}])
    assert role["id"].isdigit() and role["description"] == "Handles calls" and role["metadata"] == {"team": "blue"}
    assert api.get(f"/roles/{role['id']}").json() == role
    patched = api.patch(f"/roles/{role['id']}", json={"name": role["name"] + "_x"}).json()
    assert patched["name"] == role["name"] + "_x" and patched["description"] == "Handles calls"
    put = api.put(f"/roles/{role['id']}", json={"name": role["name"]}).json()
    assert put["name"] == role["name"] and "description" not in put and "metadata" not in put
    assert api.delete(f"/roles/{role['id']}").json()["deleted"]["id"] == role["id"]
    assert error_of(api.get(f"/roles/{role['id']}")) == (404, "app.role.not_found.error")


def test_role_names_are_unique_case_insensitively(api, made):
    role = made.role()
    assert error_of(api.post("/roles", json={"name": role["name"].upper()})) == (409, "app.user.conflict.error")
    other = made.role()
    before = api.get(f"/roles/{other['id']}").json()
    assert error_of(api.patch(f"/roles/{other['id']}", json={"name": role["name"]})) == (
        409, "app.user.conflict.error")
    assert api.get(f"/roles/{other['id']}").json() == before


def test_a_role_needs_a_name(api):
    assert error_of(api.post("/roles", json={"description": "nameless"})) == (400, "api.process.bad_args")


def test_role_members_follow_the_users_roles(api, made):
    role = made.role()
    ann, bob = made.user(roles=[{"id": role["id"]}]), made.user(roles=[{"id": role["id"]}])
    assert {m["id"] for m in api.get(f"/roles/{role['id']}").json()["members"]} == {ann["id"], bob["id"]}
    assert [r["id"] for r in items(api.get("/roles", params={"user.id": ann["id"]}))] == [role["id"]]
    api.delete(f"/roles/{role['id']}")
    made.roles.remove(role["id"])
    assert "roles" not in api.get(f"/users/{ann['id']}").json()


def test_role_search(api, made):
    prefix = Target.unique("ct_rs_")
    first, second = made.role(name=f"{prefix}_a"), made.role(name=f"{prefix}_b")
    assert [r["id"] for r in items(api.get("/roles", params={"q": f"{prefix}*", "sort": "-name"}))] == [
        second["id"], first["id"]]
    assert [r["id"] for r in items(api.get("/roles", params={"name": f"{prefix}_A"}))] == [first["id"]]
    assert [r["id"] for r in items(api.get("/roles", params={"ids": [first["id"]]}))] == [first["id"]]
    listed = items(api.get("/roles", params={"q": f"{prefix}*", "fields": ["id", "name"]}))
    assert all(set(r) == {"id", "name"} for r in listed)


def test_deleting_a_missing_role_is_404(api):
    assert error_of(api.delete("/roles/999999999999")) == (404, "app.role.not_found.error")


# -- devices ---------------------------------------------------------------------------------------
def test_device_crud(api, made):
    device = made.device(name="Desk", password="Sip-pass-1", brand="Yealink", model="T54W", mac="00:15:65:aa:bb:cc")
    assert device["id"].isdigit() and device["name"] == "Desk" and "password" not in device
    assert api.get(f"/devices/{device['id']}").json() == device
    patched = api.patch(f"/devices/{device['id']}", json={"name": "Desk 2"}).json()
    assert patched["name"] == "Desk 2" and patched["brand"] == "Yealink" and patched["account"] == device["account"]
    put = api.put(f"/devices/{device['id']}", json={"account": device["account"]}).json()
    assert "brand" not in put and put["name"] == device["account"]
    [deleted] = api.delete(f"/devices/{device['id']}").json()  # a bare array of the deleted devices
    assert deleted["id"] == device["id"] and deleted["deleted_at"].isdigit() and deleted["deleted_by"]["id"]
    assert error_of(api.get(f"/devices/{device['id']}")) == (404, "app.device.not_found.error")


def test_device_account_is_unique_case_insensitively(api, made):
    device = made.device()
    assert error_of(api.post("/devices", json={"account": device["account"].upper()})) == (
        409, "app.device.conflict.error")
    other = made.device()
    assert error_of(api.patch(f"/devices/{other['id']}", json={"account": device["account"]})) == (
        409, "app.device.conflict.error")
    assert api.get(f"/devices/{other['id']}").json()["account"] == other["account"]


def test_a_device_needs_an_account(api):
    assert error_of(api.post("/devices", json={"name": "No account"})) == (400, "api.process.bad_args")


def test_a_device_given_to_a_user_is_in_its_devices(api, made):
    user = made.user()
    device = made.device(user={"id": int(user["id"])})
    assert device["user"]["id"] == user["id"]
    assert [d["id"] for d in api.get(f"/users/{user['id']}").json()["devices"]] == [device["id"]]
    assert [d["id"] for d in items(api.get("/devices", params={"user.id": user["id"]}))] == [device["id"]]


def test_a_device_for_a_missing_user_is_refused(api):
    response = api.post("/devices", json={"account": Target.unique("ct_dev_"), "user": {"id": "999999999999"}})
    assert error_of(response) == (400, "app.user.not_found.error")


def test_devices_are_replaced_as_a_whole_set_on_the_user(api, made):
    first, second = made.device(), made.device()
    user = made.user(devices=[{"id": first["id"]}], device={"id": first["id"]})
    assert user["device"]["id"] == first["id"]
    after = api.patch(f"/users/{user['id']}", json={"devices": [{"id": second["id"]}], "device": {}}).json()
    assert [d["id"] for d in after["devices"]] == [second["id"]] and "device" not in after
    assert "user" not in api.get(f"/devices/{first['id']}").json()


def test_deleting_the_default_device_clears_it_on_the_user(api, made):
    user = made.user(params={"generate_device": "true"})
    api.delete(f"/devices/{user['device']['id']}")
    after = api.get(f"/users/{user['id']}").json()
    assert "device" not in after and "devices" not in after


def test_another_users_device_cannot_be_taken(api, made):
    owner = made.user(params={"generate_device": "true"})
    other = made.user()
    response = api.patch(f"/users/{other['id']}", json={"device": {"id": owner["device"]["id"]}})
    assert error_of(response) == (409, "app.device.conflict.error")
    assert api.get(f"/users/{owner['id']}").json()["device"] == owner["device"]


def test_device_search(api, made):
    prefix = Target.unique("ct_ds_")
    first, second = made.device(account=f"{prefix}_a", name="Alpha"), made.device(account=f"{prefix}_b")
    assert [d["id"] for d in items(api.get("/devices", params={"q": f"{prefix}*", "sort": "-account"}))] == [
        second["id"], first["id"]]
    assert [d["id"] for d in items(api.get("/devices", params={"account": f"{prefix}_A"}))] == [first["id"]]
    assert [d["id"] for d in items(api.get("/devices", params={"ids": [second["id"]]}))] == [second["id"]]


def test_a_mistyped_role_attribute_is_refused(api):
    for body in ({"permissions": "read"}, {"permissions": ["read"]}, {"metadata": [1]}, {"name": 7}):
        name = Target.unique("ct_role_")
        assert error_of(api.post("/roles", json={"name": name, **body})) == (400, "api.process.bad_args"), body
        assert items(api.get("/roles", params={"name": name})) == []


def test_a_mistyped_device_attribute_is_refused(api):
    for body in ({"hotdesk": "sometimes"}, {"hotdesks": "a"}, {"provision": ["x"]}, {"name": 5}):
        account = Target.unique("ct_dev_")
        assert error_of(api.post("/devices", json={"account": account, **body})) == (400, "api.process.bad_args"), body
        assert items(api.get("/devices", params={"account": account})) == []
