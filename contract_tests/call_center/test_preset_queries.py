"""Preset queries (engine PresetQueryService, /call_center/preset/query): each user's own saved filters,
unique by section and name, any JSON preset."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.target import Target

PRESETS = f"{CC}/preset/query"


@pytest.fixture
def presets(api: httpx.Client) -> Iterator[list[tuple[httpx.Client, int]]]:
    """(client, id) of the presets the test makes, deleted afterwards by their owners."""
    made: list[tuple[httpx.Client, int]] = []
    yield made
    for client, preset_id in made:
        assert client.delete(f"{PRESETS}/{preset_id}").status_code in (200, 404)


def make(client: httpx.Client, presets: list, **body) -> dict:
    preset = ok(client.post(PRESETS, json={"name": Target.unique("ct_preset_"), "section": "agents", **body}))
    presets.append((client, preset["id"]))
    return preset


def test_a_preset_is_created_read_listed_patched_replaced_and_deleted(api, presets):
    preset = make(api, presets, description="mine", preset={"status": ["online"], "size": 20})
    assert isinstance(preset["id"], int) and preset["created_at"] and preset["preset"] == {"status": ["online"],
                                                                                           "size": 20}
    path = f"{PRESETS}/{preset['id']}"
    assert ok(api.get(path)) == preset
    assert ok(api.get(PRESETS, params={"id": preset["id"]}))["items"] == [preset]
    patched = ok(api.patch(path, json={"preset": {"size": 0}}))
    assert patched["preset"] == {"size": 0} and patched["description"] == "mine"
    replaced = ok(api.put(path, json={"name": preset["name"], "section": "queues", "preset": []}))
    assert replaced["preset"] == [] and replaced["section"] == "queues" and "description" not in replaced
    assert ok(api.delete(path))["id"] == preset["id"]
    refused(api.get(path), 404, "store.sql_preset_query.get.app_error")


def test_presets_are_filtered_by_section_and_name(api, presets):
    prefix = Target.unique("ct_preset_")
    b = make(api, presets, name=f"{prefix}b", section="agents")
    a = make(api, presets, name=f"{prefix}a", section="queues")
    assert [p["id"] for p in ok(api.get(PRESETS, params={"q": f"{prefix}*"}))["items"]] == [a["id"], b["id"]]
    assert [p["id"] for p in ok(api.get(PRESETS, params={"q": f"{prefix}*", "section": "agents"}))["items"]] == \
        [b["id"]]


def test_a_name_is_unique_per_user_and_section(api, presets):
    first = make(api, presets, section="agents")
    second = make(api, presets, section="agents")
    refused(api.post(PRESETS, json={"name": first["name"], "section": "agents"}), 409,
            "store.sql_preset_query.save.name")
    # the store expects another constraint's name on update, so the same clash is its generic 400
    refused(api.patch(f"{PRESETS}/{second['id']}", json={"name": first["name"]}), 400,
            "store.sql_preset_query.update.app_error")
    assert make(api, presets, name=first["name"], section="queues")["id"]  # another section


def test_each_user_has_their_own_presets(api, cc, webitel, presets):
    mine = make(api, presets)
    with webitel.api_client(cc.token_of(cc.user())) as as_user:
        theirs = ok(as_user.post(PRESETS, json={"name": mine["name"], "section": "agents"}))  # the same name
        assert [p["id"] for p in ok(as_user.get(PRESETS, params={"q": mine["name"]}))["items"]] == [theirs["id"]]
        for method in ("GET", "PATCH", "DELETE"):
            refused(as_user.request(method, f"{PRESETS}/{mine['id']}", json={} if method == "PATCH" else None), 404,
                    "store.sql_preset_query.get.app_error")
        ok(as_user.delete(f"{PRESETS}/{theirs['id']}"))
    assert ok(api.get(f"{PRESETS}/{mine['id']}")) == mine


@pytest.mark.parametrize("body", [{"name": 5}, {"section": {}}, {"description": False}])
def test_a_mistyped_preset_is_refused(api, body):
    refused(api.post(PRESETS, json={"name": "x", **body}), 400, "api.process.bad_args")


def test_a_missing_preset(api):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        refused(api.request(method, f"{PRESETS}/987654", json={} if method in ("PUT", "PATCH") else None), 404,
                "store.sql_preset_query.get.app_error")
