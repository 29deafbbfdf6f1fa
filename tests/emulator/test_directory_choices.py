"""Directory behaviour that depends on the emulator's clock, and the emulator's documented choices where
Webitel's own behaviour is not public (docs/emulator.md, "Where Webitel's behaviour is not public")."""

from __future__ import annotations

import pytest

HOUR = 3600

SEED = {"domains": [{
    "name": "clocked",
    "admin": {"username": "admin", "password": "admin-pass", "token": "clocked-token"},
    "licenses": [{"id": "cc-ends", "product": "CALL_CENTER", "limit": 5, "not_after": "2999-01-01"},
                 {"id": "cm-starts", "product": "CALL_MANAGER", "limit": 5, "not_before": "2999-01-01"}],
    "users": [{"username": "ann", "password": "ann-pass", "licenses": ["cc-ends"]}, {"username": "bob"}],
}]}


@pytest.fixture
def clocked(webitel_emulator):
    webitel_emulator.seed(SEED)
    return webitel_emulator


def years(n: int) -> float:
    return n * 366 * 24 * HOUR


def user_id(handle, username: str) -> str:
    return handle.client.get("/users", params={"username": username}).json()["items"][0]["id"]


# -- sessions --------------------------------------------------------------------------------------
def test_a_login_session_ends_after_12_hours(clocked):
    token = clocked.client.post("/login", json={"username": "ann", "password": "ann-pass"}).json()
    assert token["expires_in"] == 12 * HOUR
    session = clocked.api_client(token["access_token"])
    assert session.get("/userinfo").json()["expires_at"]
    clocked.advance_clock(12 * HOUR - 1)
    assert session.get("/userinfo").status_code == 200
    clocked.advance_clock(1)
    expired = session.get("/userinfo")
    assert expired.status_code == 401 and expired.json()["id"] == "app.session.unauthenticated"


def test_admin_and_user_access_tokens_do_not_expire(clocked):
    minted = clocked.client.post(f"/users/{user_id(clocked, 'bob')}/tokens", json={"usage": "creatio"}).json()
    clocked.advance_clock(years(5))
    assert clocked.client.get("/userinfo").status_code == 200
    assert clocked.api_client(minted["token"]).get("/userinfo").status_code == 200


def test_login_without_a_domain_works_only_with_one_domain(webitel_emulator):
    assert webitel_emulator.client.post("/login", json={"username": "admin", "password": "admin"}).status_code == 200
    webitel_emulator.seed({"domains": [SEED["domains"][0], {"name": "second", "admin": {"password": "x"}}]})
    refused = webitel_emulator.client.post("/login", json={"username": "admin", "password": "admin-pass"})
    assert refused.status_code == 401


# -- licenses over time ----------------------------------------------------------------------------
def test_a_license_that_runs_out_reports_it_and_can_no_longer_be_granted(clocked):
    api = clocked.client
    clocked.advance_clock(years(1000))
    license = api.get("/license", params={"id": "cc-ends"}).json()["items"][0]
    assert license["status"]["errors"] == ["product expired"]
    assert "cc-ends" not in [lic["id"] for lic in api.get("/license", params={"valid": "true"}).json()["items"]]
    refused = api.patch(f"/users/{user_id(clocked, 'bob')}", json={"license": [{"id": "cc-ends"}]})
    assert refused.status_code == 400 and refused.json()["id"] == "app.user.license.product_expired"
    # A holder keeps the grant it has (the call center is what stops honouring it).
    ann = api.patch(f"/users/{user_id(clocked, 'ann')}", json={"name": "Ann"}).json()
    assert [g["id"] for g in ann["license"]] == ["cc-ends"]


def test_a_license_becomes_grantable_at_not_before(clocked):
    api = clocked.client
    bob = user_id(clocked, "bob")
    assert api.patch(f"/users/{bob}", json={"license": [{"id": "cm-starts"}]}).status_code == 400
    clocked.advance_clock(years(1000))
    granted = api.patch(f"/users/{bob}", json={"license": [{"id": "cm-starts"}]})
    assert granted.status_code == 200 and granted.json()["license"][0]["prod"] == "CALL_MANAGER"


# -- choices --------------------------------------------------------------------------------------
def test_the_default_page_size_is_16(webitel_emulator):
    api = webitel_emulator.client
    for i in range(20):
        api.post("/users", json={"username": f"page_{i:02d}"})
    page = api.get("/users").json()
    assert page["size"] == 16 and len(page["items"]) == 16 and page["next"] is True


def test_a_generated_device_is_named_after_its_user(webitel_emulator):
    api = webitel_emulator.client
    user = api.post("/users", params={"generate_device": "true"}, json={"username": "ann", "name": "Ann A"}).json()
    device = api.get(f"/devices/{user['device']['id']}").json()
    assert (device["account"], device["name"]) == ("ann", "Ann A")
    directory = next(iter(webitel_emulator.emulator.backend.world.domains.values())).directory
    passwords = {d.password for d in directory.devices.values()}
    assert len(passwords) == len(directory.devices) and all(len(p) >= 20 for p in passwords)


def test_a_generated_device_is_deleted_with_its_user_and_a_given_one_is_released(webitel_emulator):
    api = webitel_emulator.client
    spare = api.post("/devices", json={"account": "spare"}).json()
    user = api.post("/users", params={"generate_device": "true"},
                    json={"username": "ann", "devices": [{"id": spare["id"]}]}).json()
    api.delete(f"/users/{user['id']}", params={"permanent": "true"})
    assert api.get(f"/devices/{user['device']['id']}").status_code == 404
    assert "user" not in api.get(f"/devices/{spare['id']}").json()


def test_email_uniqueness_is_per_domain(webitel_emulator):
    webitel_emulator.seed({"domains": [{"name": "a", "admin": {"token": "a"}},
                                       {"name": "b", "admin": {"token": "b"}}]})
    for token in ("a", "b"):
        created = webitel_emulator.api_client(token).post("/users", json={"username": "x", "email": "x@x.io"})
        assert created.status_code == 200
