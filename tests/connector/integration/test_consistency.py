"""An operation that fails part-way ends with Creatio and Webitel agreeing, and its answer says what
is true. Every Webitel call of every operation is failed with each of the emulator's fault kinds (an
error, a timeout, a dropped connection; before the request is applied, or after it was applied with
the answer lost), every database commit is failed too, and then one reconcile pass runs.

The answer's ``outcome`` is checked against what happened: ``not_*`` means nothing changed on either
side (right away and after the reconcile pass); success and ``pending`` mean the change is there after
the pass; the call-center operations (agent, team, deactivate, reactivate, skills) too. (The same
matrix over real sockets, with late applies, is in tests/connector/e2e/faults.)"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from tests.support.connector import disagreements, error_of, reconcile, webitel_state
from tests.support.databases import commits_alone, writes
from tests.support.fault_matrix import (
    AGENT_STEPS,
    BASE,
    OPERATIONS,
    STEPS,
    UPSTREAM_CODES,
    check_the_outcome_was_true,
    records,
    remote_user,
    setup_none,
    setup_record,
    snapshot,
    stun_of,
)

FAULTS = [(action, when) for action in ("error", "timeout", "reset") for when in ("before", "after")]
CASES = [pytest.param(op, method, path, action, when, id=f"{op}-{method}{path}-{action}-{when}")
         for op, steps in STEPS.items() for method, path in steps for action, when in FAULTS]
# The call-center operations run on one database: what they add is Webitel's side, not the database's.
AGENT_CASES = [pytest.param(op, method, path, action, when, id=f"{op}-{method}{path}-{action}-{when}")
               for op, steps in AGENT_STEPS.items() for method, path in steps for action, when in FAULTS]


@pytest.mark.parametrize("op, method, path, action, when", CASES)
def test_a_failing_webitel_call_ends_with_a_true_outcome_and_agreement(app, api, session, emulator, op, method,
                                                                        path, action, when):
    fail_one_call(app, api, session, emulator, op, method, path, action, when)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("op, method, path, action, when", AGENT_CASES)
def test_a_failing_call_center_call_ends_with_a_true_outcome_and_agreement(app, api, session, emulator, op, method,
                                                                            path, action, when):
    fail_one_call(app, api, session, emulator, op, method, path, action, when)


def fail_one_call(app, api, session, emulator, op, method, path, action, when):
    setup, call, _ok, _applied = OPERATIONS[op]
    ctx = setup(api, emulator)
    before = snapshot(api, emulator)
    emulator.add_fault(method=method, path=path, action=action, when=when, status=503)
    response = call(api, ctx)
    emulator.clear_faults()
    if response.status_code >= 400:
        assert error_of(response)["code"] in UPSTREAM_CODES, response.json
    check_the_outcome_was_true(lambda: reconcile(app), api, emulator, op, response, before)
    assert disagreements(session, emulator) == []


def test_an_answer_lost_with_its_read_back_failing_is_pending_and_then_finished(app, api, session, emulator):
    """The double fault: the PATCH applied with its answer lost, and reading back fails too."""
    record = setup_record(api)
    emulator.add_fault(method="PATCH", path="/api/users/*", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users/*", action="error", status=503)
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "2020"})
    emulator.clear_faults()
    error = error_of(response)
    assert response.status_code == 504 and error["outcome"] == "pending"
    assert {"step": "webitel.update_user", "status": "pending"} in error["steps"]
    shown = api.get(f"{BASE}/{record['id']}").json
    assert shown["extension"] == "2020" and shown["sync"]["state"] == "pending" and shown["sync"]["last_error"]
    assert reconcile(app) == {"in_sync": 1}
    assert disagreements(session, emulator) == []
    assert api.get(f"{BASE}/{record['id']}").json["sync"]["state"] == "in_sync"


def test_stun_applied_with_the_answer_and_read_back_lost_is_never_called_compensated(app, api, session, emulator):
    record = setup_record(api)
    emulator.add_fault(method="PUT", path="/api/user/settings/phone", action="reset", when="after")
    emulator.add_fault(method="GET", path="/api/user/settings/phone", action="error", status=503)
    response = api.patch(f"{BASE}/{record['id']}", json={"stun_enabled": True})
    emulator.clear_faults()
    error = error_of(response)
    assert error["outcome"] == "pending" and "compensated" not in error
    assert stun_of(emulator, remote_user(emulator))  # it did land in Webitel
    reconcile(app)
    assert disagreements(session, emulator) == []


def test_a_refused_step_after_a_done_one_is_undone_and_says_so(app, api, session, emulator):
    """Extension then STUN: STUN is refused outright, so the extension change is undone."""
    record = setup_record(api)
    before = snapshot(api, emulator)
    emulator.add_fault(method="POST", path="/api/users/*/tokens", action="error", status=400)
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "2020", "stun_enabled": True})
    emulator.clear_faults()
    error = error_of(response)
    assert response.status_code == 502 and error["outcome"] == "not_changed" and error["compensated"] is True
    assert {"step": "webitel.update_user", "status": "compensated"} in error["steps"]
    assert snapshot(api, emulator) == before
    assert disagreements(session, emulator) == []


def test_an_undo_that_fails_leaves_the_record_pending_and_the_reconciler_undoes_it(app, api, session, emulator,
                                                                                   monkeypatch):
    """Extension then STUN: STUN is refused, and so is the undo of the extension (the emulator's fault
    rules cannot pick the second of two PATCHes, so Webitel's refusal of the undo is made here)."""
    from connector.webitel import WebitelBadRequest, WebitelClient

    record = setup_record(api)
    before = snapshot(api, emulator)
    real_patch, patches = WebitelClient.patch_user, []

    def patch_user(self, user_id, body):
        patches.append(body)
        if len(patches) == 2:
            raise WebitelBadRequest(400, "app.user.update.error", "refused by the test")
        return real_patch(self, user_id, body)

    monkeypatch.setattr(WebitelClient, "patch_user", patch_user)
    emulator.add_fault(method="POST", path="/api/users/*/tokens", action="error", status=400)
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "2020", "stun_enabled": True})
    monkeypatch.undo()
    emulator.clear_faults()
    error = error_of(response)
    assert error["compensated"] is False and error["outcome"] == "pending", error
    assert api.get(f"{BASE}/{record['id']}").json["sync"]["state"] == "pending"
    reconcile(app)
    assert snapshot(api, emulator) == before
    assert disagreements(session, emulator) == []


class FailingCommits:
    """Makes the n-th database commit from now fail, once. A session's commit counts, and so does a
    write that commits alone (on PostgreSQL the create's reservation is its INSERT in autocommit, and a
    result that is the record's columns is one statement, in autocommit too): that one fails before it
    runs, as a commit that fails leaves nothing written."""

    def __init__(self, app) -> None:
        self.sessions, self.engine = app.extensions["connector"].sessions, app.extensions["connector"].engine
        self.count = 0
        self.fail_at: int | None = None
        event.listen(self.sessions, "before_commit", self.commit)
        event.listen(self.engine, "before_cursor_execute", self.statement)

    def commit(self, session) -> None:
        if not commits_alone(session.connection()):  # else its statements were its commits
            self._next("COMMIT")

    def statement(self, conn, _cursor, statement: str, *_args) -> None:
        if commits_alone(conn) and writes(statement):
            self._next(statement)

    def _next(self, what: str) -> None:
        self.count += 1
        if self.count == self.fail_at:
            raise OperationalError(what, None, Exception("injected commit failure"))

    def arm(self, n: int) -> None:
        self.count, self.fail_at = 0, n

    def remove(self) -> None:
        event.remove(self.sessions, "before_commit", self.commit)
        event.remove(self.engine, "before_cursor_execute", self.statement)


@pytest.fixture
def failing_commits(app):
    hook = FailingCommits(app)
    yield hook
    hook.remove()


# Commits of each operation: the reservation (the intent) and the result;
# the Creatio look-up commits nothing (on PostgreSQL it commits alone, and writes nothing).
COMMITS = {"create": 2, "change_extension": 2, "stun": 2, "change_both": 2, "add_license": 2, "remove_license": 2,
           "add_role": 2, "remove_role": 2, "delete": 2, **{op: 2 for op in AGENT_STEPS}}
COMMIT_CASES = [pytest.param(op, n, id=f"{op}-commit{n}") for op, count in COMMITS.items()
                for n in range(1, count + 1)]


@pytest.mark.parametrize("op, n", COMMIT_CASES)
def test_a_failing_commit_ends_with_a_true_outcome_and_agreement(app, api, session, emulator, failing_commits, op,
                                                                  n):
    setup, call, _ok, _applied = OPERATIONS[op]
    ctx = setup(api, emulator)
    before = snapshot(api, emulator)
    failing_commits.arm(n)
    response = call(api, ctx)
    assert response.status_code == 503, response.json
    error = error_of(response)
    assert error["code"] == "database_error"
    not_done = {"create": "not_created", "delete": "not_deleted"}.get(op, "not_changed")
    expected = "pending" if n == COMMITS[op] else not_done  # the last commit is the result's
    assert error["outcome"] == expected, error
    check_the_outcome_was_true(lambda: reconcile(app), api, emulator, op, response, before)
    assert disagreements(session, emulator) == []


def test_a_create_whose_answer_and_read_back_are_lost_is_kept_and_linked(app, api, session, emulator):
    """The Creatio user is never left at a dead end: the record stays, and the reconciler finds the
    Webitel user carrying its id."""
    ctx = setup_none(api)
    emulator.add_fault(method="POST", path="/api/users", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    response = api.post(BASE, json={**ctx, "extension": "1010"})
    emulator.clear_faults()
    error = error_of(response)
    assert response.status_code == 504 and error["outcome"] == "pending"
    listed = records(api)
    assert [(r["id"], r["state"], r["sync"]["state"]) for r in listed] == [(error["record_id"], "creating", "pending")]
    again = api.post(BASE, json={**ctx, "extension": "1010"})
    assert again.status_code == 409 and error_of(again)["existing"] == {"id": error["record_id"]}
    assert reconcile(app) == {"in_sync": 1}
    linked = api.get(f"{BASE}/{error['record_id']}").json
    assert linked["state"] == "active" and linked["webitel_user_id"] == remote_user(emulator)["id"]
    assert disagreements(session, emulator) == []


def test_a_create_that_never_reached_webitel_is_created_by_the_reconciler(app, api, session, emulator):
    ctx = setup_none(api)
    emulator.add_fault(method="POST", path="/api/users", action="timeout")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    response = api.post(BASE, json={**ctx, "extension": "1010"})
    emulator.clear_faults()
    assert error_of(response)["outcome"] == "pending" and remote_user(emulator) is None
    assert reconcile(app) == {"in_sync": 1}
    assert remote_user(emulator)["extension"] == "1010"
    assert disagreements(session, emulator) == []


def test_a_pending_create_takes_a_change_before_the_reconciler_runs(app, api, session, emulator):
    """A change to a record not linked yet converges the whole record: the user a lost answer created
    is found by its mark, linked, and changed."""
    ctx = setup_none(api)
    emulator.add_fault(method="POST", path="/api/users", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    record_id = error_of(api.post(BASE, json={**ctx, "extension": "1010"}))["record_id"]
    emulator.clear_faults()
    response = api.patch(f"{BASE}/{record_id}", json={"extension": "3030"})
    assert response.status_code == 200, response.json
    assert response.json["state"] == "active" and response.json["webitel_user_id"] == remote_user(emulator)["id"]
    assert remote_user(emulator)["extension"] == "3030"
    assert len([u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia"]) == 1
    reconcile(app)
    assert disagreements(session, emulator) == []


def test_a_delete_whose_answer_is_lost_is_finished_by_the_reconciler(app, api, session, emulator):
    record = setup_record(api)
    emulator.add_fault(method="DELETE", path="/api/users/*", action="error", status=503, when="before")
    emulator.add_fault(method="GET", path="/api/users/*", action="error", status=503)
    response = api.delete(f"{BASE}/{record['id']}")
    emulator.clear_faults()
    assert error_of(response)["outcome"] == "pending"
    assert api.get(f"{BASE}/{record['id']}").json["state"] == "deleting"
    changed = api.patch(f"{BASE}/{record['id']}", json={"extension": "3030"})
    assert changed.status_code == 409 and error_of(changed)["code"] == "operation_in_progress"
    assert reconcile(app) == {"removed": 1}
    assert api.get(f"{BASE}/{record['id']}").status_code == 404 and remote_user(emulator) is None


def test_a_record_another_request_holds_is_waited_for_then_refused(app, api, session, emulator):
    """While a unit of work holds the record (its claim committed), another change waits within its
    time budget and then answers 409."""
    from connector.services.context import Context
    from connector.services.webitel_users import claims

    record = setup_record(api)
    connector = app.extensions["connector"]
    with connector.sessions() as holder:
        claims.claim(Context(holder, connector.webitel), uuid.UUID(record["id"]))
        holder.commit()
    fast = create_app_with(app, emulator, request_deadline_s=0.5)
    response = fast.patch(f"{BASE}/{record['id']}", json={"extension": "3030"})
    assert response.status_code == 409 and error_of(response)["code"] == "operation_in_progress"
    assert reconcile(app) == {}  # the held record is not pending: nothing to reconcile
    assert api.get(f"{BASE}/{record['id']}").json["extension"] == "1010"


def create_app_with(app, emulator, **overrides):
    """An API client of a second connector app on the same database and emulator (another process)."""
    from dataclasses import replace

    from connector.app import create_app
    from tests.conftest import ApiClient

    config = replace(app.extensions["connector"].config, **overrides)
    other = create_app(config, webitel_transport=emulator.transport)
    return ApiClient(other)
