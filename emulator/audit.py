"""Who made and last changed a record, and when: the ``created_*`` / ``updated_*`` columns every
Webitel table carries, shared by the directory and the call center."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import wire


@dataclass
class Audit:
    created_at: int = 0
    created_by: int | None = None
    updated_at: int = 0
    updated_by: int | None = None


def wire_audit(record: Audit, user_ref: Callable[[int | None], dict | None]) -> dict:
    """The audit columns on the wire; ``user_ref`` writes a user id as ``{"id", "name"}``."""
    return {"created_at": wire.i64(record.created_at), "created_by": user_ref(record.created_by),
            "updated_at": wire.i64(record.updated_at), "updated_by": user_ref(record.updated_by)}
