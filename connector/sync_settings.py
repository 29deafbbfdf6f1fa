"""How records are kept in step with Webitel: the settings the services need, free of dependencies
(the configuration imports this before the server has set up metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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
