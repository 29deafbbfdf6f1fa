"""The connector's records, named after Creatio's entities.

| model              | Creatio entity                         |
|--------------------|----------------------------------------|
| SysAdminUnit       | SysAdminUnit (a system user: type 4 employee, 5 portal user) |
| Contact            | Contact                                |
| Account            | Account                                |
| WebitelUser        | the package's Webitel user (old package: WSysAccount), 1:1 with a system user |
| WebitelUserLicense | detail: licenses granted to the Webitel user |
| WebitelUserRole    | detail: Webitel roles of the user      |
| WebitelUserSkill   | detail: call-center skills (capacity 1..100, active) |

Uniqueness lives in the database: one Webitel user per system user, an extension used once, a
Webitel user id linked once, one detail row per license, role and skill.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .creatio.records import SystemUserType

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC timestamp")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
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
    """Where a record stands with Webitel. ``creating`` and ``deleting`` are the durable marks of an
    operation under way (or interrupted): they let a later call finish or undo it."""

    CREATING = "creating"
    ACTIVE = "active"
    DELETING = "deleting"


class WebitelUser(Timestamps, Base):
    __tablename__ = "webitel_user"
    __table_args__ = (CheckConstraint("state IN ('creating', 'active', 'deleting')", name="state"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    system_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sys_admin_unit.id"), unique=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact.id"))
    webitel_username: Mapped[str] = mapped_column(String(250))
    extension: Mapped[str | None] = mapped_column(String(20), unique=True)
    webitel_user_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    default_device_id: Mapped[str | None] = mapped_column(String(20))
    default_device_name: Mapped[str | None] = mapped_column(String(250))
    stun_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Call-center side (agents and skills): filled by the agents issue.
    is_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    webitel_agent_id: Mapped[str | None] = mapped_column(String(20))
    team_id: Mapped[str | None] = mapped_column(String(20))
    team_name: Mapped[str | None] = mapped_column(String(250))
    agent_status: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default=WebitelUserState.CREATING)
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every locked change: taking the write lock is an UPDATE of this row.
    version: Mapped[int] = mapped_column(Integer, default=0)

    system_user: Mapped[SysAdminUnit] = relationship(lazy="joined")
    contact: Mapped[Contact] = relationship(lazy="joined")
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
    def warnings(self) -> list[str]:
        return [] if self.extension else ["no_extension"]  # no extension: it cannot register a SIP phone

    @property
    def default_device(self) -> dict | None:
        return {"id": self.default_device_id, "name": self.default_device_name} if self.default_device_id else None

    @property
    def team(self) -> dict | None:
        return {"id": self.team_id, "name": self.team_name} if self.team_id else None


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
                      CheckConstraint("capacity BETWEEN 1 AND 100", name="capacity"))

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
