"""What every service function works with: the database session, the Webitel client, the sync
settings, who is acting, and the clock (tests move it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import utcnow
from ..sync_settings import SyncSettings
from ..webitel import WebitelClient

__all__ = ["Context", "SyncSettings"]


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
