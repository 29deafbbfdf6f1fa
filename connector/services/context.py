"""What every service function works with: the database session, the Webitel client, the sync
settings, who is acting, and the clock (tests move it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..models import utcnow
from ..webitel import WebitelClient


@dataclass(frozen=True)
class SyncSettings:
    """How records are kept in step with Webitel (``CONNECTOR_*`` settings of the same names)."""

    request_deadline_s: float = 15.0  # no unit of work waits longer (retries and read-backs included)
    # How long a request whose fate was unknown may still land in Webitel: the record is checked again
    # after it, and a late write found then is repaired.
    late_write_horizon_s: float = 60.0
    reconcile_backoff_s: float = 2.0  # first retry of a pending record; doubles per failed attempt
    reconcile_backoff_max_s: float = 300.0
    claim_margin_s: float = 5.0  # a claim outlives its unit of work's budget by this much

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.reconcile_backoff_max_s,
                                     self.reconcile_backoff_s * 2 ** max(0, min(attempts, 30) - 1)))

    @property
    def claim_s(self) -> float:
        return self.request_deadline_s + self.claim_margin_s


@dataclass
class Context:
    session: Session
    webitel: WebitelClient
    settings: SyncSettings = field(default_factory=SyncSettings)
    actor: str = "api"
    clock: Callable[[], datetime] = utcnow
    # Told when a record becomes due for the reconciler (the process's reconciler wakes then).
    on_pending: Callable[[datetime], None] | None = None

    def now(self) -> datetime:
        return self.clock()

    def pending_at(self, due: datetime) -> None:
        if self.on_pending is not None:
            self.on_pending(due)
