"""The steps of a multi-step operation: what ran, what failed, what was undone.

An operation that spans Webitel and the database runs each step through :meth:`Steps.run`, giving
the way to undo it. When a later step fails, :meth:`Steps.compensate` undoes the earlier ones in
reverse order, and the error the caller gets lists every step with its outcome, so Creatio can
tell the administrator exactly what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import DatabaseUnavailable
from ..webitel.errors import WebitelError

log = logging.getLogger("connector.steps")
T = TypeVar("T")

DONE = "done"
CONFIRMED = "done_confirmed"  # the answer was lost, and a read-back showed the change applied
FAILED = "failed"
UNKNOWN = "unknown"  # the answer was lost and Webitel could not be asked
COMPENSATED = "compensated"
COMPENSATION_FAILED = "compensation_failed"


class OutcomeUnknown(Exception):
    """A step's answer was lost and a read-back could not tell whether it was applied."""

    def __init__(self, original: WebitelError) -> None:
        super().__init__(str(original))
        self.original = original


@dataclass
class Steps:
    operation: str
    items: list[dict[str, str]] = field(default_factory=list)
    _undo: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)

    def record(self, step: str, status: str) -> None:
        self.items.append({"step": step, "status": status})

    def run(self, step: str, action: Callable[[], T], *, undo: Callable[[], Any] | None = None,
            confirm: Callable[[], T | None] | None = None) -> T:
        """Run ``action``. When Webitel's answer is lost (``outcome_unknown``), ``confirm`` reads
        the truth back: a result means the step took effect, None that it did not."""
        try:
            result = action()
        except WebitelError as exc:
            if not (exc.outcome_unknown and confirm is not None):
                self.record(step, FAILED)
                raise
            try:
                result = confirm()
            except WebitelError:
                self.record(step, UNKNOWN)
                raise OutcomeUnknown(exc) from exc
            if result is None:
                self.record(step, FAILED)
                raise
            self.record(step, CONFIRMED)
            log.info("%s: %s answered with a failure but took effect", self.operation, step)
        else:
            self.record(step, DONE)
        if undo is not None:
            self._undo.append((step, undo))
        return result

    def compensate(self) -> bool:
        """Undo the steps done so far, newest first; True when everything was undone."""
        complete = True
        while self._undo:
            step, undo = self._undo.pop()
            try:
                undo()
            except Exception:
                log.exception("%s: undoing %s failed", self.operation, step)
                self.record(step, COMPENSATION_FAILED)
                complete = False
            else:
                self.record(step, COMPENSATED)
        return complete

    def commit(self, session: Session, failure: str) -> None:
        """Commit the database's part. If the commit fails, undo the Webitel steps first, while the
        record's lock is still held (the rollback lets go of it), then answer what happened."""
        try:
            session.commit()
        except SQLAlchemyError:
            self.record("database.commit", FAILED)
            compensated = self.compensate()
            session.rollback()
            raise DatabaseUnavailable(
                failure + ("; Webitel was changed back" if compensated else "; changing Webitel back failed too"),
                steps=self.as_list(), compensated=compensated) from None

    def as_list(self) -> list[dict[str, str]]:
        return list(self.items)
