"""Lists as webitel.go answers them (docs/emulator.md): page and size,
``next`` from size+1 rows, ``q`` with ``*``, sort ``+f``/``-f``/``!f``, ``fields``, repeated parameters."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import items


@pytest.fixture
def five(made) -> tuple[str, list[dict]]:
    """Five users whose usernames share a unique prefix, named e, d, c, b, a in creation order."""
    prefix = Target.unique("ct_list_")
    users = [made.user(username=f"{prefix}_{i}", name=f"{prefix} {letter}")
             for i, letter in enumerate("edcba")]
    return prefix, users


def test_pages_and_next(api, five):
    prefix, users = five
    seen, page = [], 1
    while True:
        response = api.get("/users", params={"q": f"{prefix}*", "size": 2, "page": page, "sort": "+username"})
        body = response.json()
        assert body.get("page", 0) == page
        seen += [u["id"] for u in body.get("items", [])]
        if not body.get("next"):
            break
        assert len(body["items"]) == 2
        page += 1
    assert page == 3
    assert seen == [u["id"] for u in users]


@pytest.mark.parametrize("size, has_next", [(4, True), (5, False), (6, False)])
def test_next_is_computed_from_size_plus_one(api, five, size, has_next):
    prefix, _ = five
    body = api.get("/users", params={"q": f"{prefix}*", "size": size}).json()
    assert len(body["items"]) == min(size, 5)
    assert bool(body.get("next")) is has_next


def test_a_page_past_the_end_is_empty(api, five):
    prefix, _ = five
    body = api.get("/users", params={"q": f"{prefix}*", "size": 2, "page": 4}).json()
    assert body.get("items", []) == [] and not body.get("next")


def test_q_with_star_is_a_case_insensitive_wildcard(api, five):
    prefix, users = five
    assert len(items(api.get("/users", params={"q": f"{prefix.upper()}*"}))) == 5
    assert [u["id"] for u in items(api.get("/users", params={"q": f"*{prefix[-6:]}_3"}))] == [users[3]["id"]]
    assert [u["id"] for u in items(api.get("/users", params={"q": f"{prefix}_1"}))] == [users[1]["id"]]
    assert items(api.get("/users", params={"q": prefix})) == []  # no star: the whole value must match


def test_q_matches_name_username_and_extension(api, made):
    prefix = Target.unique("ct_q_")
    extension = "7" + str(int(prefix[-10:], 16))[:9].rjust(9, "0")
    user = made.user(username=f"{prefix}_login", name=f"{prefix} Display", extension=extension)
    for q in (f"{prefix} display", f"{prefix}_LOGIN", extension, f"{extension[:5]}*"):
        assert user["id"] in [u["id"] for u in items(api.get("/users", params={"q": q}))], q


@pytest.mark.parametrize("sort, order", [("+name", "abcde"), ("name", "abcde"), ("-name", "edcba"),
                                         ("!name", "edcba"), ("-username", "abcde"), ("+username", "edcba")])
def test_sort(api, five, sort, order):
    prefix, _ = five
    names = [u["name"][-1] for u in items(api.get("/users", params={"q": f"{prefix}*", "sort": sort}))]
    assert "".join(names) == order


def test_fields_projects_list_items_and_single_objects(api, five):
    prefix, users = five
    listed = items(api.get("/users", params={"q": f"{prefix}*", "fields": ["id", "username"]}))
    assert len(listed) == 5 and all(set(u) == {"id", "username"} for u in listed)
    one = api.get(f"/users/{users[0]['id']}", params={"fields": "name"}).json()
    assert one == {"name": users[0]["name"]}


@pytest.mark.parametrize("form", ["repeated", "indexed", "brackets", "comma"])
def test_list_parameters_in_every_form_clients_send(api, five, form):
    prefix, users = five
    wanted = [users[0]["id"], users[2]["id"]]
    query = {
        "repeated": [("id", wanted[0]), ("id", wanted[1])],
        "indexed": [("id[0]", wanted[0]), ("id[1]", wanted[1])],
        "brackets": [("id[]", wanted[0]), ("id[]", wanted[1])],
        "comma": [("id", ",".join(wanted))],
    }[form]
    found = items(api.get("/users", params=[*query, ("fields", "id"), ("fields", "username")]))
    assert sorted(u["id"] for u in found) == sorted(wanted)


def test_not_id_excludes(api, five):
    prefix, users = five
    found = items(api.get("/users", params={"q": f"{prefix}*", "not_id": [users[0]["id"], users[1]["id"]]}))
    assert {u["id"] for u in found} == {u["id"] for u in users[2:]}


def test_filters_by_name_username_and_extension(api, made):
    prefix = Target.unique("ct_f_")
    user = made.user(username=f"{prefix}_x", name=f"{prefix} Filter")
    assert [u["id"] for u in items(api.get("/users", params={"username": f"{prefix}_X"}))] == [user["id"]]
    assert [u["id"] for u in items(api.get("/users", params={"name": f"{prefix}*"}))] == [user["id"]]


def test_post_search_takes_the_query_in_the_body(api, five):
    prefix, users = five
    body = api.post("/users/search", json={"q": f"{prefix}*", "size": 2, "sort": ["+name"]}).json()
    assert [u["id"] for u in body["items"]] == [users[4]["id"], users[3]["id"]] and body["next"]


@pytest.mark.parametrize("params", [{"page": "first"}, {"size": "many"}, {"any": "perhaps"}, {"id": "x1"}])
def test_malformed_list_parameters_are_refused(api, params):
    response = api.get("/users", params=params)
    assert response.status_code == 400 and response.json()["id"] == "api.process.bad_args"


def test_roles_and_devices_page_the_same_way(api, made):
    prefix = Target.unique("ct_pg_")
    for i in range(3):
        made.role(name=f"{prefix}_{i}")
        made.device(account=f"{prefix}_{i}")
    for path in ("/roles", "/devices"):
        body = api.get(path, params={"q": f"{prefix}*", "size": 2, "sort": "-name" if path == "/roles" else "-account"})
        page = body.json()
        assert page["next"] and len(page["items"]) == 2, path
        assert page["items"][0].get("name", page["items"][0].get("account")).endswith("_2")
        last = api.get(path, params={"q": f"{prefix}*", "size": 2, "page": 2}).json()
        assert len(last["items"]) == 1 and not last.get("next"), path
