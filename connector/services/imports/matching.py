"""The import's matching rules, deterministic and explained, as a pure function of what was read:
no database, no Webitel, no Creatio here.

For each Webitel user, in this order:
1. a record already holding the Webitel user id is that user's record (updated, or unchanged);
2. a record holding the username without that id is refused (it belongs to another Webitel user, or
   its create is under way);
3. otherwise the Creatio system user whose login is the username, and its contact (jsmith is the user
   jsmith of the contact "John Smith");
4. otherwise the contact whose name is the username.
Names are compared on the normalised key (NFKC, case-folded, whitespace collapsed). More than one
candidate is skipped and reported as ambiguous, never guessed; one is linked (with its Creatio system
user when it has one); none means a new contact is made.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ...core.names import name_key
from ...creatio import Contact, SystemUser
from ..webitel_users.remote import RecordView


class Outcome(enum.StrEnum):
    CREATED = "created"  # a new record, with a new contact
    LINKED = "linked_existing_contact"  # a new record, linked to the contact found
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    AMBIGUOUS = "skipped_ambiguous"
    BUSY = "skipped_busy"  # the record is being changed (or was, after this run read Webitel): left alone
    FAILED = "failed"


SUMMARY_KEYS = {Outcome.CREATED: "created", Outcome.LINKED: "linked_existing_contacts", Outcome.UPDATED: "updated",
                Outcome.UNCHANGED: "unchanged", Outcome.AMBIGUOUS: "skipped_ambiguous", Outcome.BUSY: "skipped_busy",
                Outcome.FAILED: "failed"}


@dataclass
class Decision:
    outcome: Outcome
    record: RecordView | None = None  # the record to update (or left alone)
    contact: Contact | None = None  # the contact to link (None with CREATED: a new one)
    system_user: SystemUser | None = None
    detail: dict = field(default_factory=dict)
    record_id: uuid.UUID | None = None  # the new record's, once written


@dataclass(frozen=True)
class Known:
    """What the connector holds for one page of Webitel users."""

    by_webitel_id: dict[str, RecordView]
    by_username: dict[str, RecordView]  # by the username's key
    contacts: dict[str, list[Contact]]  # by name key, every candidate
    users_by_login: dict[str, list[SystemUser]]  # by login key, every candidate
    system_users: dict[uuid.UUID, SystemUser]  # by contact id
    linked_system_users: dict[uuid.UUID, RecordView]  # system user id -> the record it has already


def decide(user: dict, known: Known, *, busy: Callable[[RecordView], str | None],
           changes: Callable[[RecordView], dict]) -> Decision:
    """``busy`` says why a record must be left alone (None: it may be written); ``changes`` what differs."""
    uid, username = str(user["id"]), str(user.get("username") or "")
    record = known.by_webitel_id.get(uid)
    if record is not None:
        why = busy(record)
        if why:
            return Decision(Outcome.BUSY, record, detail={"reason": why})
        differs = changes(record)
        return Decision(Outcome.UPDATED, record, detail={"fields": differs}) if differs \
            else Decision(Outcome.UNCHANGED, record)
    key = name_key(username)
    holder = known.by_username.get(key)
    if holder is not None:
        if holder.webitel_user_id is None:
            return Decision(Outcome.BUSY, holder, detail={"reason": "the record's create is under way"})
        return Decision(Outcome.FAILED, holder, detail={
            "error": f"the record {holder.id} has the username {holder.webitel_username} and is linked to the Webitel "
                     f"user {holder.webitel_user_id}; repair or delete it"})
    users = known.users_by_login.get(key, [])
    if len(users) > 1:
        return Decision(Outcome.AMBIGUOUS, detail={"candidates": [{"id": str(u.contact.id), "name": u.contact.name,
                                                                   "user": u.name} for u in users]})
    if users:
        login = users[0]
        return _link(Contact(login.contact.id, login.contact.name, login.account), login, known, matched_by="login")
    candidates = known.contacts.get(key, [])
    if len(candidates) > 1:
        return Decision(Outcome.AMBIGUOUS, detail={"candidates": [{"id": str(c.id), "name": c.name}
                                                                  for c in candidates]})
    if not candidates:
        return Decision(Outcome.CREATED)
    contact = candidates[0]
    return _link(contact, known.system_users.get(contact.id), known, matched_by="contact_name")


def _link(contact: Contact, system_user: SystemUser | None, known: Known, *, matched_by: str) -> Decision:
    """Link the contact (and its system user), unless that user has a record already."""
    if system_user is not None and system_user.id in known.linked_system_users:
        other = known.linked_system_users[system_user.id]
        return Decision(Outcome.FAILED, contact=contact, detail={
            "error": f"the Creatio user {system_user.name} of the contact {contact.name} already has the Webitel user "
                     f"record {other.id} ({other.webitel_username})"})
    return Decision(Outcome.LINKED, contact=contact, system_user=system_user, detail={"matched_by": matched_by})
