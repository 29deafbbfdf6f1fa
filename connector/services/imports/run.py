"""Running an import: Webitel's users a page at a time, matched (``matching.py``), and each page's
records written in one transaction with the job's progress, so that a run that stops part-way leaves
no half-written user and the next run completes the work. A dry run decides the same and writes
nothing but the job's own report.

Reads are in bulk: the call center (agents and their skills) once, users in pages, the records,
contacts and system users of a page in one query each. STUN has no bulk read in Webitel (a setting of
the user's own, read with a short-lived token of the user), so it is read per user, a few at a time.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ... import metrics
from ...creatio import Account, CreatioSide, NewContact
from ...errors import ConnectorError
from ...models import ImportItem, ImportJob, ImportStatus, SyncState, WebitelUser, WebitelUserState, utcnow
from ...webitel import WebitelError
from .. import audit
from ..call_center import CallCenter, read_call_center
from ..context import Context
from ..names import name_key
from ..webitel_users import remote, stun
from ..webitel_users.desired import Desired
from .matching import SUMMARY_KEYS, Decision, Known, Outcome, decide

log = logging.getLogger("connector.imports")

Progress = Callable[[ImportJob], None]
WRITTEN = {Outcome.CREATED.value, Outcome.LINKED.value, Outcome.UPDATED.value}


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
    session = ctx.session
    try:
        run = _Run(ctx, creatio, job, options, progress)
        run.all_pages()
        job.status, job.finished_at = ImportStatus.SUCCEEDED, utcnow()
        session.commit()
    except (ConnectorError, WebitelError, SQLAlchemyError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, ConnectorError) else str(exc).splitlines()[0]
        log.warning("import %s failed: %s", job.id, message)
        session.refresh(job)
        job.status, job.finished_at, job.error = ImportStatus.FAILED, utcnow(), message[:1000]
        session.commit()
    log.info("import %s %s: %s", job.id, job.status, job.summary)
    metrics.import_jobs.labels(outcome=job.status).inc()
    return job


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
        self.job.total = sum(len(page) for page in webitel.user_pages(size=max(self.options.page_size, 1000),
                                                                      fields=["id"]))
        self._save_progress()
        center = read_call_center(webitel)
        for page in webitel.user_pages(size=self.options.page_size):
            self.page(page, center, read_at=utcnow())

    def page(self, users: list[dict], center: CallCenter, *, read_at: datetime) -> None:
        stuns = self._stun_flags(users)
        known = self._known(users)
        decisions = [(user, decide(user, known, busy=lambda record: _busy(record, read_at),
                                   changes=self._changes_of(user, stuns, center)))
                     for user in users]
        items: list[ImportItem] = []
        if not self.options.dry_run:
            contacts = self._new_contacts([(user, d) for user, d in decisions if d.outcome == Outcome.CREATED])
            try:
                items = self._write(decisions, contacts, stuns, center)
                self.session.flush()
            except IntegrityError:  # another unit of work took a key meanwhile: user by user, to name it
                self.session.rollback()
                items = self._write(decisions, contacts, stuns, center, one_by_one=True)
        else:
            items = [self._item(user, decision) for user, decision in decisions]
        self.session.add_all(items)
        self.summary.update(SUMMARY_KEYS[Outcome(item.outcome)] for item in items)
        if not self.options.dry_run:
            metrics.users_imported.inc(sum(1 for item in items if item.outcome in WRITTEN))
        self.job.done += len(users)
        self._save_progress()

    # -- reading --------------------------------------------------------------------------------
    def _known(self, users: list[dict]) -> Known:
        uids = [str(user["id"]) for user in users]
        keys = [name_key(str(user.get("username") or "")) for user in users]
        records = list(self.session.scalars(select(WebitelUser).where(or_(WebitelUser.webitel_user_id.in_(uids),
                                                                          WebitelUser.webitel_username_key.in_(keys)))))
        by_id = {record.webitel_user_id: record for record in records if record.webitel_user_id}
        by_key = {record.webitel_username_key: record for record in records}
        unmatched = [str(user.get("username") or "") for user in users if str(user["id"]) not in by_id]
        contacts = self.creatio.find_contacts_by_names(unmatched) if unmatched else {}
        single = [found[0].id for found in contacts.values() if len(found) == 1]
        system_users = self.creatio.system_users_of_contacts(single) if single else {}
        ids = [user.id for user in system_users.values()]
        linked = {record.system_user_id: record for record in self.session.scalars(
            select(WebitelUser).where(WebitelUser.system_user_id.in_(ids))) if record.system_user_id} if ids else {}
        return Known(by_id, by_key, contacts, system_users, linked)

    def _stun_flags(self, users: list[dict]) -> dict[str, bool | None]:
        if not self.options.with_stun:
            return {}
        webitel = self.ctx.webitel

        def read(uid: str) -> bool | None:
            try:
                return stun.read(webitel, uid)
            except WebitelError as exc:  # the user's item says so; the others go on
                log.warning("could not read the STUN of Webitel user %s: %s", uid, exc)
                return None

        uids = [str(user["id"]) for user in users]
        with ThreadPoolExecutor(max_workers=max(1, self.options.concurrency)) as pool:
            return dict(zip(uids, pool.map(read, uids), strict=True))

    @staticmethod
    def _changes_of(user: dict, stuns: dict[str, bool | None], center: CallCenter) -> Callable[[WebitelUser], dict]:
        """What differs between a record and this Webitel user (its link and device included)."""
        uid = str(user["id"])

        def changes(record: WebitelUser) -> dict:
            differs: dict = remote.differences(record, user, stun=stuns.get(uid), agent=center.held(uid),
                                               agent_read=True)
            if remote.device_differs(record, user):
                differs["default_device"] = {"record": record.default_device, "webitel": user.get("device")}
            return differs

        return changes

    # -- writing --------------------------------------------------------------------------------
    def _new_contacts(self, created: list[tuple[dict, Decision]]) -> dict[str, object]:
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
        made_count = sum(1 for result in results if result.ok)
        self.summary["created_contacts"] += made_count
        return {str(user["id"]): result.contact if result.ok else result.error
                for (user, _decision), result in zip(created, results, strict=True)}

    def _write(self, decisions: list[tuple[dict, Decision]], contacts: dict[str, object],
               stuns: dict[str, bool | None], center: CallCenter, *, one_by_one: bool = False) -> list[ImportItem]:
        items = []
        for user, decision in decisions:
            uid = str(user["id"])
            if decision.outcome in (Outcome.CREATED, Outcome.LINKED, Outcome.UPDATED) and uid in stuns \
                    and stuns[uid] is None:
                decision = Decision(Outcome.FAILED, decision.record, decision.contact, decision.system_user,
                                    {"error": "Webitel's STUN setting of the user could not be read"})
            elif decision.outcome == Outcome.CREATED and not hasattr(contacts.get(uid), "id"):
                decision = Decision(Outcome.FAILED, detail={"error": f"the contact could not be created in Creatio: "
                                                                     f"{contacts.get(uid)}"})
            elif decision.outcome in (Outcome.CREATED, Outcome.LINKED, Outcome.UPDATED):
                decision = self._apply(user, decision, contacts, stuns, center, one_by_one)
            items.append(self._item(user, decision))
        return items

    def _apply(self, user: dict, decision: Decision, contacts: dict[str, object], stuns: dict[str, bool | None],
               center: CallCenter, one_by_one: bool) -> Decision:
        uid = str(user["id"])
        record = decision.record or self._new_record(user, decision, contacts.get(uid))
        before = Desired.capture(decision.record) if decision.record is not None else None
        agent, rows = center.agent_of(uid)
        nested = self.session.begin_nested() if one_by_one else None
        try:
            if decision.record is None:
                self.session.add(record)
            remote.take(record, user, stun=stuns.get(uid), agent=agent, skill_rows=rows)
            record.state, record.sync_state, record.sync_error = WebitelUserState.ACTIVE, SyncState.IN_SYNC, None
            record.checked_at, record.next_attempt_at, record.attempts = utcnow(), None, 0
            audit.add_event(self.ctx, action=f"import {self.job.id}: {decision.outcome.value}", record=record,
                            outcome="done", before=before, after=Desired.capture(record))
            if nested is not None:
                self.session.flush()
                nested.commit()
        except IntegrityError as exc:
            assert nested is not None  # without the savepoint the page's transaction is retried
            nested.rollback()
            return Decision(Outcome.FAILED, detail={"error": f"another record holds a key of this user "
                                                             f"({type(exc.orig).__name__})"})
        decision.record = record
        return decision

    def _new_record(self, user: dict, decision: Decision, made: object) -> WebitelUser:
        contact = decision.contact or made
        system_user = decision.system_user
        username = str(user.get("username") or "")
        now = utcnow()
        return WebitelUser(id=uuid.uuid4(), system_user_id=system_user.id if system_user else None,
                           user_name=system_user.name if system_user else None,
                           contact_id=getattr(contact, "id", None), contact_name=getattr(contact, "name", None),
                           contact_name_key=name_key(str(getattr(contact, "name", ""))) or None,
                           webitel_username=username, webitel_username_key=name_key(username), stun_enabled=False,
                           is_agent=False, state=WebitelUserState.ACTIVE, sync_state=SyncState.IN_SYNC, attempts=0,
                           created_at=now, updated_at=now, licenses=[], roles=[], skills=[])

    def _item(self, user: dict, decision: Decision) -> ImportItem:
        self.seq += 1
        record = decision.record
        detail = dict(decision.detail)
        if record is not None and decision.outcome in (Outcome.CREATED, Outcome.LINKED) and not record.system_user_id:
            detail["warnings"] = ["no_creatio_user"]
        contact_id = record.contact_id if record is not None else decision.contact.id if decision.contact else None
        return ImportItem(job_id=self.job.id, seq=self.seq, webitel_user_id=str(user["id"]),
                          webitel_username=str(user.get("username") or ""), outcome=decision.outcome.value,
                          record_id=record.id if record is not None and decision.outcome != Outcome.FAILED else None,
                          contact_id=contact_id, detail=_json(detail) or None)

    def _save_progress(self) -> None:
        self.job.summary = {**_zero_summary(), **self.job.summary, **self.summary}
        self.job.heartbeat_at = utcnow()
        self.session.commit()
        if self.progress is not None:
            self.progress(self.job)


def _busy(record: WebitelUser, read_at: datetime) -> str | None:
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
