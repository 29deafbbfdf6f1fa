"""Users from create to delete (docs/emulator.md): the generated device, PUT vs PATCH,
soft vs permanent delete, and int64 inputs as numbers or strings."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of, items, unique_extension


def test_create_answers_the_flat_user_with_string_ids(made):
    extension, email = unique_extension(), f"{Target.unique('ct')}@example.com"
    user = made.user(name="John Smith", extension=extension, email=email, password="S3cret!pass")
    assert user["id"].isdigit() and user["name"] == "John Smith"
    assert user["extension"] == extension and user["email"] == email
    assert "password" not in user and "user" not in user


def test_read_answers_what_create_did(api, made):
    user = made.user(name="Read Me", extension=unique_extension())
    assert api.get(f"/users/{user['id']}").json() == user


def test_create_accepts_a_body_wrapped_in_user(api, made):
    username = Target.unique("ct_")
    response = api.post("/users", json={"user": {"username": username, "name": "Wrapped"}})
    assert response.status_code == 200
    made.users.append(response.json()["id"])
    assert response.json()["username"] == username and response.json()["name"] == "Wrapped"


# -- the device generated on create ------------------------------------------------------------
def test_generate_device_makes_a_sip_device_that_is_the_default_and_listed(api, made):
    user = made.user(name="Dev Owner", extension=unique_extension(), params={"generate_device": "true"})
    assert user["device"]["id"].isdigit()
    assert user["device"]["id"] in [d["id"] for d in user["devices"]]
    device = api.get(f"/devices/{user['device']['id']}").json()
    assert device["user"]["id"] == user["id"] and device["account"]
    assert "password" not in device  # the generated SIP password is never read back


def test_without_generate_device_there_is_no_default_device(made):
    user = made.user()
    assert "device" not in user and "devices" not in user


def test_the_device_template_in_the_query_names_the_generated_device(api, made):
    account = Target.unique("ct_sip_")
    user = made.user(params={"generate_device": "true", "device.name": "Desk phone", "device.account": account,
                             "device.password": "Sip-pass-123"})
    device = api.get(f"/devices/{user['device']['id']}").json()
    assert device["name"] == "Desk phone" and device["account"] == account


def test_device_generate_password_overrides_a_given_password(api, made):
    user = made.user(params={"generate_device": "true", "device.password": "ignored",
                             "device.generate_password": "true"})
    assert user["device"]["id"]


def test_a_generated_device_account_is_unique_and_a_clash_creates_no_user(api, made):
    taken = made.device(name="Taken")
    username = Target.unique("ct_")
    response = api.post("/users", params={"generate_device": "true", "device.account": taken["account"].upper()},
                        json={"username": username})
    assert error_of(response) == (409, "app.device.conflict.error")
    assert items(api.get("/users", params={"username": username, "any": "true"})) == []
    assert [d["id"] for d in items(api.get("/devices", params={"account": taken["account"]}))] == [taken["id"]]


def test_put_with_generate_device_gives_a_user_a_default_device(api, made):
    user = made.user()
    response = api.put(f"/users/{user['id']}", params={"generate_device": "true"}, json={"username": user["username"]})
    assert response.status_code == 200
    made.devices += [d["id"] for d in response.json()["devices"]]
    assert response.json()["device"]["id"] in [d["id"] for d in response.json()["devices"]]


# -- PUT replaces, PATCH changes only the keys sent ----------------------------------------------
def test_patch_changes_only_the_keys_sent(api, made):
    role = made.role()
    user = made.user(name="Before", extension=unique_extension(), email=f"{Target.unique('ct')}@example.com",
                     roles=[{"id": role["id"]}], profile={"team": "blue"}, params={"generate_device": "true"})
    response = api.patch(f"/users/{user['id']}", json={"name": "After"})
    assert response.status_code == 200
    after = response.json()
    assert after["name"] == "After"
    for key in ("username", "extension", "email", "roles", "profile", "device", "devices", "created_at"):
        assert after[key] == user[key], key
    assert api.get(f"/users/{user['id']}").json() == after


def test_patch_with_fields_changes_only_the_listed_attributes(api, made):
    extension = unique_extension()
    user = made.user(name="Before", extension=extension)
    response = api.patch(f"/users/{user['id']}", params={"fields": "name"},
                         json={"name": "After", "extension": unique_extension()})
    assert response.status_code == 200
    assert response.json()["name"] == "After" and response.json()["extension"] == extension
    assert response.json()["username"] == user["username"]  # the answer is the whole user


def test_patch_can_clear_an_attribute(api, made):
    user = made.user(extension=unique_extension())
    assert "extension" not in api.patch(f"/users/{user['id']}", json={"extension": ""}).json()


def test_put_replaces_every_editable_attribute(api, made):
    role = made.role()
    user = made.user(name="Full", extension=unique_extension(), email=f"{Target.unique('ct')}@example.com",
                     roles=[{"id": role["id"]}], profile={"k": "v"}, chat_name="Chatty")
    response = api.put(f"/users/{user['id']}", json={"username": user["username"], "name": "Only name"})
    assert response.status_code == 200
    after = response.json()
    assert after["name"] == "Only name" and after["username"] == user["username"]
    for key in ("extension", "email", "roles", "profile", "chat_name"):
        assert key not in after, key


def test_put_needs_a_username(api, made):
    user = made.user()
    assert error_of(api.put(f"/users/{user['id']}", json={"name": "No username"})) == (400, "api.process.bad_args")


def test_put_and_patch_accept_a_body_wrapped_in_user(api, made):
    user = made.user()
    assert api.patch(f"/users/{user['id']}", json={"user": {"name": "Wrapped"}}).json()["name"] == "Wrapped"


def test_roles_are_replaced_as_a_whole_set(api, made):
    first, second, third = made.role(), made.role(), made.role()
    user = made.user(roles=[{"id": first["id"]}, {"id": second["id"]}])
    assert {r["id"] for r in user["roles"]} == {first["id"], second["id"]}
    after = api.patch(f"/users/{user['id']}", json={"roles": [{"id": second["id"]}, {"id": third["id"]}]}).json()
    assert {r["id"] for r in after["roles"]} == {second["id"], third["id"]}
    assert [m["id"] for m in api.get(f"/roles/{first['id']}").json().get("members", [])] == []
    assert {r["id"] for r in items(api.get("/roles", params={"user.id": user["id"]}))} == {second["id"], third["id"]}
    assert "roles" not in api.patch(f"/users/{user['id']}", json={"roles": []}).json()


def test_an_unknown_role_is_refused_and_changes_nothing(api, made):
    user = made.user()
    before = api.get(f"/users/{user['id']}").json()
    response = api.patch(f"/users/{user['id']}", json={"roles": [{"id": "999999999999"}], "name": "Changed"})
    assert error_of(response) == (400, "app.role.not_found.error")
    assert api.get(f"/users/{user['id']}").json() == before


def test_updating_a_missing_user_is_404(api):
    for method in ("PUT", "PATCH"):
        response = api.request(method, "/users/999999999999", json={"username": Target.unique("ct_")})
        assert error_of(response) == (404, "app.user.not_found.error")


# -- int64 inputs as numbers or strings ----------------------------------------------------------
def test_int64_inputs_are_accepted_as_numbers_or_strings(api, made):
    role = made.role()
    device = made.device()
    as_number = made.user(roles=[{"id": int(role["id"])}])
    as_string = made.user(roles=[{"id": role["id"]}], device={"id": device["id"]})
    assert as_number["roles"][0]["id"] == as_string["roles"][0]["id"] == role["id"]
    assert as_string["device"]["id"] == device["id"]
    found = items(api.get("/users", params={"id": [as_number["id"], as_string["id"]]}))
    assert {u["id"] for u in found} == {as_number["id"], as_string["id"]}


@pytest.mark.parametrize("bad", ["seven", "7.5", True, "", "99999999999999999999"])
def test_a_malformed_int64_is_refused(api, made, bad):
    username = Target.unique("ct_")
    if bad == "":
        made.user(username=username, roles=[{"id": bad}])  # an empty id is "no reference", as protojson reads it
        return
    assert error_of(api.post("/users", json={"username": username, "roles": [{"id": bad}]})) == (
        400, "api.process.bad_args")
    assert items(api.get("/users", params={"username": username, "any": "true"})) == []


def test_a_malformed_id_in_the_path_is_refused(api):
    assert error_of(api.get("/users/abc")) == (400, "api.process.bad_args")


# -- soft and permanent delete ----------------------------------------------------------------------
def test_soft_delete_hides_the_user_from_search_unless_any_or_deleted(api, made):
    user = made.user(name="Soft", extension=unique_extension())
    response = api.delete(f"/users/{user['id']}")
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["deleted"]] == [user["id"]]
    assert items(api.get("/users", params={"username": user["username"]})) == []
    assert [u["id"] for u in items(api.get("/users", params={"username": user["username"], "any": "true"}))] == [
        user["id"]]
    only_deleted = items(api.get("/users", params={"deleted": "true", "username": user["username"]}))
    assert [u["id"] for u in only_deleted] == [user["id"]] and only_deleted[0]["deleted_at"]
    alive = made.user()
    assert items(api.get("/users", params={"deleted": "true", "username": alive["username"]})) == []


def test_a_soft_deleted_user_is_still_readable_and_keeps_what_it_held(api, made):
    """Webitel's unique indexes have no deleted_at predicate (docs/emulator.md): a soft-deleted user
    keeps its username, extension, email, roles and devices; its sessions and tokens end."""
    role = made.role()
    user = made.user(extension=unique_extension(), email=f"{Target.unique('ct')}@example.com",
                     roles=[{"id": role["id"]}], params={"generate_device": "true"})
    api.delete(f"/users/{user['id']}")
    read = api.get(f"/users/{user['id']}").json()
    assert read["deleted_at"] and read["deleted_by"]["id"]
    for key in ("username", "extension", "email", "roles", "device", "devices"):
        assert read[key] == user[key], key
    assert error_of(api.post("/users", json={"username": user["username"]})) == (409, "app.user.conflict.error")
    assert error_of(api.post("/users", json={"username": Target.unique("ct_"), "extension": user["extension"]})) == (
        409, "app.user.extension.conflict.error")
    assert error_of(api.post("/users", json={"username": Target.unique("ct_"), "email": user["email"]})) == (
        409, "app.user.email.conflict.error")


def test_a_soft_deleted_user_cannot_be_updated(api, made):
    user = made.user()
    api.delete(f"/users/{user['id']}")
    assert error_of(api.patch(f"/users/{user['id']}", json={"name": "x"})) == (404, "app.user.not_found.error")


def test_permanent_delete_removes_the_user_and_frees_its_names(api, made):
    extension = unique_extension()
    user = made.user(extension=extension, params={"generate_device": "true"})
    response = api.delete(f"/users/{user['id']}", params={"permanent": "true"})
    assert response.status_code == 200 and response.json()["deleted"][0]["id"] == user["id"]
    assert error_of(api.get(f"/users/{user['id']}")) == (404, "app.user.not_found.error")
    assert items(api.get("/users", params={"username": user["username"], "any": "true"})) == []
    again = made.user(username=user["username"], extension=extension)
    assert again["id"] != user["id"]


def test_permanent_delete_of_a_soft_deleted_user(api, made):
    user = made.user()
    api.delete(f"/users/{user['id']}")
    assert api.delete(f"/users/{user['id']}", params={"permanent": "true"}).status_code == 200
    assert error_of(api.get(f"/users/{user['id']}")) == (404, "app.user.not_found.error")


def test_deleting_a_missing_user_is_404(api):
    assert error_of(api.delete("/users/999999999999", params={"permanent": "true"})) == (
        404, "app.user.not_found.error")


def test_bulk_delete_is_all_or_nothing(api, made):
    """``DELETE /users?permanent=true`` with a bare JSON array of ids (users.proto: ``body: "selection"``)."""
    first, second = made.user(), made.user()
    permanent = {"permanent": "true"}
    response = api.request("DELETE", "/users", params=permanent, json=[first["id"], "999999999999"])
    assert error_of(response) == (404, "app.user.not_found.error")
    assert api.get(f"/users/{first['id']}").status_code == 200
    response = api.request("DELETE", "/users", params=permanent, json=[first["id"], int(second["id"])])
    assert {u["id"] for u in response.json()["deleted"]} == {first["id"], second["id"]}
    assert api.get(f"/users/{second['id']}").status_code == 404


def test_bulk_delete_takes_the_ids_as_a_bare_array_only(api, made):
    user = made.user()
    for body in ({"selection": [user["id"]]}, [user["id"], "x"], "1"):
        assert error_of(api.request("DELETE", "/users", params={"permanent": "true"}, json=body)) == (
            400, "api.process.bad_args"), body
    assert api.get(f"/users/{user['id']}").status_code == 200
