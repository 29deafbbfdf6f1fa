"""Domain isolation (docs/emulator.md): every lookup is scoped to the token's
domain; one domain never sees or touches another's objects; ``domain_id`` in a body is ignored."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of, items

pytestmark = pytest.mark.control_plane


def _domain(name: str) -> dict:
    # The same names in both domains: usernames, extensions, roles and serials are per domain.
    return {
        "name": name,
        "admin": {"username": "admin", "password": f"{name}-pass", "token": f"{name}-admin-token"},
        "licenses": [{"id": f"{name}-cc", "product": "CALL_CENTER", "limit": 2}],
        "roles": [{"name": "Agents"}],
        "users": [{"username": "ann", "name": f"Ann of {name}", "extension": "1001", "email": "ann@example.com",
                   "licenses": [f"{name}-cc"], "roles": ["Agents"]}],
    }


@pytest.fixture
def domains(seeded, webitel: Target):
    """Two seeded domains, ``alpha`` and ``beta``: (client, ann, role) of each."""
    tokens = seeded({"domains": [_domain("alpha"), _domain("beta")]})
    out = {}
    clients = []
    for name in ("alpha", "beta"):
        client = webitel.api_client(tokens[name])
        clients.append(client)
        ann = items(client.get("/users", params={"username": "ann"}))[0]
        role = items(client.get("/roles"))[0]
        out[name] = (client, ann, role)
    yield out
    for client in clients:
        client.close()


def test_each_domain_sees_only_its_own_objects(domains):
    alpha, alpha_ann, alpha_role = domains["alpha"]
    beta, beta_ann, beta_role = domains["beta"]
    assert alpha_ann["id"] != beta_ann["id"] and alpha_ann["name"] == "Ann of alpha"
    assert beta_ann["id"] not in [u["id"] for u in items(alpha.get("/users", params={"any": "true"}))]
    assert [r["id"] for r in items(alpha.get("/roles"))] == [alpha_role["id"]]
    assert [lic["id"] for lic in items(alpha.get("/license"))] == ["alpha-cc"]
    assert beta_ann["device"]["id"] not in [d["id"] for d in items(alpha.get("/devices"))]
    assert alpha.get("/userinfo").json()["domain"] == "alpha"


def test_another_domains_objects_are_not_found(domains):
    alpha, _, _ = domains["alpha"]
    _, beta_ann, beta_role = domains["beta"]
    assert error_of(alpha.get(f"/users/{beta_ann['id']}")) == (404, "app.user.not_found.error")
    assert error_of(alpha.get(f"/roles/{beta_role['id']}")) == (404, "app.role.not_found.error")
    assert error_of(alpha.get(f"/devices/{beta_ann['device']['id']}")) == (404, "app.device.not_found.error")
    assert error_of(alpha.get("/products/beta-cc/users")) == (404, "app.user.license.not_found")
    assert error_of(alpha.get(f"/users/{beta_ann['id']}/tokens")) == (404, "app.user.not_found.error")
    assert items(alpha.get("/users", params={"id": beta_ann["id"], "any": "true"})) == []


def test_another_domains_objects_cannot_be_touched(domains, emulator):
    alpha, alpha_ann, _ = domains["alpha"]
    beta, beta_ann, beta_role = domains["beta"]
    before = emulator.state()["domains"]
    refusals = [
        (alpha.patch(f"/users/{beta_ann['id']}", json={"name": "Hijacked"}), (404, "app.user.not_found.error")),
        (alpha.put(f"/users/{beta_ann['id']}", json={"username": "x"}), (404, "app.user.not_found.error")),
        (alpha.delete(f"/users/{beta_ann['id']}", params={"permanent": "true"}), (404, "app.user.not_found.error")),
        (alpha.post(f"/users/{beta_ann['id']}/tokens", json={"usage": "steal"}), (404, "app.user.not_found.error")),
        (alpha.patch(f"/roles/{beta_role['id']}", json={"name": "Hijacked"}), (404, "app.role.not_found.error")),
        (alpha.delete(f"/roles/{beta_role['id']}"), (404, "app.role.not_found.error")),
        (alpha.delete(f"/devices/{beta_ann['device']['id']}"), (404, "app.device.not_found.error")),
        # References into the other domain are unknown here.
        (alpha.patch(f"/users/{alpha_ann['id']}", json={"roles": [{"id": beta_role["id"]}]}),
         (400, "app.role.not_found.error")),
        (alpha.patch(f"/users/{alpha_ann['id']}", json={"license": [{"id": "beta-cc"}]}),
         (400, "app.user.license.not_found")),
        (alpha.patch(f"/users/{alpha_ann['id']}", json={"device": {"id": beta_ann["device"]["id"]}}),
         (400, "app.device.not_found.error")),
        (alpha.post("/devices", json={"account": "x1", "user": {"id": beta_ann["id"]}}),
         (400, "app.user.not_found.error")),
    ]
    for response, expected in refusals:
        assert error_of(response) == expected, response.request.url
    assert emulator.state()["domains"] == before
    assert beta.get(f"/users/{beta_ann['id']}").json() == beta_ann


def test_names_are_unique_per_domain_only(domains):
    alpha, _, _ = domains["alpha"]
    beta, _, _ = domains["beta"]
    for client in (alpha, beta):
        response = client.post("/users", json={"username": "zed", "extension": "2001", "email": "zed@example.com"})
        assert response.status_code == 200, response.text
    assert error_of(alpha.post("/users", json={"username": "ZED"})) == (409, "app.user.conflict.error")


def test_domain_id_in_a_body_is_ignored(domains):
    alpha, _, _ = domains["alpha"]
    beta, _, _ = domains["beta"]
    beta_dc = beta.get("/userinfo").json()["dc"]
    created = alpha.post("/users", json={"username": "carl", "domain_id": beta_dc, "dc": beta_dc,
                                         "domain": {"id": beta_dc}}).json()
    assert alpha.get(f"/users/{created['id']}").status_code == 200
    assert items(beta.get("/users", params={"username": "carl"})) == []


def test_login_opens_a_session_in_the_named_domain(domains, webitel: Target):
    alpha, _, _ = domains["alpha"]
    for body in ({"username": "admin", "password": "beta-pass", "domain": "beta"},
                 {"username": "admin@beta", "password": "beta-pass"}):
        token = alpha.post("/login", json=body).json()["access_token"]
        with webitel.api_client(token) as client:
            assert client.get("/userinfo").json()["domain"] == "beta"
    # A password is checked in its own domain only.
    response = alpha.post("/login", json={"username": "admin", "password": "alpha-pass", "domain": "beta"})
    assert response.status_code == 401


def test_seats_are_counted_per_domain(domains):
    alpha, _, _ = domains["alpha"]
    beta, _, _ = domains["beta"]
    alpha.post("/users", json={"username": "dora", "license": [{"id": "alpha-cc"}]})
    assert items(alpha.get("/license"))[0].get("remain", 0) == 0
    assert items(beta.get("/license"))[0]["remain"] == 1
