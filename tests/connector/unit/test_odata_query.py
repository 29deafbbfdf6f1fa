"""OData expressions and query strings as the connector writes them for Creatio."""

import uuid

import pytest

from connector.creatio.odata.query import all_of, any_of, contains_text, eq, literal, name_token, query_string


@pytest.mark.parametrize("value, written", [
    ("O'Brien", "'O''Brien'"), ("", "''"), (True, "true"), (False, "false"), (None, "null"), (5, "5"),
    (uuid.UUID("12345678-1234-4234-8234-123456789abc"), "12345678-1234-4234-8234-123456789abc"),
])
def test_literals_are_typed_as_odata_4_writes_them(value, written):
    assert literal(value) == written


def test_expressions():
    assert eq("Contact/Id", 4) == "Contact/Id eq 4"
    assert contains_text("Name", "McDonald's") == "contains(tolower(Name),'mcdonald''s')"
    assert any_of("a eq 1") == "a eq 1"
    assert all_of(any_of("a eq 1", "a eq 2"), None, "b eq 3") == "(a eq 1 or a eq 2) and b eq 3"
    assert all_of(None) is None


@pytest.mark.parametrize("name, token", [
    ("Mary-Ann  ABERNATHY", "abernathy"), ("100% Sure", "sure"), ("Ｚｏｅ", "zoe"), ("a_b[c]", "a"),
    ("%%%", "%%%"), ("  ", ""),
])
def test_the_pre_filter_word_is_the_longest_run_of_letters_and_digits(name, token):
    assert name_token(name) == token


def test_query_strings_keep_odatas_punctuation_and_encode_the_rest():
    written = query_string({"$filter": "Name eq 'a+b c&d#e%'", "$expand": "Contact($select=Id,Name)", "$top": 5})
    assert written == "$filter=Name%20eq%20'a%2Bb%20c%26d%23e%25'&$expand=Contact($select=Id,Name)&$top=5"
