"""The Webitel users services called directly (a context, no HTTP), against the in-process emulator,
on SQLite and PostgreSQL: rules as domain errors, claims between concurrent units of work."""

from __future__ import annotations

import contextlib
import threading
import uuid

import pytest

from connector.errors import BusinessRuleError, Conflict, NotFound
from connector.models import SyncState, WebitelUserState
from connector.services import webitel_users as service
from connector.services.context import Context
from connector.services.webitel_users import claims, remote
from tests.support.connector import creatio_user, disagreements, webitel_state


@pytest.fixture
def ctx(app, session, webitel):
    return Context(session, webitel, app.extensions["connector"].config.sync_settings)


@pytest.fixture
def creatio(app):
    return app.extensions["connector"].creatio


def create(ctx, creatio, user_id, extension=None):
    return service.create_webitel_user(ctx, creatio.get_system_user, user_id=user_id, extension=extension)


@pytest.fixture
def record(ctx, creatio, session):
    return create(ctx, creatio, creatio_user(session, "agarcia", "Ana Garcia").id, "1010")


def test_create_returns_the_record_in_sync(record, emulator):
    assert record.state == WebitelUserState.ACTIVE and record.sync_state == SyncState.IN_SYNC
    assert record.claim_id is None and record.checked_at is not None
    user = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    assert record.webitel_user_id == user["id"]
    assert user["profile"] == {remote.RECORD_MARK: str(record.id)}  # the connector's mark


def test_rules_are_domain_errors(ctx, creatio, session, record):
    with pytest.raises(Conflict) as caught:
        create(ctx, creatio, record.system_user_id)
    assert caught.value.code == "already_exists"
    inactive = creatio_user(session, "oldtimer", active=False)
    with pytest.raises(BusinessRuleError) as refused:
        create(ctx, creatio, inactive.id)
    assert refused.value.code == "not_a_creatio_user" and refused.value.status == 400
    with pytest.raises(BusinessRuleError):
        service.create_webitel_user(ctx, lambda _id: None, user_id=uuid.uuid4())


def test_a_missing_record_is_not_found(ctx):
    with pytest.raises(NotFound):
        service.add_role(ctx, uuid.uuid4(), "1")


GRANTS = [("license", service.add_license, "cc-serial-1", "chat-serial-1"), ("role", service.add_role, "1", "2")]


def grant_concurrently(app, webitel, record, grant, items):
    sessions, errors = app.extensions["connector"].sessions, []
    barrier = threading.Barrier(len(items))

    def run(item):
        try:
            with sessions() as own:
                barrier.wait()
                grant(Context(own, webitel), record.id, item)
        except Exception as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


@pytest.mark.parametrize("kind, grant, first, second", GRANTS, ids=[g[0] for g in GRANTS])
def test_two_concurrent_grants_are_both_kept(app, session, webitel, record, emulator, kind, grant, first, second):
    """Both requests read Webitel's set while the other is in flight (Webitel reads the set at once and
    answers late), and each writes the whole set: the claim makes the second wait and read what the
    first wrote."""
    emulator.add_fault(method="GET", path="/api/users/*", action="delay", delay_ms=500, when="after")
    assert grant_concurrently(app, webitel, record, grant, [first, second]) == []
    emulator.clear_faults()
    user = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    assert sorted(i["id"] for i in user["license" if kind == "license" else "roles"]) == sorted([first, second])
    assert disagreements(session, emulator) == []


def test_without_the_claim_a_concurrent_grant_is_lost(app, session, webitel, record, emulator, monkeypatch):
    """The control experiment: the same race with the claim's wait taken away loses a grant, so the
    test above would catch a missing claim."""
    from sqlalchemy import select

    from connector.models import WebitelUser

    def no_claim(ctx, record_id, **_kwargs):
        found = ctx.session.execute(select(WebitelUser).where(WebitelUser.id == record_id)).scalar_one()
        found.claim_id = claims.new_claim()
        return found

    monkeypatch.setattr(claims, "claim", no_claim)
    emulator.add_fault(method="GET", path="/api/users/*", action="delay", delay_ms=500, when="after")
    with contextlib.suppress(Exception):
        grant_concurrently(app, webitel, record, service.add_license, ["cc-serial-1", "chat-serial-1"])
    emulator.clear_faults()
    user = next(u for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")
    assert len(user.get("license", [])) < 2  # a grant lost


def test_a_claim_that_lapsed_and_was_taken_over_writes_nothing(app, ctx, session, record, emulator):
    """The version counter fences the result: the first holder's late write fails, the new holder's
    stands."""
    from datetime import timedelta

    from connector.models import utcnow

    late = Context(session, ctx.webitel, ctx.settings, clock=lambda: utcnow() + timedelta(hours=1))
    mine = claims.claim(ctx, record.id)
    mine.extension = "2020"
    session.commit()
    with app.extensions["connector"].sessions() as other:
        taken = claims.claim(Context(other, ctx.webitel, ctx.settings, clock=late.clock), record.id)
        taken.extension = "3030"
        claims.release(taken)
        other.commit()
    from sqlalchemy.orm.exc import StaleDataError

    mine.stun_enabled = True
    claims.release(mine)
    with pytest.raises(StaleDataError):
        session.commit()
    session.rollback()
    assert service.get_record(session, record.id).extension == "3030"
