"""Running an import: Webitel's users a page at a time, matched (``matching.py``), and each page's
records written in one transaction with the job's progress, so that a run that stops part-way leaves
no half-written user and the next run completes the work. A dry run decides the same and writes
nothing but the job's own report.

Reads are in bulk: the call center (agents and their skills) once, users in pages, the records,
contacts and system users of a page in one query each (``known.py``). New records, their details,
their audit events and the job's items are written with one bulk INSERT per table and page; a record
that changed is updated through the ORM. STUN has no bulk read in Webitel: it is read per user, a few
at a time, by the thread that reads the pages ahead (``webitel_reading``, ``stun_reading``).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import metrics
from ...core.names import name_key
from ...creatio import Account, Contact, CreatioSide, NewContact
from ...models import (
    AuditEvent,
    ImportItem,
    ImportJob,
    SyncState,
    WebitelUser,
    WebitelUserLicense,
    WebitelUserRole,
    WebitelUserSkill,
    WebitelUserState,
    utcnow,
)
from .. import audit, jobs, webitel_reading
from ..call_center import CallCenter, read_call_center
from ..context import Context
from ..webitel_reading import UserPage
from ..webitel_users import record_rows, remote, token_sweeps
from ..webitel_users.desired import Desired
from ..webitel_users.remote import RecordView
from .collector import fewer_collections
from .known import read_known
from .matching import SUMMARY_KEYS, Decision, Outcome, decide

log = logging.getLogger("connector.imports")

Progress = Callable[[ImportJob], None]
WRITTEN = {Outcome.CREATED, Outcome.LINKED, Outcome.UPDATED}


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    with_stun: bool = True  # read each user's STUN (three Webitel calls a user)
    page_size: int = 500
    concurrency: int = 4  # STUN reads at a time
    account_name: str | None = None  # new contacts' account; default: the Webitel domain's name


def run_import(ctx: Context, creatio: CreatioSide, job: ImportJob, options: ImportOptions, *,
               progress: Progress | None = None) -> ImportJob:
    """Run ``job`` to its end (succeeded or failed) and return it."""
    def work() -> None:
        with fewer_collections():
            _Run(ctx, creatio, job, options, progress).all_pages()

    return jobs.run(ctx.session, jobs.IMPORT, job, work)


class _Run:
    def __init__(self, ctx: Context, creatio: CreatioSide, job: ImportJob, options: ImportOptions,
                 progress: Progress | None) -> None:
        self.ctx, self.creatio, self.job, self.options, self.progress = ctx, creatio, job, options, progress
        self.summary: Counter[str] = Counter()
        self.account: Account | None = None
        self.seq = 0

    @property
    def session(self) -> Session:
        return self.ctx.session

    def all_pages(self) -> None:
        webitel = self.ctx.webitel
        self.job.total = webitel_reading.count_users(webitel)
        self._save_progress()
        center = read_call_center(webitel)
        for page in webitel_reading.user_pages(webitel, page_size=self.options.page_size,
                                               with_stun=self.options.with_stun, concurrency=self.options.concurrency):
            self.page(page, center)

    def page(self, page: UserPage, center: CallCenter) -> None:
        users, stuns = page.users, page.stuns
        known = read_known(self.session, self.creatio, users)
        decisions = [(user, decide(user, known, busy=lambda record: _busy(record, page.read_at),
                                   changes=_changes_of(user, stuns, center)))
                     for user in users]
        decisions = [(user, _stun_unread(user, decision, stuns)) for user, decision in decisions]
        if not self.options.dry_run:
            contacts = self._new_contacts([(user, d) for user, d in decisions if d.outcome == Outcome.CREATED])
            decisions = [(user, _contact_made(user, decision, contacts)) for user, decision in decisions]
            try:
                self._write(decisions, contacts, stuns, center)
                self.session.flush()
            except IntegrityError:  # another unit of work took a key meanwhile: user by user, to name it
                self.session.rollback()
                decisions = [(user, self._write_one(user, decision, contacts, stuns, center))
                             for user, decision in decisions]
        self._items(decisions)
        self.summary.update(SUMMARY_KEYS[decision.outcome] for _user, decision in decisions)
        if not self.options.dry_run:
            metrics.users_imported.inc(sum(1 for _user, d in decisions if d.outcome in WRITTEN))
        self.job.done += len(users)
        token_sweeps.note(self.ctx, page.calls)
        self._save_progress()

    # -- writing --------------------------------------------------------------------------------
    def _new_contacts(self, created: list[tuple[dict, Decision]]) -> dict[str, Contact | str]:
        """The contacts to make (a contact's name is the Webitel username), by Webitel user id: the
        contact, or the error Creatio answered for it."""
        if not created:
            return {}
        if self.account is None:
            name = self.options.account_name or str(self.ctx.webitel.userinfo().get("domain") or "Webitel")
            self.account, made = self.creatio.find_or_create_account(name)
            self.summary["created_accounts"] += int(made)
        results = self.creatio.create_contacts([NewContact(str(user.get("username")), self.account)
                                                for user, _decision in created])
        self.summary["created_contacts"] += sum(1 for result in results if result.ok)
        return {str(user["id"]): result.contact if result.contact is not None else str(result.error)
                for (user, _decision), result in zip(created, results, strict=True)}

    def _write(self, decisions: list[tuple[dict, Decision]], contacts: dict[str, Contact | str],
               stuns: dict[str, bool | None], center: CallCenter) -> None:
        """The page's writes: new records in bulk, changed ones through the ORM."""
        rows = _Rows()
        for user, decision in decisions:
            if decision.outcome in (Outcome.CREATED, Outcome.LINKED):
                self._new_record(rows, user, decision, contacts, stuns, center)
            elif decision.outcome == Outcome.UPDATED:
                self._update(user, decision, stuns, center)
        rows.insert(self.session)

    def _write_one(self, user: dict, decision: Decision, contacts: dict[str, Contact | str],
                   stuns: dict[str, bool | None], center: CallCenter) -> Decision:
        """One user's writes in a savepoint of their own: a refused one fails that user only."""
        if decision.outcome not in WRITTEN:
            return decision
        nested = self.session.begin_nested()
        try:
            self._write([(user, decision)], contacts, stuns, center)
            self.session.flush()
            nested.commit()
        except IntegrityError as exc:
            nested.rollback()
            return Decision(Outcome.FAILED, detail={"error": f"another record holds a key of this user "
                                                             f"({type(exc.orig).__name__})"})
        return decision

    def _new_record(self, rows: _Rows, user: dict, decision: Decision, contacts: dict[str, Contact | str],
                    stuns: dict[str, bool | None], center: CallCenter) -> None:
        uid = str(user["id"])
        contact = decision.contact or contacts.get(uid)
        assert isinstance(contact, Contact)
        system_user = decision.system_user
        agent, skill_rows = center.agent_of(uid)
        held = remote.held_values(user, stun=stuns.get(uid), agent=agent, skill_rows=skill_rows)
        username, now, record_id = str(user.get("username") or ""), utcnow(), uuid.uuid4()
        record = {"id": record_id, "system_user_id": system_user.id if system_user else None,
                  "user_name": system_user.name if system_user else None, "contact_id": contact.id,
                  "contact_name": contact.name, "contact_name_key": name_key(contact.name) or None,
                  "webitel_username": username, "webitel_username_key": name_key(username), "stun_enabled": False,
                  "team_id": None, "team_name": None, "state": WebitelUserState.ACTIVE.value,
                  "sync_state": SyncState.IN_SYNC.value, "sync_error": None, "checked_at": now,
                  "next_attempt_at": None, "attempts": 0, "recheck_at": None, "claim_id": None,
                  "claimed_until": None, "version": record_rows.FIRST_VERSION, "created_at": now, "updated_at": now,
                  **held.columns}
        rows.records.append(record)
        rows.licenses += [{"webitel_user_id": record_id, "license_id": serial, "product": product}
                          for serial, product in held.licenses.items()]
        rows.roles += [{"webitel_user_id": record_id, "role_id": role_id, "name": name}
                       for role_id, name in held.roles.items()]
        rows.skills += [{"webitel_user_id": record_id, "skill_id": skill_id, "skill_name": name, "capacity": capacity,
                         "active": active} for skill_id, (name, capacity, active) in (held.skills or {}).items()]
        after = Desired(columns={name: record[name] for name in ("state", "extension", "stun_enabled", "is_agent",
                                                                  "team_id", "team_name")},
                        licenses=held.licenses, roles=held.roles,
                        skills={k: v for k, v in (held.skills or {}).items()})
        rows.events.append(audit.event_row(self.ctx, action=f"import {self.job.id}: {decision.outcome.value}",
                                           record_id=record_id, username=username, outcome="done", after=after))
        decision.record_id = record_id

    def _update(self, user: dict, decision: Decision, stuns: dict[str, bool | None], center: CallCenter) -> None:
        assert decision.record is not None
        record = self.session.get(WebitelUser, decision.record.id)
        assert record is not None
        before = Desired.capture(record)
        uid = str(user["id"])
        agent, skill_rows = center.agent_of(uid)
        remote.take(record, user, stun=stuns.get(uid), agent=agent, skill_rows=skill_rows)
        record.state, record.sync_state, record.sync_error = WebitelUserState.ACTIVE, SyncState.IN_SYNC, None
        record.checked_at, record.next_attempt_at, record.attempts = utcnow(), None, 0
        audit.add_event(self.ctx, action=f"import {self.job.id}: updated", record=record, outcome="done",
                        before=before, after=Desired.capture(record))

    def _items(self, decisions: list[tuple[dict, Decision]]) -> None:
        rows = []
        for user, decision in decisions:
            self.seq += 1
            record_id = decision.record_id or (decision.record.id if decision.record is not None else None)
            detail = dict(decision.detail)
            if decision.outcome in (Outcome.CREATED, Outcome.LINKED) and decision.system_user is None:
                detail["warnings"] = ["no_creatio_user"]
            contact_id = decision.contact.id if decision.contact else \
                decision.record.contact_id if decision.record is not None else None
            rows.append({"job_id": self.job.id, "seq": self.seq, "webitel_user_id": str(user["id"]),
                         "webitel_username": str(user.get("username") or ""), "outcome": decision.outcome.value,
                         "record_id": record_id if decision.outcome != Outcome.FAILED else None,
                         "contact_id": contact_id, "detail": _json(detail) or None})
        if rows:
            self.session.execute(insert(_table(ImportItem)), rows)

    def _save_progress(self) -> None:
        jobs.beat(self.session, self.job, {**_zero_summary(), **self.job.summary, **self.summary})
        if self.progress is not None:
            self.progress(self.job)


@dataclass
class _Rows:
    """A page's new records and what goes with them, for one bulk INSERT per table."""

    records: list[dict[str, Any]]
    licenses: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def __init__(self) -> None:
        self.records, self.licenses, self.roles, self.skills, self.events = [], [], [], [], []

    def insert(self, session: Session) -> None:
        for model, rows in ((WebitelUser, self.records), (WebitelUserLicense, self.licenses),
                            (WebitelUserRole, self.roles), (WebitelUserSkill, self.skills), (AuditEvent, self.events)):
            if rows:  # a Core INSERT of the table: the ORM's bulk path costs more per row and adds nothing here
                session.execute(insert(_table(model)), rows)


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _changes_of(user: dict, stuns: dict[str, bool | None], center: CallCenter) -> Callable[[RecordView], dict]:
    """What differs between a record and this Webitel user (its link and device included)."""
    uid = str(user["id"])

    def changes(record: RecordView) -> dict:
        differs: dict = remote.differences(record, user, stun=stuns.get(uid), agent=center.held(uid),
                                           agent_read=True)
        if remote.device_differs(record, user):
            differs["default_device"] = {"record": record.default_device, "webitel": user.get("device")}
        return differs

    return changes


def _stun_unread(user: dict, decision: Decision, stuns: dict[str, bool | None]) -> Decision:
    uid = str(user["id"])
    if decision.outcome in WRITTEN and uid in stuns and stuns[uid] is None:
        return Decision(Outcome.FAILED, decision.record, decision.contact, decision.system_user,
                        {"error": "Webitel's STUN setting of the user could not be read"})
    return decision


def _contact_made(user: dict, decision: Decision, contacts: dict[str, Contact | str]) -> Decision:
    made = contacts.get(str(user["id"]))
    if decision.outcome == Outcome.CREATED and not isinstance(made, Contact):
        return Decision(Outcome.FAILED, detail={"error": f"the contact could not be created in Creatio: {made}"})
    if decision.outcome == Outcome.CREATED and isinstance(made, Contact):
        decision.contact = made
    return decision


def _busy(record: RecordView, read_at: datetime) -> str | None:
    """Why a record must not take this run's data: someone holds it, its change is pending, or it
    changed after this run read Webitel (this run's data would be older)."""
    if record.claim_id is not None and record.claimed_until is not None and record.claimed_until > utcnow():
        return "another request is changing it"
    if record.sync_state == SyncState.PENDING:
        return "its last change is pending; the reconciler finishes it"
    if record.updated_at is not None and record.updated_at > read_at:
        return "it changed while the import ran"
    return None


def _zero_summary() -> dict[str, int]:
    return dict.fromkeys([*SUMMARY_KEYS.values(), "created_contacts", "created_accounts"], 0)


def _json(value: object) -> object:
    """A detail as JSON can hold it (ids as strings)."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
