import pytest

from connector.services.names import clean_name, like_pattern, name_key


@pytest.mark.parametrize("a, b", [("  John   SMITH ", "john smith"), ("Ｊｏｈｎ", "john"), ("STRASSE", "straße"),
                                  ("Ana\tGarcía", "ana garcía")])
def test_name_keys_match_without_the_databases_collation(a, b):
    assert name_key(a) == name_key(b)


def test_clean_name_keeps_case():
    assert clean_name("  Ana   García ") == "Ana García"


def test_like_patterns_escape_wildcards():
    assert like_pattern("50%_x") == "%50\\%\\_x%"
