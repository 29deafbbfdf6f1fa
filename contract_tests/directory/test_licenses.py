"""Licenses and seats (docs/emulator.md): remain = limit - users, "product exhausted",
granting an exhausted or expired license refused, the license set replaced as a whole."""

from __future__ import annotations

import pytest

from .conftest import error_of, items

EXHAUSTED = (400, "app.user.license.product_exhausted")
EXPIRED = (400, "app.user.license.product_expired")


def test_remain_is_limit_minus_users_on_every_license(api):
    for path in ("/license", "/products"):
        for license in items(api.get(path, params={"size": 100})):
            assert license.get("remain", 0) == license.get("limit", 0) - len(license.get("users", [])), license
            exhausted = "product exhausted" in license.get("status", {}).get("errors", [])
            assert exhausted is (license.get("remain", 0) < 1), license


SEATS = {"domains": [{
    "name": "seats",
    "admin": {"username": "admin", "password": "admin", "token": "seats-admin-token"},
    "licenses": [
        {"id": "cc-one-seat", "product": "CALL_CENTER", "limit": 1, "scope": ["cc_agent"]},
        {"id": "cm-many", "product": "CALL_MANAGER", "limit": 5, "not_after": "2999-01-01T00:00:00"},
        {"id": "chat-expired", "product": "CHAT", "limit": 5, "not_after": "2001-01-01T00:00:00"},
        {"id": "wfm-not-yet", "product": "WFM", "limit": 5, "not_before": "2999-01-01T00:00:00"},
    ],
    "users": [{"username": "ann", "name": "Ann", "extension": "1001", "licenses": ["cc-one-seat"]},
              {"username": "bob", "name": "Bob", "extension": "1002"}],
}]}


@pytest.fixture
def seats(seeded, webitel):
    """A domain whose CALL_CENTER license has one seat, held by ann."""
    token = seeded(SEATS)["seats"]
    with webitel.api_client(token) as client:
        users = {u["username"]: u for u in items(client.get("/users"))}
        yield client, users


def _license(api, serial: str) -> dict:
    found = items(api.get("/license", params={"id": serial}))
    assert len(found) == 1
    return found[0]


@pytest.mark.control_plane
def test_a_full_license_reports_product_exhausted(seats):
    api, users = seats
    license = _license(api, "cc-one-seat")
    assert license["limit"] == 1 and license.get("remain", 0) == 0
    assert license["status"]["errors"] == ["product exhausted"]
    assert [g["user"]["id"] for g in license["users"]] == [users["ann"]["id"]]
    assert "status" not in _license(api, "cm-many")


@pytest.mark.control_plane
def test_granting_an_exhausted_license_is_refused_and_changes_nothing(seats, emulator):
    api, users = seats
    before = emulator.state()
    response = api.patch(f"/users/{users['bob']['id']}", json={"license": [{"id": "cc-one-seat"}], "name": "B"})
    assert error_of(response) == EXHAUSTED
    assert "product exhausted" in response.json()["detail"]
    after = emulator.state()
    assert after["domains"] == before["domains"]


@pytest.mark.control_plane
def test_a_new_user_cannot_take_an_exhausted_seat(seats):
    api, _ = seats
    assert error_of(api.post("/users", json={"username": "carl", "license": [{"id": "cc-one-seat"}]})) == EXHAUSTED
    assert items(api.get("/users", params={"username": "carl", "any": "true"})) == []


@pytest.mark.control_plane
def test_a_freed_seat_can_be_granted(seats):
    api, users = seats
    assert "license" not in api.patch(f"/users/{users['ann']['id']}", json={"license": []}).json()
    license = _license(api, "cc-one-seat")
    assert license["remain"] == 1 and "status" not in license
    bob = api.patch(f"/users/{users['bob']['id']}", json={"license": [{"id": "cc-one-seat"}]}).json()
    assert [g["id"] for g in bob["license"]] == ["cc-one-seat"]
    assert bob["license"][0]["prod"] == "CALL_CENTER" and bob["license"][0]["issued_at"]


@pytest.mark.control_plane
def test_a_holder_keeps_its_seat_when_its_set_is_rewritten(seats):
    """The whole set is sent (webitel/client TOGGLE_USER_LICENSE): keeping a full license is not a new grant."""
    api, users = seats
    ann = api.patch(f"/users/{users['ann']['id']}",
                    json={"license": [{"id": "cc-one-seat"}, {"id": "cm-many"}]}).json()
    assert sorted(g["id"] for g in ann["license"]) == ["cc-one-seat", "cm-many"]
    issued = {g["id"]: g["issued_at"] for g in ann["license"]}
    again = api.put(f"/users/{users['ann']['id']}", json={"username": "ann", "license": [{"id": "cm-many"},
                                                                                       {"id": "cc-one-seat"}]}).json()
    assert {g["id"]: g["issued_at"] for g in again["license"]} == issued


@pytest.mark.control_plane
def test_the_license_set_is_replaced_as_a_whole(seats):
    api, users = seats
    ann_id = users["ann"]["id"]
    after = api.patch(f"/users/{ann_id}", json={"license": [{"id": "cm-many"}]}).json()
    assert [g["id"] for g in after["license"]] == ["cm-many"]
    assert _license(api, "cc-one-seat")["remain"] == 1
    assert [g["user"]["id"] for g in _license(api, "cm-many")["users"]] == [ann_id]
    # PUT without license takes them all away; PATCH of another key keeps them.
    api.patch(f"/users/{ann_id}", json={"license": [{"id": "cm-many"}]})
    assert api.patch(f"/users/{ann_id}", json={"name": "Ann B"}).json()["license"][0]["id"] == "cm-many"
    assert "license" not in api.put(f"/users/{ann_id}", json={"username": "ann"}).json()


@pytest.mark.control_plane
@pytest.mark.parametrize("serial", ["chat-expired", "wfm-not-yet"])
def test_granting_a_license_outside_its_validity_is_refused(seats, serial):
    api, users = seats
    response = api.patch(f"/users/{users['bob']['id']}", json={"license": [{"id": serial}]})
    assert error_of(response) == EXPIRED
    assert "license" not in api.get(f"/users/{users['bob']['id']}").json()
    assert "product expired" in _license(api, serial)["status"]["errors"]


@pytest.mark.control_plane
def test_an_unknown_license_is_refused(seats):
    api, users = seats
    response = api.patch(f"/users/{users['bob']['id']}", json={"license": [{"id": "no-such-serial"}]})
    assert error_of(response) == (400, "app.user.license.not_found")


@pytest.mark.control_plane
def test_license_filters(seats):
    api, users = seats
    serials = lambda **params: sorted(lic["id"] for lic in items(api.get("/license", params=params)))  # noqa: E731
    assert serials(valid="true") == ["cm-many"]
    assert serials(product="CALL_CENTER") == ["cc-one-seat"]
    assert serials(product=["chat", "wfm"]) == ["chat-expired", "wfm-not-yet"]
    assert serials(**{"user.id": users["ann"]["id"]}) == ["cc-one-seat"]
    assert serials(q="cm*") == ["cm-many"]
    assert [lic["id"] for lic in items(api.get("/products", params={"sort": "+limit", "size": 1}))] == ["cc-one-seat"]


@pytest.mark.control_plane
def test_product_users_lists_the_grants(seats):
    api, users = seats
    grants = items(api.get("/products/cc-one-seat/users"))
    assert [g["user"]["id"] for g in grants] == [users["ann"]["id"]]
    assert grants[0]["domain"]["name"] == "seats" and grants[0]["issued_at"]
    by_product = items(api.get("/products/CALL_CENTER/users"))
    assert [g["user"]["id"] for g in by_product] == [users["ann"]["id"]]
    assert items(api.get("/products/chat-expired/users")) == []
    assert error_of(api.get("/products/no-such/users")) == (404, "app.user.license.not_found")


@pytest.mark.control_plane
def test_a_soft_deleted_user_keeps_its_seat_and_a_permanent_delete_frees_it(seats):
    api, users = seats
    api.delete(f"/users/{users['ann']['id']}")
    assert _license(api, "cc-one-seat").get("remain", 0) == 0
    api.delete(f"/users/{users['ann']['id']}", params={"permanent": "true"})
    assert _license(api, "cc-one-seat")["remain"] == 1


@pytest.mark.control_plane
def test_userinfo_lists_the_users_licenses(seats, webitel):
    api, users = seats
    token = api.post(f"/users/{users['ann']['id']}/tokens", json={"usage": "t"}).json()["token"]
    with webitel.api_client(token) as as_ann:
        assert [g["id"] for g in as_ann.get("/userinfo").json()["license"]] == ["cc-one-seat"]
