"""The connector's records, named after Creatio's entities.

| model              | Creatio entity                         |
|--------------------|----------------------------------------|
| SysAdminUnit       | SysAdminUnit (a system user: type 4 employee, 5 portal user) |
| Contact            | Contact                                |
| Account            | Account                                |
| WebitelUser        | the package's Webitel user (old package: WSysAccount), 1:1 with a system user |
| WebitelUserLicense | detail: licenses granted to the Webitel user |
| WebitelUserRole    | detail: Webitel roles of the user      |
| WebitelUserSkill   | detail: call-center skills (capacity 0..100 as Webitel allows; the API sets 1..100, active) |

Uniqueness lives in the database: one Webitel user per system user, an extension used once, a
Webitel user id linked once, one detail row per license, role and skill.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from .creatio.records import SystemUserType

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC timestamp")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Account(Timestamps, Base):
    __tablename__ = "account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(250))
    # Normalised name (NFKC, case-folded, whitespace collapsed): matching never relies on collation.
    name_key: Mapped[str] = mapped_column(String(250), unique=True)


class Contact(Timestamps, Base):
    __tablename__ = "contact"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(250))
    name_key: Mapped[str] = mapped_column(String(250), index=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    account: Mapped[Account | None] = relationship(lazy="joined")


class SysAdminUnit(Timestamps, Base):
    """A Creatio system user: ``name`` is the login."""

    __tablename__ = "sys_admin_unit"
    __table_args__ = (CheckConstraint("type_value IN (4, 5)", name="system_user_type"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(250))
    name_key: Mapped[str] = mapped_column(String(250), unique=True)
    type_value: Mapped[int] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact.id"), unique=True)

    contact: Mapped[Contact] = relationship(lazy="joined")

    @property
    def type(self) -> SystemUserType:
        return SystemUserType(self.type_value)

    @property
    def account(self) -> Account | None:
        return self.contact.account


class WebitelUserState(enum.StrEnum):
    """Whether the Webitel user should exist. ``creating``: it should, but the record is not linked to
    one yet (the create is under way or unconfirmed); ``deleting``: it should not, and the record goes
    once Webitel confirms."""

    CREATING = "creating"
    ACTIVE = "active"
    DELETING = "deleting"


class SyncState(enum.StrEnum):
    """How Webitel stands to the record (the desired state)."""

    IN_SYNC = "in_sync"  # Webitel matches the record, as far as the connector knows
    PENDING = "pending"  # a change is not confirmed yet: the reconciler finishes it
    CONFLICT = "conflict"  # Webitel refuses the record, or was changed elsewhere: sync_error says why


class WebitelUser(Timestamps, Base):
    """A Webitel user as Creatio wants it: the desired state that Webitel is converged to.

    The Creatio side (system user, contact) is referenced by id with a snapshot of its names: it may
    live in the embedded tables or in a live Creatio. ``claim_id``/``claimed_until`` say which unit of
    work (an API request or a reconciler) holds the record; another one waits or skips it.
    """

    __tablename__ = "webitel_user"
    __table_args__ = (CheckConstraint("state IN ('creating', 'active', 'deleting')", name="state"),
                      CheckConstraint("sync_state IN ('in_sync', 'pending', 'conflict')", name="sync_state"),
                      Index("ix_webitel_user_due", "sync_state", "next_attempt_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The Creatio system user; none for a Webitel user imported for a contact that has no system user.
    system_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    user_name: Mapped[str | None] = mapped_column(String(250))  # the Creatio login when the record was made
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contact_name: Mapped[str | None] = mapped_column(String(250))
    contact_name_key: Mapped[str | None] = mapped_column(String(250), index=True)
    webitel_username: Mapped[str] = mapped_column(String(250))
    # Webitel usernames are unique per domain case-insensitively: so are the records'.
    webitel_username_key: Mapped[str] = mapped_column(String(250), unique=True)
    extension: Mapped[str | None] = mapped_column(String(20), unique=True)
    webitel_user_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    default_device_id: Mapped[str | None] = mapped_column(String(20))
    default_device_name: Mapped[str | None] = mapped_column(String(250))
    stun_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    webitel_agent_id: Mapped[str | None] = mapped_column(String(20))
    team_id: Mapped[str | None] = mapped_column(String(20))
    team_name: Mapped[str | None] = mapped_column(String(250))
    agent_status: Mapped[str | None] = mapped_column(String(20))  # as Webitel last said
    agent_pause_cause: Mapped[str | None] = mapped_column(String(100))  # the break's cause, as Webitel last said
    state: Mapped[str] = mapped_column(String(10), default=WebitelUserState.CREATING)
    sync_state: Mapped[str] = mapped_column(String(10), default=SyncState.PENDING)
    sync_error: Mapped[str | None] = mapped_column(String(1000))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A request to Webitel whose fate was unknown may still land until then (a late duplicate): the
    # record is checked again at that time, and what differs is repaired.
    recheck_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_id: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every write of the row checks and bumps it (SQLAlchemy's version counter), and so does taking a
    # claim: a unit of work whose claim was taken over writes nothing (StaleDataError).
    version: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}

    licenses: Mapped[list[WebitelUserLicense]] = relationship(
        back_populates="webitel_user", cascade="all, delete-orphan", lazy="selectin",
        order_by="WebitelUserLicense.license_id")
    roles: Mapped[list[WebitelUserRole]] = relationship(
        back_populates="webitel_user", cascade="all, delete-orphan", lazy="selectin",
        order_by="WebitelUserRole.role_id")
    skills: Mapped[list[WebitelUserSkill]] = relationship(
        back_populates="webitel_user", cascade="all, delete-orphan", lazy="selectin",
        order_by="WebitelUserSkill.skill_name")

    @property
    def user(self) -> dict | None:
        return {"id": self.system_user_id, "name": self.user_name} if self.system_user_id else None

    @property
    def contact(self) -> dict | None:
        return {"id": self.contact_id, "name": self.contact_name} if self.contact_id else None

    @property
    def warnings(self) -> list[str]:
        found = [] if self.extension else ["no_extension"]  # no extension: it cannot register a SIP phone
        if self.system_user_id is None:
            found.append("no_creatio_user")  # imported for a contact without a Creatio system user
        return found

    @property
    def default_device(self) -> dict | None:
        return {"id": self.default_device_id, "name": self.default_device_name} if self.default_device_id else None

    @property
    def pause_cause(self) -> str | None:
        """The cause of the agent's break (only while it is on one)."""
        return self.agent_pause_cause if self.agent_status == "pause" else None

    @property
    def team(self) -> dict | None:
        return {"id": self.team_id, "name": self.team_name} if self.team_id else None

    @property
    def sync(self) -> dict:
        return {"state": self.sync_state, "last_error": self.sync_error, "checked_at": self.checked_at}


class WebitelUserLicense(Base):
    __tablename__ = "webitel_user_license"
    __table_args__ = (UniqueConstraint("webitel_user_id", "license_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webitel_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webitel_user.id", ondelete="CASCADE"))
    license_id: Mapped[str] = mapped_column(String(100))  # the license serial
    product: Mapped[str] = mapped_column(String(50))

    webitel_user: Mapped[WebitelUser] = relationship(back_populates="licenses")


class WebitelUserRole(Base):
    __tablename__ = "webitel_user_role"
    __table_args__ = (UniqueConstraint("webitel_user_id", "role_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webitel_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webitel_user.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(250))

    webitel_user: Mapped[WebitelUser] = relationship(back_populates="roles")


class WebitelUserSkill(Base):
    __tablename__ = "webitel_user_skill"
    __table_args__ = (UniqueConstraint("webitel_user_id", "skill_id"),
                      CheckConstraint("capacity BETWEEN 0 AND 100", name="capacity"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webitel_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webitel_user.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(String(20))
    skill_name: Mapped[str] = mapped_column(String(250))
    capacity: Mapped[int] = mapped_column(SmallInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    webitel_agent_skill_id: Mapped[str | None] = mapped_column(String(20))  # the agent-skill row in Webitel

    webitel_user: Mapped[WebitelUser] = relationship(back_populates="skills")

    @property
    def skill(self) -> dict:
        return {"id": self.skill_id, "name": self.skill_name}


class ImportStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobKind(enum.StrEnum):
    IMPORT = "import"  # GetWebitelUsers
    DRIFT = "drift"  # a drift check


class ImportJob(Base):
    """A background job: a run of GetWebitelUsers or a drift check (``kind``). One of each kind runs
    at a time: the partial unique index lets one row of a kind be ``running``, whichever process
    started it. ``heartbeat_at`` says the running process is alive."""

    __tablename__ = "import_job"
    __table_args__ = (CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
                      CheckConstraint("kind IN ('import', 'drift')", name="kind"),
                      Index("uq_import_job_running_kind", "kind", unique=True, sqlite_where=text("status = 'running'"),
                            postgresql_where=text("status = 'running'")))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(10), default=JobKind.IMPORT, server_default=JobKind.IMPORT.value)
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.RUNNING)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str] = mapped_column(String(100), default="api")
    owner: Mapped[str] = mapped_column(String(200))  # host and process that runs it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(1000))

    @property
    def progress(self) -> dict:
        return {"done": self.done, "total": self.total}


class JobItem:
    """The columns every job's item has: its job, and its place in the job's order (an import's
    items and a drift check's differences are read back by page in that order)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("job_id", "seq"),)  # a constraint of its own for each table


class ImportItem(JobItem, Base):
    """What an import did with one Webitel user."""

    __tablename__ = "import_item"

    webitel_user_id: Mapped[str] = mapped_column(String(20))
    webitel_username: Mapped[str] = mapped_column(String(250))
    outcome: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    detail: Mapped[dict | None] = mapped_column(JSON)


class DriftItem(JobItem, Base):
    """One difference a drift check found: a record and its Webitel user, as the report shows it."""

    __tablename__ = "drift_item"

    kind: Mapped[str] = mapped_column(String(20))  # missing_in_webitel | missing_record | differs
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    webitel_user_id: Mapped[str | None] = mapped_column(String(20))
    webitel_username: Mapped[str | None] = mapped_column(String(250))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    sync_state: Mapped[str | None] = mapped_column(String(20))  # the record's, when the check read it
    sync_error: Mapped[str | None] = mapped_column(String(1000))
    sync_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def sync(self) -> dict | None:
        if self.sync_state is None:
            return None
        return {"state": self.sync_state, "last_error": self.sync_error, "checked_at": self.sync_checked_at}


class AuditEvent(Base):
    """A change the connector made (or tried): who, when, what (before and after, never a secret),
    the outcome, and the Webitel calls made. Written in the transaction of the change itself."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_record_at", "record_id", "at"),
                      Index("ix_audit_event_actor_at", "actor", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # the API token's name, "reconciler", "import", "cli"
    action: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    webitel_username: Mapped[str | None] = mapped_column(String(250))
    outcome: Mapped[str] = mapped_column(String(40))
    error_code: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    webitel_calls: Mapped[list | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(100))


class IdempotencyKey(Base):
    """A POST's ``Idempotency-Key``, per caller: the request it stands for (method, path, body hash) and,
    once answered, the answer to replay. The primary key lets one process run it, across processes."""

    __tablename__ = "idempotency_key"
    __table_args__ = (CheckConstraint("state IN ('running', 'done')", name="state"),)

    actor: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    body_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="running")
    status: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StunTokenSweep(Base):
    """A Webitel user for whom a STUN token may have been made without the connector learning its id
    (the answer to its creation was lost, and the request may still land): the reconciler deletes the
    user's connector tokens once ``due_at`` has passed, when no late request can add one any more."""

    __tablename__ = "stun_token_sweep"

    webitel_user_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
