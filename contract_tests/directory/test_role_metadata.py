"""Role metadata (GET /roles/metadata) and the roles available to a record's access list
(GET /roles/objects/{object}/records/{record.id}); webitel.go Roles, docs/emulator.md."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of, items


def metadata(client, **params) -> dict:
    response = client.get("/roles/metadata", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_roles_metadata_whole_or_one_document(api, made):
    role = made.role(metadata={"ui": {"theme": "dark"}, "crm": {"on": False}})
    assert metadata(api, id=role["id"]) == {"value": {"ui": {"theme": "dark"}, "crm": {"on": False}}}
    assert metadata(api, id=role["id"], key="crm") == {"key": "crm", "value": {"on": False}}  # a Value is written
    assert metadata(api, id=role["id"], key="absent") == {"key": "absent"}


def test_the_callers_roles_merged_onto_the_merge_document(api, made, user_token, webitel: Target):
    first = made.role(metadata={"ui": {"theme": "dark"}, "lang": "en"})
    second = made.role(metadata={"lang": "uk"})
    user = made.user(roles=[{"id": first["id"]}, {"id": second["id"]}])
    with webitel.api_client(user_token(user["id"])) as as_user:
        assert metadata(as_user)["value"] == {"ui": {"theme": "dark"}, "lang": "uk"}  # later roles win
        assert metadata(as_user, key="lang")["value"] == "uk"
        merged = metadata(as_user, **{"merge.struct_value": '{"lang": "de", "size": 10}'})
        assert merged["value"] == {"lang": "uk", "size": 10, "ui": {"theme": "dark"}}
        assert metadata(as_user, key="absent", **{"merge.string_value": "fallback"})["value"] == "fallback"
    with webitel.api_client(user_token(made.user()["id"])) as roleless:
        assert metadata(roleless) == {}


@pytest.mark.parametrize("params, expected", [({"id": "987654321"}, (404, "app.role.not_found.error")),
                                              ({"id": "x"}, (400, "api.process.bad_args")),
                                              ({"merge.struct_value": "[1]"}, (400, "api.process.bad_args")),
                                              ({"merge.bool_value": "maybe"}, (400, "api.process.bad_args"))])
def test_bad_metadata_requests(api, params, expected):
    assert error_of(api.get("/roles/metadata", params=params)) == expected


# -- the roles available to a record ----------------------------------------------------------------------
def test_the_roles_available_to_a_record(api, made):
    prefix = Target.unique("ct_acl_")
    a = made.role(name=f"{prefix}a", description="reads everything")
    b = made.role(name=f"{prefix}b")
    user = made.user(roles=[{"id": b["id"]}])
    path = f"/roles/objects/users/records/{user['id']}"
    assert [r["id"] for r in items(api.get(path, params={"q": f"{prefix}*"}))] == [a["id"], b["id"]]
    assert [r["id"] for r in items(api.get(path, params={"q": "reads*"}))] == [a["id"]]  # the description too
    assert [r["id"] for r in items(api.get(path, params={"user.id": user["id"], "q": f"{prefix}*"}))] == [b["id"]]
    assert [r["id"] for r in items(api.get(path, params={"ids": [a["id"]]}))] == [a["id"]]
    assert [r["id"] for r in items(api.get(path, params={"name": f"{prefix}b"}))] == [b["id"]]
    assert api.get(path).json()["page"] == 1
    device = made.device()
    assert items(api.get(f"/roles/objects/devices/records/{device['id']}", params={"q": f"{prefix}*"}))


@pytest.mark.parametrize("object_, error", [("users", (404, "app.user.not_found.error")),
                                            ("roles", (404, "app.role.not_found.error")),
                                            ("devices", (404, "app.device.not_found.error")),
                                            ("no_such_class", (400, "api.process.bad_args"))])
def test_a_record_that_is_not_there(api, object_, error):
    assert error_of(api.get(f"/roles/objects/{object_}/records/987654321")) == error
