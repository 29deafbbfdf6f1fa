"""Idempotency keys: a POST repeated with the same ``Idempotency-Key`` (and the same body) gets the
first answer again, and the work is done once. The key is a row, per caller, whose primary key lets
exactly one process run the request (across processes too); the others are told it is running (409
``request_in_progress``) until it has an answer, which is then replayed. The same key with another
request is refused (422 ``idempotency_key_reused``). Keys expire after ``CONNECTOR_IDEMPOTENCY_TTL_S``.

A 5xx answer is not kept: its work is unfinished (the reconciler finishes it), and a repeat runs again
and says what holds then."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import Conflict, ValidationFailed
from ..models import IdempotencyKey, utcnow

RUNNING, DONE = "running", "done"


def begin(session: Session, *, actor: str, key: str, method: str, path: str, body_hash: str, ttl_s: float,
          running_for_s: float) -> tuple[int, str] | None:
    """None: run the request (the key is now this caller's, running); ``(status, answer)``: replay it.
    ``running_for_s``: a key running longer than that lost its process and is taken over."""
    now = utcnow()
    row = session.get(IdempotencyKey, (actor, key))
    if row is not None and (row.expires_at <= now or (row.state == RUNNING and
                                                      row.created_at <= now - timedelta(seconds=running_for_s))):
        session.delete(row)
        session.commit()
        row = None
    if row is None:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
        session.add(IdempotencyKey(actor=actor, key=key, method=method, path=path, body_hash=body_hash,
                                   state=RUNNING, created_at=now, expires_at=now + timedelta(seconds=ttl_s)))
        try:
            session.commit()
            return None
        except IntegrityError:  # another process took the key at the same moment
            session.rollback()
            row = session.get(IdempotencyKey, (actor, key))
            if row is None:
                raise
    if (row.method, row.path, row.body_hash) != (method, path, body_hash):
        raise ValidationFailed("This Idempotency-Key was used for another request; use a new key for a new request",
                               code="idempotency_key_reused", fields={"Idempotency-Key": ["used for another request"]})
    if row.state == RUNNING or row.status is None or row.answer is None:
        raise Conflict("A request with this Idempotency-Key is running; repeat it when it has answered",
                       code="request_in_progress")
    return row.status, row.answer


def finish(session: Session, *, actor: str, key: str, status: int, answer: str) -> None:
    row = session.get(IdempotencyKey, (actor, key))
    if row is None:
        return
    if status >= 500:
        session.delete(row)
    else:
        row.state, row.status, row.answer = DONE, status, answer
    session.commit()

