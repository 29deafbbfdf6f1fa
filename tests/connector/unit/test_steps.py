"""The step runner, with plain functions for steps: what it runs, reads back, undoes and reports."""

from __future__ import annotations

import pytest

from connector.errors import Conflict
from connector.services.steps import Step, run
from connector.webitel import WebitelBadRequest, WebitelServerError, WebitelTimeout
from connector.webitel.calls import UNCERTAIN, Call, record
from connector.webitel.errors import WebitelDeadlineExceeded


def plan(*steps):
    results = []
    for step in steps:
        results.append((yield step))
    return results


def lost():
    raise WebitelTimeout("lost", sent=True)


def refused():
    raise WebitelBadRequest(400, "app.refused", "no")


def unreadable():
    raise WebitelServerError(503, "x", "down")


def statuses(outcome):
    return [(s["step"], s["status"]) for s in outcome.steps]


def test_every_step_done_is_ok_and_later_steps_see_earlier_results():
    seen = []

    def steps():
        first = yield Step("a", lambda: 1)
        seen.append(first)
        yield Step("b", lambda: first + 1)

    outcome = run("op", steps(), action="testing")
    assert outcome.ok and seen == [1] and statuses(outcome) == [("a", "done"), ("b", "done")]
    assert outcome.compensated is None and not outcome.uncertain


def test_a_refused_step_undoes_the_done_ones_newest_first():
    undone = []
    outcome = run("op", plan(Step("a", lambda: 1, undo=Step("a", lambda: undone.append("a"))),
                             Step("b", lambda: 2, undo=Step("b", lambda: undone.append("b"))),
                             Step("c", refused)), action="testing")
    assert undone == ["b", "a"]
    assert statuses(outcome) == [("a", "done"), ("b", "done"), ("c", "failed"), ("b", "compensated"),
                                 ("a", "compensated")]
    assert outcome.failure.code == "webitel_error" and outcome.compensated is True and outcome.webitel_unchanged


def test_a_refusal_is_said_in_the_steps_own_words():
    outcome = run("op", plan(Step("a", refused, refusal=lambda exc: Conflict(exc.detail, code="mine"))),
                  action="testing")
    assert outcome.failure.code == "mine" and outcome.compensated is None


def test_a_lost_answer_read_back_as_applied_is_done():
    outcome = run("op", plan(Step("a", lost, confirm=lambda: "there")), action="testing")
    assert outcome.ok and statuses(outcome) == [("a", "done_confirmed")]


def test_a_lost_answer_read_back_as_not_applied_is_pending_and_nothing_is_undone():
    """It may still land: the work goes forward later, so the steps done are not undone."""
    undone = []
    outcome = run("op", plan(Step("a", lambda: 1, undo=Step("a", lambda: undone.append("a"))),
                             Step("b", lost, confirm=lambda: None)), action="testing")
    assert outcome.pending is not None and outcome.failure is None and undone == []
    assert statuses(outcome) == [("a", "done"), ("b", "pending")]


def test_a_read_back_that_fails_too_is_pending():
    outcome = run("op", plan(Step("a", lost, confirm=unreadable)), action="testing")
    assert isinstance(outcome.pending, WebitelTimeout) and statuses(outcome) == [("a", "pending")]


def test_a_spent_time_budget_is_pending():
    def spent():
        raise WebitelDeadlineExceeded()

    outcome = run("op", plan(Step("a", spent, confirm=lambda: "never asked")), action="testing")
    assert isinstance(outcome.pending, WebitelDeadlineExceeded) and statuses(outcome) == [("a", "pending")]


def test_an_undo_that_is_refused_or_unknown_is_reported_and_not_called_compensated():
    outcome = run("op", plan(Step("a", lambda: 1, undo=Step("a", refused)), Step("b", refused)), action="testing")
    assert outcome.compensated is False and not outcome.webitel_unchanged
    assert statuses(outcome)[-1] == ("a", "compensation_failed")
    outcome = run("op", plan(Step("a", lambda: 1, undo=Step("a", lost)), Step("b", refused)), action="testing")
    assert outcome.compensated is False and statuses(outcome)[-1] == ("a", "compensation_pending")


def test_a_rule_the_plan_finds_broken_after_a_read_undoes_like_a_refusal():
    undone = []

    def steps():
        yield Step("a", lambda: 1, undo=Step("a", lambda: undone.append("a")))
        raise Conflict("seats gone", code="license_exhausted")

    outcome = run("op", steps(), action="testing")
    assert outcome.failure.code == "license_exhausted" and undone == ["a"]


@pytest.mark.parametrize("method, uncertain", [("PATCH", True), ("GET", False)])
def test_an_uncertain_write_is_remembered_even_when_its_retry_succeeded(method, uncertain):
    """A retried write whose first attempt timed out may still land later; a read cannot."""

    def retried():
        record(Call(method, "/users/1", None, UNCERTAIN, 1.0))
        return "ok"

    outcome = run("op", plan(Step("a", retried)), action="testing")
    assert outcome.ok and outcome.uncertain is uncertain and [c.method for c in outcome.calls] == [method]
