"""The step runner: the one place that runs Webitel steps, reads back a lost answer, undoes, and says
what happened.

An operation declares its Webitel steps as a *plan*: a generator that yields :class:`Step` objects and
receives each step's result, so a later step can depend on an earlier read. The runner runs them in
order and decides, from evidence only:

- a step Webitel refused (a 4xx, or a request that never left) did not happen: the runner undoes the
  steps done before it, newest first, and the operation fails with the refusal in the contract's words;
- a step whose answer was lost (a timeout or dropped connection after sending, a 5xx) is read back
  (``confirm``): applied means done; otherwise (not applied yet, or the read-back failed too) it is
  *pending*: the request may still land, so nothing is undone, and the reconciler finishes the work
  (the record keeps the state that was asked for);
- the unit of work's time budget running out is pending too.

Every attempt of a step whose fate was unknown may still land later (a request parked in a proxy, an
earlier attempt of a retried call): :attr:`Outcome.uncertain` says so, and the record is checked again
after the late-write horizon.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConnectorError
from ..webitel import WebitelAPIError, WebitelError
from ..webitel.calls import Call, last_was_refused, recording
from ..webitel.errors import WebitelDeadlineExceeded
from .upstream import upstream_error

log = logging.getLogger("connector.steps")


class Status(enum.StrEnum):
    DONE = "done"
    CONFIRMED = "done_confirmed"  # the answer was lost, and a read-back showed the change applied
    FAILED = "failed"  # refused, or read back as not applied: it did not happen
    PENDING = "pending"  # not known: the reconciler finishes it
    COMPENSATED = "compensated"  # undone, confirmed
    COMPENSATION_FAILED = "compensation_failed"  # the undo was refused: the reconciler tries again
    COMPENSATION_PENDING = "compensation_pending"  # the undo's fate is not known


@dataclass(frozen=True)
class Step:
    """``action`` does it; ``confirm`` reads back after a lost answer (the result when applied, None
    when not); ``undo`` is the step that takes it back if a later step is refused; ``refusal`` turns
    Webitel's refusal into the contract's error (None: the generic upstream error); an error it recognises
is a refusal even when Webitel answers it with a 5xx."""

    name: str
    action: Callable[[], Any]
    confirm: Callable[[], Any] | None = None
    undo: Step | None = None
    refusal: Callable[[WebitelAPIError], ConnectorError | None] | None = None


Plan = Generator[Step, Any, None]


@dataclass
class Outcome:
    """What happened: ``failure`` (a step was refused: the error to answer), or ``pending`` (the
    Webitel error whose outcome is unknown), or neither (every step done)."""

    operation: str
    steps: list[dict[str, str]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failure: ConnectorError | None = None
    pending: WebitelError | None = None
    compensated: bool | None = None  # None: there was nothing to undo
    uncertain: bool = False  # an attempt whose fate was unknown went out: a late write may land

    @property
    def ok(self) -> bool:
        return self.failure is None and self.pending is None

    @property
    def webitel_unchanged(self) -> bool:
        """After a failure: nothing the operation did is left in Webitel (as far as was confirmed)."""
        return self.failure is not None and self.compensated is not False


class _Refused(Exception):
    def __init__(self, error: ConnectorError) -> None:
        self.error = error


class _Pending(Exception):
    def __init__(self, cause: WebitelError) -> None:
        self.cause = cause


def run(operation: str, plan: Plan, *, action: str) -> Outcome:
    """Run ``plan``; ``action`` says what it does in an error message ("changing the Webitel user jsmith")."""
    outcome = Outcome(operation)
    done: list[Step] = []
    with recording() as calls:
        start = calls.mark()
        try:
            step = next(plan)
            while True:
                result = _attempt(step, outcome, action)
                done.append(step)
                step = plan.send(result)
        except StopIteration:
            pass
        except _Refused as refused:
            outcome.failure = refused.error
            _compensate(done, outcome, action)
        except _Pending as pending:
            outcome.pending = pending.cause
        except ConnectorError as error:  # the plan itself found a rule broken after a read
            outcome.failure = error
            _compensate(done, outcome, action)
        finally:
            plan.close()
            outcome.calls = calls.calls[start:]
            outcome.uncertain = calls.uncertain_since(start)
    return outcome


def _attempt(step: Step, outcome: Outcome, action: str) -> Any:
    try:
        result = step.action()
    except WebitelDeadlineExceeded as exc:
        _note(outcome, step, Status.PENDING)
        raise _Pending(exc) from exc
    except WebitelError as exc:
        known = _known_refusal(step, exc)
        if known is not None and exc.outcome_unknown:
            last_was_refused()
        if known is not None or not exc.outcome_unknown:
            _note(outcome, step, Status.FAILED)
            raise _Refused(known or _refusal(step, exc, action)) from exc
        return _read_back(step, exc, outcome, action)
    _note(outcome, step, Status.DONE)
    return result


def _read_back(step: Step, exc: WebitelError, outcome: Outcome, action: str) -> Any:
    if step.confirm is None:
        _note(outcome, step, Status.PENDING)
        raise _Pending(exc) from exc
    try:
        result = step.confirm()
    except WebitelError as unknown:
        log.warning("%s: %s: the answer was lost and reading back failed too (%s)", outcome.operation, step.name,
                    unknown)
        _note(outcome, step, Status.PENDING)
        raise _Pending(exc) from unknown
    if result is None:  # not applied yet: the request may still land, so the work goes forward later
        _note(outcome, step, Status.PENDING)
        raise _Pending(exc) from exc
    log.info("%s: %s answered with a failure but took effect", outcome.operation, step.name)
    _note(outcome, step, Status.CONFIRMED)
    return result


def _known_refusal(step: Step, exc: WebitelError) -> ConnectorError | None:
    """A refusal the step knows by Webitel's error id, whatever the status (Webitel answers some
    refusals with a 500, e.g. an agent going online without a registered phone)."""
    if step.refusal is not None and isinstance(exc, WebitelAPIError):
        return step.refusal(exc)
    return None


def _refusal(step: Step, exc: WebitelError, action: str) -> ConnectorError:
    return _known_refusal(step, exc) or upstream_error(exc, action)


def _compensate(done: list[Step], outcome: Outcome, action: str) -> None:
    """Undo the steps done, newest first. An undo whose fate is unknown stops the undoing: the
    reconciler brings Webitel back to the (restored) record."""
    undos = [step.undo for step in reversed(done) if step.undo is not None]
    if not undos:
        return
    outcome.compensated = True
    for undo in undos:
        try:
            _attempt(undo, Outcome(outcome.operation), action)
        except _Refused:
            _note(outcome, undo, Status.COMPENSATION_FAILED)
            outcome.compensated = False
        except _Pending:
            _note(outcome, undo, Status.COMPENSATION_PENDING)
            outcome.compensated = False
            return
        else:
            _note(outcome, undo, Status.COMPENSATED)


def _note(outcome: Outcome, step: Step, status: Status) -> None:
    outcome.steps.append({"step": step.name, "status": status.value})
