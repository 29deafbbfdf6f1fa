"""Domains (webitel.go Domains: /domain, /domains[/{dc}]) and POST /signup: a user reads their own domain,
its administrator changes it; the system domain's administrators manage the others; a signed-up
domain is isolated from every other (docs/emulator.md, "Domains")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract_tests.target import Target

from .conftest import error_of, items

NOT_FOUND = (404, "app.domain.not_found")


def own(api) -> dict:
    return api.get("/domain").json()["domain"]


def test_a_user_reads_their_own_domain(api, made, user_token, webitel: Target):
    domain = own(api)
    assert domain["dc"] and domain["domain"] == api.get("/userinfo").json()["domain"] and domain["createdAt"]
    assert api.get(f"/domains/{domain['dc']}").json()["domain"] == domain
    assert api.get("/domain", params={"domain": domain["domain"]}).json()["domain"] == domain
    with webitel.api_client(user_token(made.user()["id"])) as as_user:
        assert own(as_user) == domain
        assert [d["dc"] for d in as_user.get("/domains").json()["domains"]] == [domain["dc"]]
        assert error_of(as_user.patch(f"/domains/{domain['dc']}", json={"domain": {"country": "UA"}})) == \
            (403, "api.context.permissions.app_error")


def test_a_domain_that_is_not_there(api):
    assert error_of(api.get("/domains/987654321")) == NOT_FOUND
    assert error_of(api.get("/domain", params={"domain": Target.unique("nowhere")})) == NOT_FOUND
    assert error_of(api.get("/domain", params={"dc": own(api)["dc"], "domain": "another.name"})) == NOT_FOUND


@pytest.mark.control_plane  # changes the emulator's own domain
def test_the_administrator_changes_the_organization(api):
    domain = own(api)
    path = f"/domains/{domain['dc']}"
    patched = api.patch(path, json={"domain": {"organization": "Acme Ltd", "stateOrProvince": "Kyiv"}}).json()
    assert (patched["domain"]["organization"], patched["domain"]["stateOrProvince"]) == ("Acme Ltd", "Kyiv")
    assert patched["domain"]["domain"] == domain["domain"] and patched["domain"]["updatedBy"] == "admin"
    flat = api.patch(path, json={"country": "UA"}).json()["domain"]
    assert (flat["organization"], flat["country"]) == ("Acme Ltd", "UA")
    assert error_of(api.put(path, json={"domain": {"organization": "No name"}})) == (400, "api.process.bad_args")
    replaced = api.put(path, json={"domain": {"domain": domain["domain"], "email": "it@acme.example"}}).json()
    assert replaced["domain"]["email"] == "it@acme.example" and "organization" not in replaced["domain"]
    assert error_of(api.patch(path, json={"domain": "bad name!"})) == (400, "api.process.bad_args")


# -- signup and the other domains (the emulator's control plane: they make and delete domains) ---------------
@pytest.fixture
def signup(webitel: Target) -> Iterator[httpx.Client]:
    """A client without a token (POST /signup needs none)."""
    with httpx.Client(base_url=webitel.base_url, transport=webitel.transport) as anonymous:
        yield anonymous


def sign_up(signup: httpx.Client, name: str, **fields) -> str:
    """POST /signup with a JSON body; the new session answers flat, as POST /login's does."""
    response = signup.post("/signup", json={"domain": name, "username": "boss", "password": "Boss-pass-1", **fields})
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0 and "authorization" not in token
    return token["access_token"]


@pytest.mark.control_plane
def test_signup_makes_an_isolated_domain_with_its_superuser(api, signup, webitel: Target):
    token = sign_up(signup, "new.example", extension="100")
    with webitel.api_client(token) as boss:
        me = boss.get("/userinfo").json()
        assert (me["domain"], me["username"], me["extension"]) == ("new.example", "boss", "100")
        assert [u["username"] for u in items(boss.get("/users"))] == ["boss"]
        assert items(boss.get("/license")) == [] and items(boss.get("/call_center/agents")) == []
        theirs = own(boss)
        assert (theirs["domain"], theirs["createdBy"]) == ("new.example", "boss")
        assert error_of(boss.get(f"/domains/{own(api)['dc']}")) == NOT_FOUND  # not a super-administrator
        assert [d["domain"] for d in boss.get("/domains").json()["domains"]] == ["new.example"]
        assert boss.post("/users", json={"username": "ann"}).status_code == 200
    assert not [u for u in items(api.get("/users", params={"username": "ann"}))]  # not seen from elsewhere
    login = signup.post("/login", json={"username": "boss@new.example", "password": "Boss-pass-1"})
    assert login.status_code == 200


@pytest.mark.control_plane
@pytest.mark.parametrize("params, expected", [
    ({"domain": ""}, (400, "api.process.bad_args")),
    ({"domain": "bad name"}, (400, "api.process.bad_args")),
    ({"username": ""}, (400, "api.process.bad_args")),
    ({"password": ""}, (400, "api.process.bad_args")),
    ({"certificate": "c2lnbmVk"}, (400, "app.customer.certificate.invalid")),
    ({"certificate": "%%%"}, (400, "api.process.bad_args")),
])
def test_a_bad_signup_makes_nothing(api, signup, params, expected):
    body = {"domain": "fresh.example", "username": "boss", "password": "Boss-pass-1", **params}
    assert error_of(signup.post("/signup", json=body)) == expected
    assert error_of(signup.post("/signup", params=body)) == expected
    assert [d["domain"] for d in api.get("/domains").json()["domains"]] == [own(api)["domain"]]


@pytest.mark.control_plane
def test_signup_takes_query_parameters_too_and_the_body_wins(api, signup, webitel: Target):
    """The files declare the fields as query parameters: those work, and a body's field wins."""
    response = signup.post("/signup", params={"domain": "query.example", "username": "q", "password": "Q-pass-1"})
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    mixed = signup.post("/signup", params={"domain": "ignored.example", "username": "x", "password": "X-pass-1"},
                        json={"domain": "body.example"})
    assert mixed.status_code == 200, mixed.text
    with webitel.api_client(mixed.json()["access_token"]) as boss:
        assert (boss.get("/userinfo").json()["domain"], boss.get("/userinfo").json()["username"]) == \
            ("body.example", "x")


@pytest.mark.control_plane
@pytest.mark.parametrize("body", [{"domain": 5, "username": "b", "password": "p"}, ["domain"], "text"])
def test_a_signup_body_of_the_wrong_shape_is_refused(api, signup, body):
    assert error_of(signup.post("/signup", json=body))[0] == 400
    assert [d["domain"] for d in api.get("/domains").json()["domains"]] == [own(api)["domain"]]


@pytest.mark.control_plane
def test_a_domain_name_is_taken_once(api, signup):
    sign_up(signup, "twice.example")
    assert error_of(signup.post("/signup", json={"domain": "TWICE.example", "username": "b", "password": "p"})) == \
        (409, "app.domain.conflict")
    assert error_of(signup.post("/signup", params={"domain": own(api)["domain"], "username": "b",
                                                   "password": "p"})) == (409, "app.domain.conflict")


@pytest.mark.control_plane
def test_the_system_domains_administrator_manages_other_domains(api, signup, webitel: Target):
    token = sign_up(signup, "tenant.example")
    assert api.post("/domains", json={"organization": {"domain": "made.example", "organization": "Made"},
                                      "superuser": "chief", "password": "Chief-pass-1"}).json() == {}
    listed = {d["domain"]: d for d in api.get("/domains").json()["domains"]}
    assert set(listed) == {own(api)["domain"], "tenant.example", "made.example"}
    made = listed["made.example"]
    assert (made["organization"], made["createdBy"]) == ("Made", "admin")
    assert [d["domain"] for d in api.get("/domains", params={"domain": "*.example", "sort": "-domain"})
            .json()["domains"]] == ["tenant.example", "made.example"]
    assert api.patch(f"/domains/{made['dc']}", json={"locality": "Lviv"}).json()["domain"]["locality"] == "Lviv"
    assert api.post("/login", json={"username": "chief@made.example", "password": "Chief-pass-1"}).status_code == 200
    with webitel.api_client(token) as tenant:
        assert error_of(tenant.post("/domains", json={"organization": {"domain": "x.example"}, "superuser": "x",
                                                      "password": "x"})) == (403, "api.context.permissions.app_error")
        assert error_of(tenant.delete(f"/domains/{made['dc']}")) == NOT_FOUND
        assert error_of(tenant.delete("/domain", params={"domain": "tenant.example"})) == \
            (403, "app.domain.delete.self")
    assert api.delete("/domain", params={"domain": "tenant.example"}).json() == {}
    with webitel.api_client(token) as gone:
        assert error_of(gone.get("/userinfo")) == (401, "app.session.unauthenticated")
    assert api.delete(f"/domains/{made['dc']}").json() == {}
    assert [d["domain"] for d in api.get("/domains").json()["domains"]] == [own(api)["domain"]]
    assert error_of(api.delete(f"/domains/{made['dc']}")) == NOT_FOUND
    assert error_of(api.delete(f"/domains/{own(api)['dc']}")) == (403, "app.domain.delete.self")
    assert error_of(api.delete("/domain")) == (400, "api.process.bad_args")


@pytest.mark.control_plane
def test_a_domain_is_renamed_to_a_free_name(api, signup):
    sign_up(signup, "first.example")
    dc = {d["domain"]: d["dc"] for d in api.get("/domains").json()["domains"]}["first.example"]
    assert error_of(api.patch(f"/domains/{dc}", json={"domain": own(api)["domain"]})) == (409, "app.domain.conflict")
    assert api.patch(f"/domains/{dc}", json={"domain": "second.example"}).json()["domain"]["domain"] == \
        "second.example"
    assert signup.post("/login", json={"username": "boss@second.example", "password": "Boss-pass-1"}) \
        .status_code == 200
