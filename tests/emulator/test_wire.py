"""Webitel's JSON conventions (emulator/wire.py): int64 as strings, zero values left out, list queries."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from emulator import wire
from emulator.errors import BAD_ARGS, WebitelError


def refused(call, *args) -> str:
    with pytest.raises(WebitelError) as info:
        call(*args)
    assert (info.value.code, info.value.id) == (400, BAD_ARGS)
    return info.value.detail


# -- scalars --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (" 42 ", 42), ("-3", -3), (0, 0),
                                             (2**63 - 1, 2**63 - 1), (str(-(2**63)), -(2**63))])
def test_int64_is_read_from_numbers_and_strings(value, expected):
    assert wire.parse_int64(value, "id") == expected


@pytest.mark.parametrize("value", [True, False, None, 7.0, "7.5", "", "0x10", "seven", [7], 2**63, str(-(2**63) - 1)])
def test_int64_refuses_anything_else(value):
    assert "id" in refused(wire.parse_int64, value, "id")


def test_int32_range():
    assert wire.parse_int32("2147483647", "size") == 2**31 - 1
    assert "out of range" in refused(wire.parse_int32, 2**31, "size")


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("true", True), ("FALSE", False),
                                             ("1", True), ("0", False)])
def test_bool(value, expected):
    assert wire.parse_bool(value, "any") is expected


@pytest.mark.parametrize("value", ["yes", "", 1, None, [True]])
def test_bool_refuses_anything_else(value):
    refused(wire.parse_bool, value, "any")


def test_str():
    assert wire.parse_str("x", "name") == "x" and wire.parse_str(None, "name") == ""
    for value in (5, True, ["x"], {"a": 1}):
        refused(wire.parse_str, value, "name")


def test_lists_and_maps():
    assert wire.parse_list(None, "f") == [] and wire.parse_list([1], "f") == [1]
    assert wire.parse_str_list(["a", "b"], "f") == ["a", "b"]
    assert wire.parse_object(None, "m") == {} and wire.parse_str_map({"k": "v"}, "m") == {"k": "v"}
    refused(wire.parse_list, "ab", "f")
    refused(wire.parse_str_list, ["a", 1], "f")
    refused(wire.parse_object, [1], "m")
    assert "m.k" in refused(wire.parse_str_map, {"k": 1}, "m")


@pytest.mark.parametrize("value, expected", [({"id": "5", "name": "x"}, 5), ({"id": 5}, 5), ("5", 5), (5, 5),
                                             (None, None), ({}, None), ("", None), ({"id": ""}, None),
                                             ({"id": "0"}, None), ({"name": "only"}, None)])
def test_ref_id(value, expected):
    assert wire.ref_id(value, "team") == expected


def test_ref_id_refuses_a_malformed_id():
    assert "team.id" in refused(wire.ref_id, {"id": "five"}, "team")


def test_ref_list_drops_duplicates_and_empty_references_and_keeps_order():
    assert wire.ref_list([{"id": "3"}, {"id": 1}, {"id": "3"}, {}, "2"], "roles") == [3, 1, 2]
    assert wire.ref_list(None, "roles") == []
    assert "roles[1].id" in refused(wire.ref_list, [{"id": 1}, {"id": "x"}], "roles")
    refused(wire.ref_list, {"id": 1}, "roles")


def test_int64_is_written_as_a_string_and_zero_is_absent():
    assert wire.i64(42) == "42" and wire.i64(0) is None and wire.i64(None) is None
    assert wire.ref(5, "x") == {"id": "5", "name": "x"} and wire.ref(5) == {"id": "5"}
    assert wire.ref(0, "x") is None and wire.ref(None) is None


def test_compact_drops_protojson_zero_values():
    obj = {"a": 0, "b": False, "c": "", "d": [], "e": {}, "f": None, "g": 1, "h": "x", "i": [0], "j": True}
    assert wire.compact(obj) == {"g": 1, "h": "x", "i": [0], "j": True}


def test_compact_keeps_wrapper_typed_zeroes():
    assert wire.compact({"capacity": 0, "lvl": 0, "max": None}, keep_zero=("capacity", "max")) == {"capacity": 0}


# -- list queries --------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    MultiDict([("id", "1"), ("id", "2"), ("id", "3")]),
    MultiDict([("id[]", "1"), ("id[]", "2"), ("id[]", "3")]),
    MultiDict([("id[2]", "3"), ("id[0]", "1"), ("id[1]", "2")]),
    MultiDict([("id", "1,2"), ("id", "3")]),
    MultiDict([("id", "1,,2,3")]),
    {"id": ["1", "2", "3"]},
    {"id": "1,2,3"},
])
def test_multi_reads_every_form_clients_send(args):
    assert wire.multi(args, "id") == ["1", "2", "3"]
    assert wire.multi_int(args, "id") == [1, 2, 3]


def test_multi_ignores_lookalike_keys():
    args = MultiDict([("ids", "9"), ("id[x]", "8"), ("idx", "7"), ("id", "1")])
    assert wire.multi(args, "id") == ["1"]
    assert wire.multi(MultiDict(), "id") == []


def test_multi_int_refuses_a_malformed_id():
    refused(wire.multi_int, MultiDict([("id", "1,x")]), "id")


@pytest.mark.parametrize("pattern, value, matches", [
    ("jsm*", "jsmith", True), ("JSM*", "jsmith", True), ("*ith", "jsmith", True), ("*MI*", "jsmith", True),
    ("jsmith", "JSmith", True), ("jsm", "jsmith", False), ("j%h", "jsmith", True), ("j_mith", "jsmith", True),
    ("j_mith", "jssmith", False), ("a.b", "axb", False), ("a.b", "a.b", True), ("(x)*", "(x)y", True),
    ("*", "", True), ("x*", None, False), ("line*", "line\nbreak", True),
])
def test_ilike_is_sql_ilike_with_star_as_wildcard(pattern, value, matches):
    assert wire.ilike(pattern, value) is matches


def test_list_query_defaults_and_limits():
    query = wire.ListQuery.parse(MultiDict(), default_size=16)
    assert (query.page, query.size, query.q, query.sort, query.fields, query.offset) == (1, 16, None, (), (), 0)
    query = wire.ListQuery.parse(MultiDict([("page", "0"), ("size", "-5")]), default_size=40)
    assert (query.page, query.size) == (1, 40)
    query = wire.ListQuery.parse(MultiDict([("page", "3"), ("size", "99999")]), default_size=40, max_size=20000)
    assert (query.size, query.offset) == (20000, 40000)
    refused(wire.ListQuery.parse, MultiDict([("page", "x")]), 16)


def test_list_query_sort_forms():
    args = MultiDict([("sort", "+name"), ("sort", "-id,!extension"), ("sort", "username"), ("q", "a*"),
                      ("fields", "id"), ("fields[]", "name")])
    query = wire.ListQuery.parse(args, default_size=16)
    assert query.sort == (("name", False), ("id", True), ("extension", True), ("username", False))
    assert query.q == "a*" and query.fields == ("id", "name")


ROWS = [{"id": str(i), "name": name} for i, name in enumerate(["b", "A", "c", None, "10", "9"], start=1)]


def _page(size: int, page: int = 1, *sort: str):
    query = wire.ListQuery.parse(MultiDict([("size", str(size)), ("page", str(page))] + [("sort", s) for s in sort]),
                                 default_size=16)
    rows, has_next = wire.page_of(ROWS, query, default_sort=lambda r: int(r["id"]))
    return [r["id"] for r in rows], has_next


@pytest.mark.parametrize("size, page, ids, has_next", [
    (2, 1, ["1", "2"], True), (2, 3, ["5", "6"], False), (6, 1, ["1", "2", "3", "4", "5", "6"], False),
    (5, 1, ["1", "2", "3", "4", "5"], True), (4, 2, ["5", "6"], False), (2, 4, [], False),
])
def test_page_of_fetches_size_plus_one_to_tell_next(size, page, ids, has_next):
    assert _page(size, page) == (ids, has_next)


def test_page_of_sorts_nulls_first_numbers_before_text_text_case_insensitively():
    assert _page(10, 1, "+name")[0] == ["4", "6", "5", "2", "1", "3"]
    assert _page(10, 1, "-name")[0] == ["3", "1", "2", "5", "6", "4"]
    assert _page(10, 1, "-id")[0] == ["6", "5", "4", "3", "2", "1"]


def test_page_of_sorts_by_several_fields():
    rows = [{"id": "1", "a": "x", "b": 2}, {"id": "2", "a": "x", "b": 1}, {"id": "3", "a": "w", "b": 3}]
    query = wire.ListQuery.parse(MultiDict([("sort", "+a"), ("sort", "-b")]), default_size=16)
    assert [r["id"] for r in wire.page_of(rows, query)[0]] == ["3", "1", "2"]


def test_page_of_sorts_references_by_name():
    rows = [{"id": "1", "team": {"id": "9", "name": "b"}}, {"id": "2", "team": {"id": "3", "name": "a"}}]
    query = wire.ListQuery.parse(MultiDict([("sort", "team")]), default_size=16)
    assert [r["id"] for r in wire.page_of(rows, query)[0]] == ["2", "1"]


def test_project():
    assert wire.project({"id": "1", "name": "x", "e": "y"}, ("id", "e", "absent")) == {"id": "1", "e": "y"}
    assert wire.project({"id": "1"}, ()) == {"id": "1"}
