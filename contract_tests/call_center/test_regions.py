"""Regions (engine RegionService, /regions): create, read, list, patch, replace, delete; filters,
the default order (+name) and refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract_tests.call_center.conftest import ok, refused
from contract_tests.target import Target


@pytest.fixture
def regions(api: httpx.Client) -> Iterator[list[dict]]:
    """Regions the test makes (``made.append(...)``), deleted afterwards."""
    made: list[dict] = []
    yield made
    for region in made:
        assert api.delete(f"/regions/{region['id']}").status_code in (200, 404)


def make(api: httpx.Client, regions: list[dict], **body) -> dict:
    region = ok(api.post("/regions", json={"name": Target.unique("ct_region_"), **body}))
    regions.append(region)
    return region


def test_a_region_is_created_read_listed_patched_replaced_and_deleted(api, regions):
    region = make(api, regions, description="first", timezone={"id": "1"})
    assert region["id"].isdigit() and region["description"] == "first" and region["timezone"]["id"] == "1"
    path = f"/regions/{region['id']}"
    assert ok(api.get(path)) == region
    assert ok(api.get("/regions", params={"id": region["id"]}))["items"] == [region]
    patched = ok(api.patch(path, json={"description": "second"}))
    assert (patched["name"], patched["description"], patched["timezone"]) == (region["name"], "second",
                                                                                region["timezone"])
    replaced = ok(api.put(path, json={"name": region["name"], "timezone": {"id": "1"}}))
    assert "description" not in replaced  # PUT replaces every attribute: the omitted one is empty
    assert ok(api.delete(path))["id"] == region["id"]
    refused(api.get(path), 404, "store.sql_region.get.app_error")


def test_regions_are_listed_by_name_and_filtered(api, regions):
    prefix = Target.unique("ct_region_")
    b = make(api, regions, name=f"{prefix}b", description="x")
    a = make(api, regions, name=f"{prefix}a")
    listed = ok(api.get("/regions", params={"q": f"{prefix}*"}))["items"]
    assert [r["id"] for r in listed] == [a["id"], b["id"]]
    assert [r["id"] for r in ok(api.get("/regions", params={"name": b["name"]}))["items"]] == [b["id"]]
    assert [r["id"] for r in ok(api.get("/regions", params={"q": f"{prefix}*", "description": "x"}))["items"]] == \
        [b["id"]]


@pytest.mark.parametrize("body", [{"name": 5}, {"timezone": "1"}, {"timezone": {"id": "x"}}, {"description": []}])
def test_a_mistyped_region_is_refused(api, body):
    refused(api.post("/regions", json=body), 400, "api.process.bad_args")


def test_a_missing_region(api):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        refused(api.request(method, "/regions/999999999", json={} if method in ("PUT", "PATCH") else None), 404,
                "store.sql_region.get.app_error")
    refused(api.get("/regions/abc"), 400, "api.process.bad_args")
