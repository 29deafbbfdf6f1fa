"""Seed documents (emulator/seed.py): JSON and YAML files, the directory part of a seed, and refusals that
name the offending entry and change nothing."""

from __future__ import annotations

import contextlib
import copy
import json
import re

import pytest

from emulator.seed import DEFAULT_ADMIN_TOKEN, SeedError, build_world, demo_seed, read_seed_file, timestamp_ms
from emulator.state import Backend
from emulator.testing import in_process


def small_seed(**domain) -> dict:
    return {"domains": [{
        "name": "acme",
        "admin": {"username": "boss", "password": "boss-pass", "token": "acme-token"},
        "licenses": [{"id": "cc-1", "product": "call_center", "limit": 2, "scope": ["cc_agent"],
                      "not_after": "2999-01-01T00:00:00Z"}],
        "roles": [{"name": "Agents", "description": "Take calls"}],
        "users": [{"username": "ann", "name": "Ann", "extension": "1001", "email": "ann@acme.test",
                   "password": "ann-pass", "licenses": ["cc-1"], "roles": ["agents"], "token": "ann-token",
                   "presence": "sip"},
                  {"username": "bob", "name": "Bob", "device": False},
                  {"username": "cid", "device": {"account": "cid-desk", "name": "Desk"}}],
        **domain,
    }]}


def loaded(doc: dict) -> Backend:
    backend = Backend(build_world)
    backend.load_seed(doc)
    return backend


def refusal(doc: dict) -> str:
    with pytest.raises(SeedError) as info:
        loaded(doc)
    return str(info.value)


# -- what a seed makes ----------------------------------------------------------------------------
def test_a_seed_makes_the_directory_it_describes():
    world = loaded(small_seed()).world
    [domain] = world.domains.values()
    directory = domain.directory
    users = {u.username: u for u in directory.users.values()}
    assert set(users) == {"boss", "ann", "bob", "cid"} and users["boss"].root
    ann = users["ann"]
    assert (ann.name, ann.extension, ann.email, ann.presence) == ("Ann", "1001", "ann@acme.test", "sip")
    assert list(ann.licenses) == ["cc-1"] and directory.check_password(ann, "ann-pass")
    assert [directory.roles[r].name for r in ann.role_ids] == ["Agents"]  # roles are referred to by name
    assert directory.devices[ann.device_id].user_id == ann.id  # seeded users get a default device
    assert users["bob"].device_id is None
    assert directory.devices[users["cid"].device_id].account == "cid-desk"
    license = directory.licenses["cc-1"]
    assert license.product == "CALL_CENTER" and license.limit == 2 and license.not_after == 32472144000000
    assert world.sessions["acme-token"].root and world.sessions["ann-token"].user_id == ann.id
    assert not world.sessions["ann-token"].root


def test_the_demo_seed(monkeypatch):
    doc = demo_seed()
    assert doc["domains"][0]["name"] == "demo" and doc["domains"][0]["admin"]["token"] == DEFAULT_ADMIN_TOKEN
    monkeypatch.setenv("EMULATOR_ADMIN_TOKEN", "from-the-environment")
    assert demo_seed()["domains"][0]["admin"]["token"] == "from-the-environment"
    assert loaded(demo_seed()).world.sessions["from-the-environment"].root


def test_two_domains_in_one_seed_may_reuse_names():
    other = copy.deepcopy(small_seed()["domains"][0])
    other.update(name="other", admin={"token": "other-token"})
    for user in other["users"]:
        user.pop("token", None)
    world = loaded({"domains": [small_seed()["domains"][0], other]}).world
    assert sorted(d.name for d in world.domains.values()) == ["acme", "other"]


# -- files -------------------------------------------------------------------------------------------
def test_json_file(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(small_seed()))
    assert read_seed_file(path) == small_seed()


YAML = """
domains:
  - name: acme
    admin: {username: boss, password: boss-pass, token: acme-token}
    licenses:
      - {id: cc-1, product: CALL_CENTER, limit: 2, not_before: 2020-01-01, not_after: 2999-01-01T00:00:00Z}
    roles: [{name: Agents}]
    users:
      - username: ann
        extension: "1001"
        licenses: [cc-1]
        roles: [Agents]
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_file_with_dates(tmp_path, suffix):
    path = tmp_path / f"seed{suffix}"
    path.write_text(YAML)
    world = loaded(read_seed_file(path)).world
    [domain] = world.domains.values()
    license = domain.directory.licenses["cc-1"]
    assert (license.not_before, license.not_after) == (1577836800000, 32472144000000)
    assert [u.username for u in domain.directory.users.values()] == ["boss", "ann"]


@pytest.mark.parametrize("name, text", [("bad.json", "{not json"), ("bad.yaml", "domains: [unclosed"),
                                        ("bad.yml", "a: b: c")])
def test_an_unreadable_file_is_refused_with_its_name(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SeedError, match=name):
        read_seed_file(path)


@pytest.mark.parametrize("value, expected", [(None, 0), ("", 0), (0, 0), (1700000000000, 1700000000000),
                                             ("1700000000000", 1700000000000), ("2023-11-14T22:13:20Z", 1700000000000),
                                             ("2023-11-14T22:13:20+00:00", 1700000000000),
                                             ("2023-11-15T00:13:20+02:00", 1700000000000)])
def test_timestamps(value, expected):
    assert timestamp_ms(value, "x") == expected


def test_a_bad_timestamp_names_its_entry():
    with pytest.raises(SeedError, match=r"licenses\[0\]\.not_after"):
        timestamp_ms("next tuesday", "licenses[0].not_after")


# -- refusals ----------------------------------------------------------------------------------------
def _with(path: tuple, value) -> dict:
    doc = small_seed()
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _with_user(**user) -> dict:
    doc = small_seed()
    doc["domains"][0]["users"].append(user)
    return doc


@pytest.mark.parametrize("doc, where", [
    ([], "seed"),
    (None, "seed"),
    ({"domain": []}, "seed.domains"),
    ({"domains": {"name": "x"}}, "seed.domains"),
    ({"domains": ["acme"]}, r"domains\[0\]"),
    ({"domains": [{"admin": {}}]}, r"domains\[0\]\.name"),
    ({"domains": [{"name": "a"}, {"name": "A"}]}, r"domains\[1\]\.name: domain 'A' appears twice"),
    (_with(("domains", 0, "admin"), "boss"), r"domains\[0\]\.admin"),
    (_with(("domains", 0, "users"), {"ann": {}}), r"domains\[0\]\.users"),
    (_with(("domains", 0, "roles", 0), "Agents"), r"domains\[0\]\.roles\[0\]"),
    (_with(("domains", 0, "licenses", 0, "limit"), "ten"), r"domains\[0\]\.licenses\[0\]\.limit"),
    (_with(("domains", 0, "licenses", 0, "product"), None), r"domains\[0\]\.licenses\[0\]\.product"),
    (_with(("domains", 0, "licenses", 0, "not_after"), "soon"), r"domains\[0\]\.licenses\[0\]\.not_after"),
    (_with(("domains", 0, "admin", "username"), "big boss"), r"domains\[0\]\.admin: api\.process\.bad_args"),
    (_with(("domains", 0, "roles"), [{"name": "Agents"}, {"name": "AGENTS"}]),
     r"domains\[0\]\.roles\[1\]: app\.user\.conflict\.error"),
    (_with(("domains", 0, "roles"), [{"name": "Agents"}, {"name": "Boss"}]),
     r"domains\[0\]\.roles\[1\]: app\.user\.conflict\.error"),
    (_with_user(username="ANN"), r"domains\[0\]\.users\[3\]: app\.user\.conflict\.error"),
    (_with_user(username="dan", extension="1001"), r"domains\[0\]\.users\[3\]: app\.user\.extension\.conflict"),
    (_with_user(username="dan", email="ANN@acme.test"), r"domains\[0\]\.users\[3\]: app\.user\.email\.conflict"),
    (_with_user(username="dan", extension="10a"), r"domains\[0\]\.users\[3\]: api\.process\.bad_args"),
    (_with_user(username="dan", licenses=["cc-1", "nope"]), r"domains\[0\]\.users\[3\]: app\.user\.license\.not"),
    (_with_user(username="dan", licenses="cc-1"), r"domains\[0\]\.users\[3\]\.licenses"),
    (_with_user(username="dan", roles=["Nobody"]), r"domains\[0\]\.users\[3\]\.roles: no role named 'Nobody'"),
    (_with_user(username="dan", presence="online"), r"domains\[0\]\.users\[3\]\.presence"),
    (_with_user(username="dan", token="ann-token"), r"domains\[0\]\.users\[3\]\.token"),
    (_with_user(username="dan", token="acme-token"), r"domains\[0\]\.users\[3\]\.token"),
    (_with_user(username="dan", device={"account": "CID-DESK"}), r"domains\[0\]\.users\[3\]: app\.device\.conflict"),
])
def test_a_refused_seed_names_the_entry(doc, where):
    message = refusal(doc)
    assert re.match(where, message), message


def test_seats_are_counted_while_seeding():
    doc = small_seed()
    doc["domains"][0]["licenses"][0]["limit"] = 1
    doc["domains"][0]["users"][1]["licenses"] = ["cc-1"]
    assert refusal(doc).startswith("domains[0].users[1]: app.user.license.product_exhausted")


def test_an_expired_license_cannot_be_seeded_onto_a_user():
    doc = _with(("domains", 0, "licenses", 0, "not_after"), "2001-01-01")
    assert refusal(doc).startswith("domains[0].users[0]: app.user.license.product_expired")


def test_an_admin_token_cannot_be_shared_by_two_domains():
    other = {"name": "other", "admin": {"token": "acme-token"}}
    assert refusal({"domains": [small_seed()["domains"][0], other]}).startswith("domains[1].admin.token")


def test_a_refused_seed_changes_nothing():
    backend = loaded(small_seed())
    world, doc = backend.world, backend.seed_doc
    with pytest.raises(SeedError):
        backend.load_seed(_with_user(username="ann"))
    assert backend.world is world and backend.seed_doc is doc
    backend.reset()
    assert "acme-token" in backend.world.sessions


def test_a_refused_seed_over_the_control_plane_changes_nothing():
    handle = in_process(small_seed())
    try:
        handle.client.post("/users", json={"username": "made_after_seeding"})
        before = handle.state()
        response = handle.control("POST", "/seed", json=_with_user(username="ann"))
        assert response.status_code == 400
        error = response.json()
        assert error["id"] == "emulator.seed.invalid" and error["detail"].startswith("domains[0].users[3]")
        not_an_object = handle.control("POST", "/seed", content=b"[]")
        assert not_an_object.status_code == 400 and "JSON object" in not_an_object.json()["detail"]
        assert handle.state()["domains"] == before["domains"]
        assert handle.client.get("/userinfo").status_code == 200  # the old admin token still works
    finally:
        handle.close()


# -- no seed document makes the emulator fail -------------------------------------------------------
FULL = {"domains": [{
    "name": "x", "admin": {"username": "boss", "password": "p", "token": "t"},
    "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 5, "not_after": "2999-01-01"}],
    "roles": [{"name": "R", "description": "d"}], "teams": [{"name": "T", "strategy": "random", "wrap_up_time": 5}],
    "skills": [{"name": "S"}], "regions": [{"name": "Kyiv", "timezone_id": 1}],
    "queues": [{"name": "Q", "team": "T", "priority": 3, "skills": [{"skill": "S", "lvl": 1, "max_capacity": 90}]}],
    "users": [{"username": "a", "name": "A", "extension": "1001", "email": "a@x.io", "licenses": ["cc"],
               "roles": ["R"], "presence": "sip", "token": "a-token", "device": {"account": "a-desk"},
               "agent": {"team": "T", "status": "online", "skills": [{"skill": "S", "capacity": 10}]}}],
}]}
WRONG = [None, 5, "x", [], {}, True, -1, 10**30, [1], {"a": 1}, "", 1.5]


def _places(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _places(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*path, i)
            yield from _places(value, (*path, i))


def test_the_full_seed_loads():
    loaded(FULL)


@pytest.mark.parametrize("place", list(_places(FULL)), ids=lambda p: ".".join(map(str, p)))
def test_a_wrong_value_anywhere_is_refused_or_taken_never_a_crash(place):
    """Every value of a seed replaced by values of other types: loaded, or refused with a
    SeedError naming where (400 emulator.seed.invalid), never an unexpected exception (a 500)."""
    for wrong in WRONG:
        doc = copy.deepcopy(FULL)
        target = doc
        for key in place[:-1]:
            target = target[key]
        target[place[-1]] = wrong
        with contextlib.suppress(SeedError):
            loaded(doc)
