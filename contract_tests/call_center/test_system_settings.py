"""System settings (engine SystemSettingService, /settings): one value per name, typed by name
(model/system_settings.go IsValid), the names not set yet, and the system_setting action every
operation but the search needs. Against a real Webitel the tests use settings no one uses
(search_number_length, chat_end_sound_notification) and skip when the domain has them already."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract_tests.call_center.conftest import ok, refused
from contract_tests.target import Target

NUMBER, FLAG = "search_number_length", "chat_end_sound_notification"


@pytest.fixture
def fresh(api: httpx.Client, webitel: Target) -> Iterator[list[dict]]:
    """Settings the test makes (``fresh.append``), deleted afterwards; the names the tests use must
    not be set yet (a real Webitel's domain may have them)."""
    available = {s["name"] for s in ok(api.get("/settings/available")).get("items", [])}
    webitel.require({NUMBER, FLAG} <= available, f"a domain where {NUMBER} and {FLAG} are not set")
    made: list[dict] = []
    yield made
    for setting in made:
        assert api.delete(f"/settings/{setting['id']}").status_code in (200, 404)


def make(api: httpx.Client, fresh: list[dict], name: str, value) -> dict:
    setting = ok(api.post("/settings", json={"name": name, "value": value}))
    fresh.append(setting)
    return setting


def test_a_setting_is_created_read_listed_changed_and_deleted(api, fresh):
    setting = make(api, fresh, NUMBER, 7)
    assert setting == {"id": setting["id"], "name": NUMBER, "value": 7} and isinstance(setting["id"], int)
    path = f"/settings/{setting['id']}"
    assert ok(api.get(path)) == setting
    assert ok(api.get("/settings", params={"name": NUMBER}))["items"] == [setting]
    assert NUMBER not in {s["name"] for s in ok(api.get("/settings/available"))["items"]}
    assert ok(api.put(path, json={"value": 9}))["value"] == 9
    assert ok(api.patch(path, json={"value": 11}))["value"] == 11
    assert ok(api.patch(path, json={}))["value"] == 11  # nothing in the mask: nothing changes
    assert ok(api.delete(path)) == {**setting, "value": 11}
    refused(api.get(path), 404, "store.sql_sys_settings.get.app_error")
    assert NUMBER in {s["name"] for s in ok(api.get("/settings/available"))["items"]}


def test_a_false_value_is_written(api, fresh):
    """google.protobuf.Value is a message: protojson writes it whenever it is set, false included."""
    setting = make(api, fresh, FLAG, False)
    assert setting["value"] is False and ok(api.get(f"/settings/{setting['id']}"))["value"] is False


def test_a_name_has_one_value(api, fresh):
    make(api, fresh, FLAG, True)
    body = refused(api.post("/settings", json={"name": FLAG, "value": False}), 500,
                   "store.sql_sys_settings.save.app_error")
    assert "system_settings_domain_id_name_uindex" in body["detail"]


@pytest.mark.parametrize("name, value, error_id", [
    (NUMBER, 0, "model.SystemSetting.invalid.int.value"),
    (NUMBER, "7", "model.SystemSetting.invalid.int.value"),
    (NUMBER, 1.5, "model.SystemSetting.invalid.int.value"),
    (FLAG, "true", "model.SystemSetting.invalid.bool.value"),
    ("password_validation_text", "", "model.SystemSetting.invalid.str.value"),
    ("password_reg_exp", "([a-z", "model.SystemSetting.invalid.str.value"),
    ("export_settings", {"format": 5}, "model.SystemSetting.export_settings.invalid.value"),
    ("labels_to_limit_contacts", ["x"], "model.SystemSetting.labels_to_limit_contacts.invalid.value"),
    ("password_categories", {"category": "x"}, "model.SystemSetting.password_categories.invalid.value"),
    ("empty_system_settings_name", True, "model.SystemSetting.invalid_value"),
])
def test_a_value_of_the_wrong_type_is_refused(api, fresh, name, value, error_id):
    refused(api.post("/settings", json={"name": name, "value": value}), 400, error_id)


def test_changing_a_value_checks_it_as_creating_does(api, fresh):
    setting = make(api, fresh, NUMBER, 3)
    refused(api.put(f"/settings/{setting['id']}", json={}), 400, "model.SystemSetting.invalid.int.value")
    refused(api.patch(f"/settings/{setting['id']}", json={"value": False}), 400,
            "model.SystemSetting.invalid.int.value")
    assert ok(api.get(f"/settings/{setting['id']}"))["value"] == 3


@pytest.mark.parametrize("body", [{"name": "no_such_setting"}, {"name": 5.5}, {"name": True}])
def test_an_unknown_name_is_a_bad_argument(api, body):
    refused(api.post("/settings", json=body), 400, "api.process.bad_args")


def test_available_names_are_searched(api):
    names = [s["name"] for s in ok(api.get("/settings/available", params={"q": "password*"}))["items"]]
    assert names and all(n.startswith("password") for n in names)


def test_a_missing_setting(api):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        refused(api.request(method, "/settings/987654", json={"value": 1} if method in ("PUT", "PATCH") else None),
                404, "store.sql_sys_settings.get.app_error")


def test_everyone_searches_only_the_administrator_does_the_rest(api, cc, webitel, fresh):
    setting = make(api, fresh, NUMBER, 5)
    with webitel.api_client(cc.token_of(cc.user())) as as_user:
        assert setting in ok(as_user.get("/settings"))["items"]
        for method, path, body in (("GET", f"/settings/{setting['id']}", None), ("GET", "/settings/available", None),
                                   ("POST", "/settings", {"name": FLAG, "value": True}),
                                   ("PATCH", f"/settings/{setting['id']}", {"value": 6}),
                                   ("DELETE", f"/settings/{setting['id']}", None)):
            body_ = refused(as_user.request(method, path, json=body), 403, "api.context.action.permissions")
            assert "action=system_setting" in body_["detail"]
    assert ok(api.get(f"/settings/{setting['id']}"))["value"] == 5
