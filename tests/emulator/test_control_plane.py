"""The control plane (docs/emulator.md): reset, seed, state (with no secrets in it) and presence."""

from __future__ import annotations

import json

import pytest

from emulator.testing import EmulatorHandle

SEED = {"domains": [{
    "name": "acme",
    "admin": {"username": "boss", "password": "Boss-Secret-Pw", "token": "acme-admin-secret-token"},
    "licenses": [{"id": "cc-1", "product": "CALL_CENTER", "limit": 3}],
    "roles": [{"name": "Agents"}],
    "users": [{"username": "ann", "name": "Ann", "extension": "1001", "password": "Ann-Secret-Pw",
               "licenses": ["cc-1"], "roles": ["Agents"], "token": "ann-secret-token",
               "device": {"account": "ann-desk", "password": "Sip-Secret-Pw"}}],
}]}


def users(handle: EmulatorHandle, token: str | None = None) -> list[str]:
    client = handle.api_client(token) if token else handle.client
    return [u["username"] for u in client.get("/users", params={"any": "true"}).json().get("items", [])]


# -- reset -------------------------------------------------------------------------------------------
def test_reset_goes_back_to_the_seed_and_clears_faults_and_journal(webitel_emulator):
    handle = webitel_emulator
    seeded = users(handle)
    user = handle.client.post("/users", json={"username": "temp", "extension": "4001"}).json()
    token = handle.client.post(f"/users/{user['id']}/tokens", json={"usage": "t"}).json()["token"]
    handle.set_presence(user["id"], "sip")
    handle.add_fault(path="/api/roles", action="error")
    assert handle.requests() and handle.control("GET", "/faults").json()["items"]

    answer = handle.control("POST", "/reset")
    assert answer.status_code == 200 and answer.json()["reset"] is True and answer.json()["took_ms"] >= 0
    assert handle.requests() == []
    assert handle.control("GET", "/faults").json() == {"items": []}
    assert handle.client.get("/roles").status_code == 200
    assert users(handle) == seeded
    assert handle.api_client(token).get("/userinfo").status_code == 401  # tokens minted since the seed are gone
    assert handle.client.post("/users", json={"username": "temp", "extension": "4001"}).status_code == 200


def test_reset_restores_ids_and_the_seeded_objects_exactly(webitel_emulator):
    handle = webitel_emulator
    before = handle.state()["domains"]
    first = handle.client.post("/users", json={"username": "x1"}).json()["id"]
    handle.client.patch("/users/2", json={"name": "Renamed"})
    handle.client.delete("/users/3", params={"permanent": "true"})
    handle.reset()
    assert handle.state()["domains"] == before
    assert handle.client.post("/users", json={"username": "x2"}).json()["id"] == first


# -- seed --------------------------------------------------------------------------------------------
def test_seed_replaces_the_state_and_answers_the_admin_tokens(webitel_emulator):
    handle = webitel_emulator
    old_token = handle.token
    handle.add_fault(path="/api/roles", action="error")
    handle.client.get("/roles")
    answer = handle.control("POST", "/seed", json=SEED)
    assert answer.status_code == 200
    assert answer.json() == {"domains": [{"name": "acme", "token": "acme-admin-secret-token"}]}
    assert handle.requests() == []
    assert handle.api_client(old_token).get("/users").status_code == 401
    assert users(handle, "acme-admin-secret-token") == ["boss", "ann"]
    assert handle.api_client("ann-secret-token").get("/userinfo").json()["username"] == "ann"
    assert handle.control("GET", "/faults").json() == {"items": []}


def test_reset_after_a_seed_goes_back_to_that_seed(webitel_emulator):
    handle = webitel_emulator
    handle.seed(SEED)
    handle.api_client("acme-admin-secret-token").post("/users", json={"username": "later"})
    handle.reset()
    assert users(handle, "acme-admin-secret-token") == ["boss", "ann"]


def test_the_fixture_goes_back_to_its_own_seed_after_a_test_seeded_another(webitel_emulator):
    handle = webitel_emulator
    demo = users(handle)
    handle.seed(SEED)
    handle.fresh()
    assert users(handle) == demo and handle.client.get("/userinfo").json()["domain"] == "demo"


@pytest.mark.parametrize("body, detail", [({}, "seed.domains"), ({"domains": [{"name": 5}]}, "domains[0].name"),
                                          ({"domains": [{"name": "a", "users": [{"username": "x y"}]}]},
                                           "domains[0].users[0]")])
def test_a_bad_seed_is_refused_and_changes_nothing(webitel_emulator, body, detail):
    handle = webitel_emulator
    before = handle.state()["domains"]
    answer = handle.control("POST", "/seed", json=body)
    assert answer.status_code == 400
    assert answer.json()["id"] == "emulator.seed.invalid" and answer.json()["detail"].startswith(detail)
    assert handle.state()["domains"] == before and handle.client.get("/userinfo").status_code == 200


# -- state -------------------------------------------------------------------------------------------
def test_state_holds_every_domain(webitel_emulator):
    handle = webitel_emulator
    handle.seed({"domains": [SEED["domains"][0], {"name": "other", "admin": {"token": "other-admin-token"}}]})
    state = handle.state()
    assert state["clock_ms"].isdigit()
    acme, other = state["domains"]
    assert (acme["name"], other["name"]) == ("acme", "other")
    assert [u["username"] for u in acme["users"]] == ["boss", "ann"]
    ann = acme["users"][1]
    assert ann["has_password"] and ann["license"][0]["id"] == "cc-1" and ann["roles"][0]["name"] == "Agents"
    assert acme["devices"][0]["account"] == "ann-desk" and acme["devices"][0]["has_password"]
    assert acme["licenses"][0]["remain"] == 2 and acme["roles"][0]["members"][0]["name"] == "Ann"


def test_state_has_no_secrets_in_it(webitel_emulator):
    handle = webitel_emulator
    handle.seed(SEED)
    acme = handle.api_client("acme-admin-secret-token")
    made = acme.post("/users", params={"generate_device": "true"},
                     json={"username": "dan", "password": "Dan-Secret-Pw"}).json()
    minted = acme.post(f"/users/{made['id']}/tokens", json={"usage": "creatio"}).json()["token"]
    acme.post("/devices", json={"account": "spare", "password": "Spare-Secret-Pw"})
    login = acme.post("/login", json={"username": "ann", "password": "Ann-Secret-Pw", "domain": "acme"}).json()
    directory = next(iter(handle.emulator.backend.world.domains.values())).directory
    generated = [d.password for d in directory.devices.values()]
    hashes = [u.password_hash for u in directory.users.values() if u.password_hash]
    text = json.dumps(handle.state())
    for secret in ["Boss-Secret-Pw", "Ann-Secret-Pw", "Dan-Secret-Pw", "Sip-Secret-Pw", "Spare-Secret-Pw",
                   "acme-admin-secret-token", "ann-secret-token", minted, login["access_token"], *generated, *hashes]:
        assert secret not in text


# -- presence ----------------------------------------------------------------------------------------
def test_presence_marks_the_phone_registered(webitel_emulator):
    handle = webitel_emulator
    jsmith = handle.client.get("/users", params={"username": "jsmith"}).json()["items"][0]
    device = jsmith["device"]["id"]
    assert handle.set_presence(jsmith["id"], "sip")["presence"] == {"status": "sip"}
    assert handle.client.get(f"/users/{jsmith['id']}").json()["presence"]["status"] == "sip"
    assert handle.client.get(f"/devices/{device}").json()["reged"] is True
    assert [u["id"] for u in handle.client.get("/users", params={"presence.status": "sip"}).json()["items"]] == [
        jsmith["id"]]
    assert handle.set_presence(jsmith["id"], "sip,web")["presence"]["status"] == "sip,web"
    assert handle.client.get(f"/devices/{device}").json()["reged"] is True
    handle.set_presence(jsmith["id"], "web")  # a WebRTC session registers no SIP device
    assert "reged" not in handle.client.get(f"/devices/{device}").json()
    assert "presence" not in handle.set_presence(jsmith["id"], "")


@pytest.mark.parametrize("body", [{"status": "online"}, {"status": "sip,busy"}, {"status": 1}, [1]])
def test_a_bad_presence_is_refused(webitel_emulator, body):
    answer = webitel_emulator.control("POST", "/presence/2", json=body)
    assert answer.status_code == 400
    assert "presence" not in webitel_emulator.client.get("/users/2").json()


def test_presence_of_a_missing_user_is_404(webitel_emulator):
    answer = webitel_emulator.control("POST", "/presence/999", json={"status": "sip"})
    assert answer.status_code == 404 and answer.json()["id"] == "app.user.not_found.error"
    assert webitel_emulator.control("POST", "/presence/abc", json={"status": "sip"}).status_code == 400


def test_the_control_plane_needs_no_token_and_is_never_a_webitel_path(webitel_emulator):
    assert webitel_emulator.control("GET", "/state").status_code == 200
    missing = webitel_emulator.control("GET", "/nothing")
    assert missing.status_code == 404 and missing.json()["code"] == 404
