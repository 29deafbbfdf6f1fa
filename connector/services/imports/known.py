"""What the connector holds for one page of Webitel users, read in one query per kind: the records
(as plain values, with their licenses, roles and skills), the system users whose logins are the usernames,
the contacts named after the usernames and their system users, and which of those already have a record."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ...core.names import name_key
from ...creatio import CreatioSide
from ...db import one_of
from ...models import WebitelUser, WebitelUserLicense, WebitelUserRole, WebitelUserSkill
from ..webitel_users.remote import LicenseRow, RecordView, RoleRow, SkillRow
from .matching import Known

VIEW_COLUMNS = (WebitelUser.id, WebitelUser.webitel_user_id, WebitelUser.webitel_username,
                WebitelUser.webitel_username_key, WebitelUser.system_user_id, WebitelUser.contact_id,
                WebitelUser.extension, WebitelUser.stun_enabled, WebitelUser.is_agent, WebitelUser.team_id,
                WebitelUser.default_device_id, WebitelUser.default_device_name, WebitelUser.sync_state,
                WebitelUser.claim_id, WebitelUser.claimed_until, WebitelUser.updated_at)


def read_known(session: Session, creatio: CreatioSide, users: list[dict]) -> Known:
    uids = [str(user["id"]) for user in users]
    keys = [name_key(str(user.get("username") or "")) for user in users]
    records = record_views(session, or_(one_of(session, WebitelUser.webitel_user_id, uids),
                                  one_of(session, WebitelUser.webitel_username_key, keys)))
    by_id = {record.webitel_user_id: record for record in records if record.webitel_user_id}
    by_key = {record.webitel_username_key: record for record in records}
    unmatched = [str(user.get("username") or "") for user in users if str(user["id"]) not in by_id]
    logins = creatio.find_system_users_by_logins(unmatched) if unmatched else {}
    contacts = creatio.find_contacts_by_names(unmatched) if unmatched else {}
    single = [found[0].id for found in contacts.values() if len(found) == 1]
    system_users = creatio.system_users_of_contacts(single) if single else {}
    ids = [user.id for user in system_users.values()] + [found[0].id for found in logins.values() if len(found) == 1]
    linked = {record.system_user_id: record
              for record in record_views(session, one_of(session, WebitelUser.system_user_id, ids))
              if record.system_user_id} if ids else {}
    return Known(by_id, by_key, contacts, logins, system_users, linked)


def record_views(session: Session, where: ColumnElement[bool]) -> list[RecordView]:
    rows = session.execute(select(*VIEW_COLUMNS).where(where)).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    licenses: dict[uuid.UUID, list[LicenseRow]] = defaultdict(list)
    for owner, license_id, product in session.execute(select(WebitelUserLicense.webitel_user_id,
                                                             WebitelUserLicense.license_id, WebitelUserLicense.product)
                                                      .where(one_of(session, WebitelUserLicense.webitel_user_id, ids))):
        licenses[owner].append(LicenseRow(license_id, product))
    roles: dict[uuid.UUID, list[RoleRow]] = defaultdict(list)
    for owner, role_id, name in session.execute(select(WebitelUserRole.webitel_user_id, WebitelUserRole.role_id,
                                                       WebitelUserRole.name)
                                                .where(one_of(session, WebitelUserRole.webitel_user_id, ids))):
        roles[owner].append(RoleRow(role_id, name))
    skills: dict[uuid.UUID, list[SkillRow]] = defaultdict(list)
    for owner, skill_id, skill_name, capacity, active in session.execute(
            select(WebitelUserSkill.webitel_user_id, WebitelUserSkill.skill_id, WebitelUserSkill.skill_name,
                   WebitelUserSkill.capacity, WebitelUserSkill.active)
            .where(one_of(session, WebitelUserSkill.webitel_user_id, ids))):
        skills[owner].append(SkillRow(skill_id, skill_name, capacity, active))
    return [RecordView(**row._asdict(), licenses=licenses[row.id], roles=roles[row.id], skills=skills[row.id])
            for row in rows]
