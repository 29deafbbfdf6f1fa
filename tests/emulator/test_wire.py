"""The wire, in one place: how answers are shaped (``protojson.render``) and requests read
(``protojson.decode``, ``request.read_query``, ``request.read_call``), and list paging (``store``)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from emulator.api import protojson
from emulator.api.protojson import RenderError, decode, read_int, render, render_as
from emulator.api.request import list_query, multi, read_call, read_query
from emulator.api.spec import spec
from emulator.errors import BAD_ARGS, WebitelError
from emulator.state import World
from emulator.store import ListQuery, ilike, paginate


def refused(call, *args) -> str:
    with pytest.raises(WebitelError) as info:
        call(*args)
    assert (info.value.code, info.value.id) == (400, BAD_ARGS)
    return info.value.detail


# -- scalars --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (" 42 ", 42), ("-3", -3), (0, 0), (7.0, 7), ("", 0),
                                             (2**63 - 1, 2**63 - 1), (str(-(2**63)), -(2**63))])
def test_int64_is_read_from_numbers_and_strings(value, expected):
    assert read_int(value, "id") == expected


@pytest.mark.parametrize("value", [True, False, None, 7.5, "7.5", "0x10", "seven", [7], 2**63, str(-(2**63) - 1),
                                   "٣"])
def test_int64_refuses_anything_else(value):
    assert "id" in refused(read_int, value, "id")


def test_int32_range():
    assert read_int("2147483647", "size", "int32") == 2**31 - 1
    assert "out of range" in refused(read_int, 2**31, "size", "int32")


# -- answers ---------------------------------------------------------------------------------------
def test_render_leaves_out_zero_values_and_writes_int64_as_strings():
    user = {"id": 7, "name": "", "username": "ann", "devices": [], "profile": {}, "presence": {"status": ""},
            "force_password_change": False, "created_at": 1700000000000, "created_by": {"id": 1, "name": None},
            "license": [{"id": "s", "issued_at": 0}]}
    assert render_as("apiUser", user) == {"id": "7", "username": "ann", "created_at": "1700000000000",
                                          "created_by": {"id": "1"}, "license": [{"id": "s"}]}


def test_render_keeps_list_elements_at_their_zero_value():
    assert render({"type": "array", "items": {"type": "string", "format": "int64"}}, [0, 5]) == ["0", "5"]


def test_render_writes_a_wrapper_at_zero_and_leaves_out_a_null_one():
    assert render_as("engine.AgentSkill", {"id": 1, "capacity": 0, "enabled": False}) == {"id": "1", "capacity": 0}
    assert render_as("engine.AgentSkill", {"id": 1, "capacity": None}) == {"id": "1"}
    assert render_as("engine.QueueSkill", {"id": 4, "lvl": 0, "min_capacity": 0, "max_capacity": 0}) == {
        "id": 4, "min_capacity": 0, "max_capacity": 0}  # engine.QueueSkill.id is declared an integer


def test_an_enum_is_left_out_at_its_first_value_and_read_by_name_or_number():
    assert render_as("engine.CommunicationType", {"name": "x", "channel": "Undefined"}) == {"name": "x"}
    assert render_as("engine.CommunicationType", {"name": "x", "channel": "Email"}) == {"name": "x", "channel": "Email"}
    body = {"$ref": "#/definitions/engine.CommunicationType"}
    assert decode(body, {"channel": 2}) == decode(body, {"channel": "Email"}) == {"channel": "Email"}
    assert "channel" in refused(decode, body, {"channel": "Fax"})
    assert "channel" in refused(decode, body, {"channel": 9})
    params = spec().operation("SearchCommunicationType").query_params
    assert read_query(MultiDict([("channel", "Phone"), ("channel", "3")]), params) == {
        "channel": ["Phone", "Messaging"]}
    assert "channel" in refused(read_query, MultiDict([("channel", "Fax")]), params)


def test_render_refuses_a_field_the_definition_does_not_declare():
    with pytest.raises(RenderError, match="apiRole: no field 'colour'"):
        render_as("apiRole", {"id": 1, "colour": "red"})


# -- bodies ----------------------------------------------------------------------------------------
INPUT_USER = {"$ref": "#/definitions/apiInputUser"}


def test_decode_types_every_value_and_drops_unknown_keys_and_nulls():
    body = {"username": "ann", "roles": [{"id": "3"}, {"id": 4}], "force_password_change": True,
            "profile": {"k": "v"}, "colour": "red", "email": None}
    assert decode(INPUT_USER, body) == {"username": "ann", "roles": [{"id": 3}, {"id": 4}],
                                        "force_password_change": True, "profile": {"k": "v"}}


@pytest.mark.parametrize("body, field", [
    ({"name": 5}, "name"), ({"name": ["x"]}, "name"), ({"roles": [{"id": "x"}]}, "roles[0].id"),
    ({"roles": {"id": 1}}, "roles"), ({"force_password_change": "true"}, "force_password_change"),
    ({"profile": {"k": 1}}, "profile.k"), ({"permissions": 5}, "permissions"), ({"hotdesks": "abc"}, "hotdesks"),
    ({"device": "1"}, "device"), ([1], "body"),
])
def test_decode_names_the_mistyped_field(body, field):
    assert refused(decode, INPUT_USER, body).startswith(f"{field}:")


# -- query parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    MultiDict([("id", "1"), ("id", "2"), ("id", "3")]),
    MultiDict([("id[]", "1"), ("id[]", "2"), ("id[]", "3")]),
    MultiDict([("id[2]", "3"), ("id[0]", "1"), ("id[1]", "2")]),
    MultiDict([("id", "1,2"), ("id", "3")]),
    MultiDict([("id", "1,,2,3")]),
])
def test_repeated_parameters_in_every_form_clients_send(args):
    assert multi(args, "id") == ["1", "2", "3"]
    assert read_query(args, spec().operation("SearchUsers").query_params)["id"] == [1, 2, 3]


def test_multi_ignores_lookalike_keys():
    assert multi(MultiDict([("ids", "9"), ("id[x]", "8"), ("idx", "7"), ("id", "1")]), "id") == ["1"]


def test_query_parameters_are_typed_by_the_operation():
    params = spec().operation("SearchUsers").query_params
    assert read_query(MultiDict([("q", "a,b"), ("any", "T"), ("page", "2"), ("colour", "red")]), params) == {
        "q": "a,b", "any": True, "page": 2}  # a scalar is never split; unknown parameters are ignored
    assert "any" in refused(read_query, MultiDict([("any", "yes")]), params)
    assert "page" in refused(read_query, MultiDict([("page", "two")]), params)
    assert "id" in refused(read_query, MultiDict([("id", "1,x")]), params)


def test_list_query_defaults_limits_and_sort_forms():
    query = list_query({"size": 0, "page": 0, "sort": ["+name", "-id", "!lvl"]}, 16)
    assert (query.page, query.size, query.sort) == (1, 16, (("name", False), ("id", True), ("lvl", True)))
    assert list_query({"size": 10**6}, 16).size == 20000
    assert list_query({"sort": "-id,name"}, 40).sort == (("id", True), ("name", False))  # the engine's string form


# -- whole requests --------------------------------------------------------------------------------
def call(op_id: str, body: bytes = b"", *, args=None, path=None, entity=None):
    return read_call(spec().operation(op_id), entity, path or {}, MultiDict(args or []), body, World(), None, None)


def test_a_wrapped_entity_keeps_its_siblings():
    made = call("CreateRole", b'{"role": {"name": "X"}, "copy_id": "1"}', entity="role")
    assert (made.body, made.extra) == ({"name": "X"}, {"copy_id": 1})
    flat = call("CreateRole", b'{"name": "X", "copy_id": 1}', entity="role")
    assert (flat.body, flat.extra) == ({"name": "X"}, {"copy_id": 1})


def test_the_update_mask_is_fields_when_sent_else_the_body_keys_on_patch():
    patched = call("UpdateRole2", b'{"role": {"name": "X", "description": "d"}, "fields": ["name"]}',
                   path={"role.id": "5"}, entity="role")
    assert (patched.path, patched.fields) == ({"role.id": 5}, ("name",))
    derived = call("UpdateRole2", b'{"name": "X", "metadata": {}}', path={"role.id": "5"}, entity="role")
    assert derived.fields == ("name", "metadata")
    assert call("UpdateRole", b'{"name": "X"}', path={"role.id": "5"}, entity="role").fields is None  # PUT
    nested = call("PatchQueueSkill", b'{"skill": {"id": 2}}', path={"queue_id": "1", "id": "2"})
    assert nested.fields == ("skill",)  # "skill.id" names the skill


def test_a_mistyped_value_outside_the_mask_is_still_refused():
    """protojson decodes the whole body before the handler applies the mask."""
    body = b'{"fields": ["lvl"], "lvl": 2, "max_capacity": "x"}'
    assert "max_capacity" in refused(lambda: call("PatchQueueSkill", body, path={"queue_id": "1", "id": "2"}))


def test_a_malformed_path_id_is_refused():
    assert "id" in refused(lambda: call("ReadUser", path={"id": "abc"}))


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[" * 100000 + b"]" * 100000])
def test_a_body_that_is_not_json_is_refused(body):
    assert "invalid JSON" in refused(lambda: call("CreateRole", body, entity="role"))


# -- lists -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, value, matches", [("j*", "John", True), ("*mi*", "Smith", True),
                                                     ("j_hn", "john", True), ("jo", "john", False),
                                                     ("a.c", "abc", False), ("50", "50% off", False)])
def test_ilike_is_sql_ilike_with_star_as_wildcard(pattern, value, matches):
    assert ilike(pattern, value) is matches


@pytest.mark.parametrize("size, page, ids, has_next", [(2, 1, [1, 2], True), (2, 2, [3, 4], True),
                                                       (2, 3, [5], False), (5, 1, [1, 2, 3, 4, 5], False),
                                                       (2, 4, [], False)])
def test_paginate_fetches_size_plus_one_to_tell_next(size, page, ids, has_next):
    result = paginate(range(1, 6), ListQuery(page=page, size=size), lambda i: {"id": i})
    assert ([r["id"] for r in result.items], result.next) == (ids, has_next)


def test_paginate_renders_only_the_rows_of_the_page():
    rendered = []
    paginate(range(100000), ListQuery(page=3, size=10), lambda i: rendered.append(i) or {"id": i})
    assert rendered == list(range(20, 30))


def test_paginate_sorts_nulls_first_numbers_before_text_text_case_insensitively():
    rows = [{"v": "b"}, {"v": None}, {"v": "A"}, {"v": "10"}, {"v": 2}]
    page = paginate(rows, ListQuery(sort=(("v", False),)), lambda r: r)
    assert [r["v"] for r in page.items] == [None, 2, "10", "A", "b"]


def test_shapes_are_compiled_once():
    assert protojson.shape({"$ref": "#/definitions/apiUser"}) is protojson.shape({"$ref": "#/definitions/apiUser"})
