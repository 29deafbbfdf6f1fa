"""Communication types (engine CommunicationTypeService, /call_center/communication_type): codes unique
in the domain, one default per channel, columns of bounded length (their store errors are 500)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.makers import maker
from contract_tests.target import Target

TYPES = f"{CC}/communication_type"


@pytest.fixture
def kind(api: httpx.Client) -> Iterator[Callable[..., dict]]:
    """``kind(**body)`` makes a communication type with a unique name and code, deleted afterwards."""
    yield from maker(api, TYPES, lambda: {"name": Target.unique("ct_"), "code": Target.unique("ct_")})


def test_a_type_is_created_read_listed_patched_replaced_and_deleted(api, kind):
    made = kind(channel="Phone", description="mobile")
    assert made["id"].isdigit() and made["channel"] == "Phone" and "default" not in made
    path = f"{TYPES}/{made['id']}"
    assert ok(api.get(path)) == made
    assert ok(api.get(TYPES, params={"id": made["id"]}))["items"] == [made]
    patched = ok(api.patch(path, json={"description": "cell"}))
    assert (patched["code"], patched["channel"], patched["description"]) == (made["code"], "Phone", "cell")
    replaced = ok(api.put(path, json={"name": made["name"], "code": made["code"]}))
    assert "channel" not in replaced and "description" not in replaced  # Undefined, the enum's zero
    assert ok(api.delete(path))["id"] == made["id"]
    refused(api.get(path), 404, "store.sql_communication_type.get.app_error")


def test_one_default_per_channel(api, kind):
    first = kind(channel="Email", default=True)
    second = kind(channel="Email", default=True)
    phone = kind(channel="Phone", default=True)
    assert "default" not in ok(api.get(f"{TYPES}/{first['id']}"))  # the new default took it
    assert ok(api.get(f"{TYPES}/{second['id']}"))["default"] is True
    assert ok(api.get(f"{TYPES}/{phone['id']}"))["default"] is True  # another channel
    ok(api.patch(f"{TYPES}/{first['id']}", json={"default": True}))
    assert "default" not in ok(api.get(f"{TYPES}/{second['id']}"))
    ok(api.patch(f"{TYPES}/{phone['id']}", json={"channel": "Email"}))  # a default moving into the channel
    assert "default" not in ok(api.get(f"{TYPES}/{first['id']}"))


def test_types_are_filtered(api, kind):
    prefix = Target.unique("ct_")
    a = kind(name=f"{prefix}a", channel="Messaging", default=True)
    b = kind(name=f"{prefix}b", channel="Messaging", description="second line")
    listed = ok(api.get(TYPES, params={"q": f"{prefix}*"}))["items"]
    assert [t["id"] for t in listed] == [a["id"], b["id"]]  # by id
    assert [t["id"] for t in ok(api.get(TYPES, params={"q": f"{prefix}*", "default": "true"}))["items"]] == [a["id"]]
    assert [t["id"] for t in ok(api.get(TYPES, params={"q": "second*", "channel": "Messaging"}))["items"]] == \
        [b["id"]]
    assert len(ok(api.get(TYPES, params={"q": f"{prefix}*", "default": "false"}))["items"]) == 2  # no filter


def test_a_code_is_unique_in_the_domain(api, kind):
    first, second = kind(), kind()
    body = refused(api.post(TYPES, json={"name": "x", "code": first["code"]}), 500,
                   "store.sql_communication_type.save.app_error")
    assert "cc_communication_domain_id_code_uindex" in body["detail"]
    refused(api.patch(f"{TYPES}/{second['id']}", json={"code": first["code"]}), 500,
            "store.sql_communication_type.update.app_error")


@pytest.mark.parametrize("column, length", [("name", 50), ("code", 100), ("description", 200)])
def test_a_value_longer_than_its_column_is_refused(api, column, length):
    body = {"name": "x", "code": Target.unique("ct_"), column: "x" * (length + 1)}
    refused(api.post(TYPES, json=body), 500, "store.sql_communication_type.save.app_error")


@pytest.mark.parametrize("body", [{"channel": "Fax"}, {"default": "yes"}, {"name": 5}])
def test_a_mistyped_type_is_refused(api, body):
    refused(api.post(TYPES, json={"name": "x", "code": "y", **body}), 400, "api.process.bad_args")


def test_a_missing_type(api):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        refused(api.request(method, f"{TYPES}/987654321", json={} if method in ("PUT", "PATCH") else None), 404,
                "store.sql_communication_type.get.app_error")


@pytest.mark.control_plane
def test_the_demo_seed_has_a_default_type_per_channel(api):
    defaults = {t["channel"]: t["code"] for t in ok(api.get(TYPES, params={"default": "true"}))["items"]}
    assert defaults == {"Phone": "mobile", "Email": "email", "Messaging": "chat"}
