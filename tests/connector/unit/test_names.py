import pytest

from connector.core.names import clean_name, like_pattern, name_key, stored_length
from connector.creatio.rules import record_name
from connector.errors import ValidationFailed


@pytest.mark.parametrize("a, b", [("  John   SMITH ", "john smith"), ("Ｊｏｈｎ", "john"), ("STRASSE", "straße"),
                                  ("Ana\tGarcía", "ana garcía")])
def test_name_keys_match_without_the_databases_collation(a, b):
    assert name_key(a) == name_key(b)


def test_clean_name_keeps_case():
    assert clean_name("  Ana   García ") == "Ana García"


def test_like_patterns_escape_wildcards():
    assert like_pattern("50%_x") == "%50\\%\\_x%"


@pytest.mark.parametrize("name, length", [("\ufdfa" * 14, 252), ("ß" * 126, 252), ("Ana", 3), ("ﬃ" * 2, 6)])
def test_the_stored_length_counts_the_normalised_forms(name, length):
    assert stored_length(name) == length


@pytest.mark.parametrize("name", ["\ufdfa" * 14, "ß" * 126, "x" * 251])
def test_a_name_that_outgrows_its_column_once_normalised_is_refused_by_both_creatio_sides(name):
    with pytest.raises(ValidationFailed, match="at most 250"):
        record_name(name)
    assert record_name("ß" * 125) == "ß" * 125
