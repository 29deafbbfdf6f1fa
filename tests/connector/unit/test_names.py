import pytest

from connector.services.names import clean_name, like_pattern, name_key
from connector.services.steps import OutcomeUnknown, Steps
from connector.webitel import WebitelServerError, WebitelTimeout


@pytest.mark.parametrize("a, b", [("  John   SMITH ", "john smith"), ("Ｊｏｈｎ", "john"), ("STRASSE", "straße"),
                                  ("Ana\tGarcía", "ana garcía")])
def test_name_keys_match_without_the_databases_collation(a, b):
    assert name_key(a) == name_key(b)


def test_clean_name_keeps_case():
    assert clean_name("  Ana   García ") == "Ana García"


def test_like_patterns_escape_wildcards():
    assert like_pattern("50%_x") == "%50\\%\\_x%"


def lost(**kwargs):
    raise WebitelTimeout("lost", sent=True)


def test_steps_record_and_undo_newest_first():
    undone = []
    steps = Steps("op")
    steps.run("a", lambda: 1, undo=lambda: undone.append("a"))
    steps.run("b", lambda: 2, undo=lambda: undone.append("b"))
    assert steps.compensate() is True
    assert undone == ["b", "a"]
    assert [s["status"] for s in steps.as_list()] == ["done", "done", "compensated", "compensated"]


def test_a_lost_answer_is_read_back():
    steps = Steps("op")
    assert steps.run("a", lost, confirm=lambda: "there") == "there"
    assert steps.as_list() == [{"step": "a", "status": "done_confirmed"}]
    with pytest.raises(WebitelTimeout):
        steps.run("b", lost, confirm=lambda: None)
    assert steps.as_list()[-1] == {"step": "b", "status": "failed"}


def test_a_read_back_that_fails_leaves_the_outcome_unknown():
    def unreadable():
        raise WebitelServerError(503, "x", "down")

    steps = Steps("op")
    with pytest.raises(OutcomeUnknown):
        steps.run("a", lost, confirm=unreadable)
    assert steps.as_list() == [{"step": "a", "status": "unknown"}]


def test_an_undo_that_fails_is_reported():
    def broken():
        raise RuntimeError("no")

    steps = Steps("op")
    steps.run("a", lambda: None, undo=broken)
    assert steps.compensate() is False
    assert steps.as_list()[-1] == {"step": "a", "status": "compensation_failed"}
