"""Lookups for the page's drop-down lists, read from Webitel (the emulator's demo seed)."""

import pytest

from tests.support.connector import error_of

LOOKUPS = "/api/v1/lookups"


def test_licenses_with_seats_left(api):
    items = {i["id"]: i for i in api.get(f"{LOOKUPS}/licenses").json["items"]}
    assert set(items) == {"cc-serial-1", "cm-serial-1", "chat-serial-1"}
    cc = items["cc-serial-1"]
    assert (cc["product"], cc["limit"], cc["remain"], cc["available"], cc["errors"]) == ("CALL_CENTER", 10, 9, True, [])
    assert items["cm-serial-1"]["not_after"] == "2030-01-01T00:00:00Z"


def test_licenses_by_product_and_only_available(api, emulator):
    assert [i["id"] for i in api.get(f"{LOOKUPS}/licenses?product=CHAT").json["items"]] == ["chat-serial-1"]
    for name in ("c1", "c2"):
        emulator.client.post("/users", json={"username": name, "license": [{"id": "chat-serial-1"}]})
    chat = api.get(f"{LOOKUPS}/licenses?product=CHAT").json["items"][0]
    assert chat["remain"] == 0 and chat["available"] is False and chat["errors"] == ["product exhausted"]
    available = [i["id"] for i in api.get(f"{LOOKUPS}/licenses?available=true").json["items"]]
    assert "chat-serial-1" not in available and "cc-serial-1" in available


def test_roles(api):
    assert [r["name"] for r in api.get(f"{LOOKUPS}/roles").json["items"]] == ["Agents", "Supervisors"]
    assert [r["name"] for r in api.get(f"{LOOKUPS}/roles?q=super").json["items"]] == ["Supervisors"]


def test_teams(api):
    teams = api.get(f"{LOOKUPS}/teams").json["items"]
    assert [(t["name"], t["strategy"]) for t in teams] == [("Support", "longest-idle-agent")]
    assert teams[0]["id"].isdigit()


def test_skills(api):
    assert sorted(s["name"] for s in api.get(f"{LOOKUPS}/skills").json["items"]) == ["Billing", "English", "Spanish"]
    assert [s["name"] for s in api.get(f"{LOOKUPS}/skills?q=ENG").json["items"]] == ["English"]


def test_pause_causes(api):
    causes = {c["name"]: c for c in api.get(f"{LOOKUPS}/pause-causes").json["items"]}
    assert set(causes) == {"Lunch", "Break", "Training", "Tea"}
    assert causes["Lunch"]["limit_min"] == 60 and causes["Training"]["limit_min"] == 0
    assert [c["name"] for c in api.get(f"{LOOKUPS}/pause-causes?q=lun").json["items"]] == ["Lunch"]


def test_each_lookup_lists_by_name_as_a_drop_down_does(api, emulator):
    """Webitel's own orders differ (skills by id, pause causes by name descending)."""
    emulator.client.post("/roles", json={"name": "auditors"})
    emulator.client.post("/call_center/skills", json={"name": "arabic"})
    names = {path: [i["name"] for i in api.get(f"{LOOKUPS}/{path}").json["items"]]
             for path in ("roles", "skills", "pause-causes")}
    assert names == {"roles": ["Agents", "auditors", "Supervisors"],
                     "skills": ["arabic", "Billing", "English", "Spanish"],
                     "pause-causes": ["Break", "Lunch", "Tea", "Training"]}
    products = [i["product"] for i in api.get(f"{LOOKUPS}/licenses").json["items"]]
    assert products == sorted(products)


def test_lookups_page_through_everything_webitel_has(api, emulator):
    for i in range(120):  # more than one page of Webitel's (the connector asks 100 at a time)
        emulator.client.post("/call_center/skills", json={"name": f"Skill {i:03d}"})
    assert len(api.get(f"{LOOKUPS}/skills").json["items"]) == 123


@pytest.mark.parametrize("path", ["licenses", "roles", "teams", "skills", "pause-causes"])
@pytest.mark.parametrize("status, code", [(503, "webitel_unavailable"), (500, "webitel_error")])
def test_a_failing_webitel_is_an_upstream_error(api, emulator, path, status, code):
    emulator.add_fault(path="/api/*", method="GET", action="error", status=status)
    response = api.get(f"{LOOKUPS}/{path}")
    assert response.status_code == {503: 503, 500: 502}[status]
    error = error_of(response)
    assert error["code"] == code and error["webitel"]["id"] == "emulator.fault"


def test_a_webitel_timeout_is_504(api, emulator):
    emulator.add_fault(path="/api/roles", action="timeout")
    response = api.get(f"{LOOKUPS}/roles")
    assert response.status_code == 504 and error_of(response)["code"] == "webitel_timeout"


def test_a_wrong_webitel_token_is_a_webitel_error(database_url, emulator):
    from connector.app import create_app, dispose
    from tests.conftest import ApiClient, connector_config

    app = create_app(connector_config(database_url, emulator, webitel_token="wrong"),
                     webitel_transport=emulator.transport)
    try:
        response = ApiClient(app).get(f"{LOOKUPS}/roles")
    finally:
        dispose(app)
    assert response.status_code == 502
    assert error_of(response)["webitel"]["id"] == "app.session.unauthenticated"


def test_unknown_lookup_parameters(api):
    assert api.get(f"{LOOKUPS}/roles?page=2").status_code == 422
