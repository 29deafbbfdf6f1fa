"""What a create costs the database, counted (never timed: timings live in bench/bench_connector.py).
A change that brings back a lazy load, another look-up or a read-back fails here. And a create whose
result cannot be written is kept pending and finished by the reconciler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.exc import OperationalError

from connector.models import AuditEvent
from tests.support.connector import creatio_user, disagreements, error_of, reconcile
from tests.support.databases import commits_alone

BASE = "/api/v1/webitel-users"


class DatabaseWork:
    """The statements (by first word), the transactions the database ran (a BEGIN; in autocommit there
    is none) and the pool checkouts of one engine; for each statement, whether it committed alone."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.transactions, self.checkouts = engine, 0, 0
        self.statements: list[str] = []
        self.committed_alone: list[bool] = []
        self._listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (engine, "before_cursor_execute", self._statement), (engine, "begin", self._begin),
            (engine.pool, "checkout", self._checkout)]
        for target, name, fn in self._listeners:
            event.listen(target, name, fn)

    def _statement(self, conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        self.statements.append(statement.split(None, 1)[0].upper())
        self.committed_alone.append(commits_alone(conn))

    def _begin(self, conn: Connection) -> None:
        self.transactions += 0 if commits_alone(conn) else 1

    def clear(self) -> None:
        self.statements.clear()
        self.committed_alone.clear()
        self.transactions = self.checkouts = 0

    def _checkout(self, *_args: object) -> None:
        self.checkouts += 1

    def remove(self) -> None:
        for target, name, fn in self._listeners:
            event.remove(target, name, fn)


@pytest.fixture
def work(app):
    counter = DatabaseWork(app.extensions["connector"].engine)
    yield counter
    counter.remove()


@pytest.mark.parametrize("extension", ["1010", None])
def test_a_create_is_one_look_up_the_reservation_and_the_final_update(app, api, session, work, extension):
    """The Creatio user's look-up; the reservation (the intent), whose INSERT is also the check of the
    uniqueness rules (the database's constraints decide, and a refusal names the rule), before Webitel
    is called; one UPDATE for the result, fenced by the version counter, with its audit event. The
    answer is built from what the create already holds (no lazy loads, no read-back)."""
    users = [creatio_user(session, f"user{i}", f"User {i}").id for i in range(2)]
    postgres = app.extensions["connector"].engine.dialect.name == "postgresql"
    for i, user_id in enumerate(users):  # the second one runs on warm caches and a used pool
        work.clear()
        body = {"user_id": str(user_id)} | ({"extension": f"{extension}{i}"} if extension else {})
        response = api.post(BASE, json=body)
        assert response.status_code == 201, response.json
        if postgres:
            # Three statements, each its own transaction: no BEGIN or COMMIT round trip. The look-up
            # (read in the request's session), the reservation's INSERT, and the result: the UPDATE
            # and the audit event inserted from the row it returns, one statement.
            assert work.statements == ["SELECT", "INSERT", "WITH"]
            assert work.committed_alone == [True] * 3 and work.transactions == 0
        else:
            # SQLite's BEGIN costs no round trip: the look-up and reservation are one transaction, the
            # result's UPDATE and audit event (the second INSERT) another.
            assert work.statements == ["SELECT", "INSERT", "UPDATE", "INSERT"]
            assert work.committed_alone == [False] * 4 and work.transactions == 2
        assert work.checkouts == 1
    # The connection goes back to the pool at its own level: the next request's transactions are whole.
    with app.extensions["connector"].engine.connect() as conn:
        assert not commits_alone(conn)


def test_a_refused_create_stops_at_the_reservation(api, session, work):
    holder = creatio_user(session, "holder", "Holder")
    assert api.post(BASE, json={"user_id": str(holder.id), "extension": "1010"}).status_code == 201
    other = creatio_user(session, "other", "Other")
    work.statements.clear()
    response = api.post(BASE, json={"user_id": str(other.id), "extension": "1010"})
    assert response.status_code == 409 and response.json["error"]["code"] == "extension_taken"
    assert response.json["error"]["holder"] == "holder"  # who holds the extension
    # The look-up, the refused INSERT, and the look-ups that name the rule it broke; Webitel untouched.
    assert work.statements[:2] == ["SELECT", "INSERT"] and "UPDATE" not in work.statements


def test_a_refused_final_update_is_finished_by_the_reconciler(app, api, session, emulator):
    """The result is written by its own UPDATE before the commit: the database refusing that statement
    (not only the commit) leaves the reservation, pending, and the reconciler links the Webitel user."""
    engine = session.get_bind()

    def refuse(_conn, _cursor, statement, *_args):
        if "UPDATE webitel_user" in statement:  # on PostgreSQL, within the result's one statement
            raise OperationalError(statement, None, Exception("injected failure of the final update"))

    user = creatio_user(session, "agarcia", "Ana Garcia")
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        response = api.post(BASE, json={"user_id": str(user.id), "extension": "1010"})
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert response.status_code == 503, response.json
    error = error_of(response)
    assert error["code"] == "database_error" and error["outcome"] == "pending" and "compensated" not in error
    assert error["steps"] == [{"step": "webitel.create_user", "status": "done"}]
    assert [(r["state"], r["sync"]["state"]) for r in api.get(BASE).json["items"]] == [("creating", "pending")]
    # The audit event is written with the result or not at all.
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert reconcile(app) == {"in_sync": 1}
    assert disagreements(session, emulator) == []
