"""The Webitel users services called directly (a session and the Webitel client, no HTTP), against
the in-process emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import select

from connector.errors import BusinessRuleError, Conflict, NotFound
from connector.models import WebitelUser, WebitelUserState
from connector.services import webitel_users as service
from connector.services.webitel_users import records
from connector.services.webitel_users.stun import TOKEN_USAGE, set_stun
from tests.support.connector import creatio_user, disagreements, webitel_state


@pytest.fixture
def record(session, webitel):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    return service.create_webitel_user(session, webitel, user_id=user.id, extension="1010")


def test_create_returns_the_active_record(record, emulator):
    assert record.state == WebitelUserState.ACTIVE
    remote = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    assert record.webitel_user_id == remote["id"]
    assert remote["profile"] == {records.RECORD_MARK: str(record.id)}  # the connector's mark


def test_rules_are_domain_errors(session, webitel, record):
    with pytest.raises(Conflict) as caught:
        service.create_webitel_user(session, webitel, user_id=record.system_user_id)
    assert caught.value.code == "already_exists"
    inactive = creatio_user(session, "oldtimer", active=False)
    with pytest.raises(BusinessRuleError) as refused:
        service.create_webitel_user(session, webitel, user_id=inactive.id)
    assert refused.value.code == "not_a_creatio_user" and refused.value.status == 400


def test_settle_never_adopts_a_user_the_connector_did_not_make(session, webitel, emulator):
    """A "creating" record whose username exists in Webitel without the connector's mark is someone
    else's user: the reservation is dropped, the stranger is left alone."""
    user = creatio_user(session, "stranger", "Some Stranger")
    emulator.client.post("/users", json={"username": "stranger"})
    pending = WebitelUser(system_user=user, contact=user.contact, webitel_username="stranger",
                          state=WebitelUserState.CREATING)
    session.add(pending)
    session.commit()
    assert records.settle(session, webitel, pending) is None
    assert session.scalar(select(WebitelUser)) is None
    assert any(u["username"] == "stranger" for u in webitel_state(emulator)["users"])


def test_settle_finishes_a_delete_under_way(session, webitel, record, emulator):
    records.set_state(record, WebitelUserState.DELETING)
    session.commit()
    assert records.settle(session, webitel, record) is None
    assert not any(u["username"] == "agarcia" for u in webitel_state(emulator)["users"])


def test_read_record_keeps_a_stale_record_when_webitel_cannot_be_asked(session, webitel, record, emulator):
    records.set_state(record, WebitelUserState.DELETING)
    session.commit()
    emulator.add_fault(method="GET", path="/api/users/*", action="error", status=503)
    assert service.read_record(session, webitel, record.id, lease_s=0).state == "deleting"


def test_stun_sweeps_tokens_left_behind(webitel, record, emulator):
    left = webitel.add_token(record.webitel_user_id, f"{TOKEN_USAGE}:old")
    other = webitel.add_token(record.webitel_user_id, "someone-elses-integration")
    set_stun(webitel, record.webitel_user_id, True)
    tokens = {t["id"] for t in webitel_state(emulator)["tokens"]}
    assert left["id"] not in tokens and other["id"] in tokens  # only the connector's own marks are swept


def test_a_change_locked_by_another_request_waits_for_it(database_url, app, session, webitel, record, emulator):
    """The per-user lock: while one request holds the record, another one's change waits."""
    sessions = app.extensions["connector"].sessions
    holder = sessions()
    records.lock_record(holder, record.id)  # held until commit
    done = threading.Event()

    def change():
        with sessions() as other:
            service.change_webitel_user(other, webitel, record.id, {"extension": "3030"})
        done.set()

    worker = threading.Thread(target=change)
    worker.start()
    assert not done.wait(0.3)  # blocked by the lock
    holder.commit()
    holder.close()
    worker.join(10)
    assert done.is_set()
    session.expire_all()
    assert service.get_record(session, record.id).extension == "3030"


GRANTS = [("license", service.add_license, "cc-serial-1", "chat-serial-1"), ("role", service.add_role, "1", "2")]


@pytest.mark.parametrize("kind, grant, first, second", GRANTS, ids=[g[0] for g in GRANTS])
def test_two_concurrent_grants_are_both_kept(app, session, webitel, record, emulator, kind, grant, first, second):
    """Both requests read the set while the other is in flight (Webitel's read is slowed down), and
    each writes the whole set: the lock makes the second read what the first wrote."""
    emulator.add_fault(method="GET", path="/api/users/*", action="delay", delay_ms=150)
    sessions = app.extensions["connector"].sessions
    errors = []

    def run(item):
        try:
            with sessions() as own:
                grant(own, webitel, record.id, item)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    remote = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    field = "license" if kind == "license" else "roles"
    assert sorted(i["id"] for i in remote[field]) == sorted([first, second])
    assert disagreements(session, emulator) == []


def test_without_the_lock_a_concurrent_grant_is_lost(app, session, webitel, record, emulator, monkeypatch):
    """The control experiment: the same race with the lock taken away loses one grant, so the test
    above would catch a missing lock."""
    monkeypatch.setattr(records, "lock_record",
                        lambda s, rid: s.execute(select(WebitelUser).where(WebitelUser.id == rid)).scalar_one())
    emulator.add_fault(method="GET", path="/api/users/*", action="delay", delay_ms=150)
    sessions = app.extensions["connector"].sessions
    barrier = threading.Barrier(2)

    def run(item):
        barrier.wait()
        # Without the lock the loser may also fail to save; the point is what Webitel ends with.
        with sessions() as own, contextlib.suppress(Exception):
            service.add_license(own, webitel, record.id, item)

    threads = [threading.Thread(target=run, args=(item,)) for item in ("cc-serial-1", "chat-serial-1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    remote = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    assert len(remote.get("license", [])) < 2  # at least one grant lost


def test_a_missing_record_is_not_found(session, webitel):
    import uuid

    with pytest.raises(NotFound):
        service.add_role(session, webitel, uuid.uuid4(), "1")
