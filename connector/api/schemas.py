"""Marshmallow schemas: they validate the requests, shape the answers, and are the source of the
OpenAPI document (``/api/v1/openapi.json``) — one description, so the two never drift apart."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..core.names import stored_length
from ..creatio.rules import MAX_NAME, too_long

INT64_MAX = 2**63 - 1  # Webitel's ids are int64
MAX_PAGE = 1_000_000  # with the largest size, the row offset stays within 32 bits
CONTROL = "\\x00-\\x1f\\x7f-\\x9f"  # C0 and C1 control characters (PostgreSQL cannot store NUL)
EXTENSION = "[0-9]{1,20}"


def decimal_up_to(limit: int) -> str:
    """A pattern (unanchored) for the whole numbers 1..``limit`` in decimal, without leading zeros:
    JSON Schema has no numeric range for strings, so the bound is spelled out digit by digit."""
    digits = str(limit)
    alternatives = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low, high = (1 if i == 0 else 0), int(digit) - 1
        if high < low:
            continue
        rest = len(digits) - i - 1
        alternatives.append(digits[:i] + (f"[{low}-{high}]" if high > low else str(low))
                            + (f"[0-9]{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


WEBITEL_ID = decimal_up_to(INT64_MAX)


def trimmed(core: str) -> str:
    """The published pattern of a value whose surrounding spaces are trimmed (``StrictSchema``)."""
    return f"^ *(?:{core}) *$"


class Pattern(validate.Regexp):
    """A regular expression the whole value must match (``re.match`` with ``$`` lets a trailing
    newline through); apispec publishes it as the field's ``pattern``."""

    regex: re.Pattern[str]  # built from text only, never bytes

    def __call__(self, value: str) -> str:  # type: ignore[override]  # text only: no bytes overload
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Unique(validate.Validator):
    """No item twice (``uniqueItems`` in the OpenAPI document)."""

    def __call__(self, value: Sequence[Hashable]) -> Sequence[Hashable]:
        seen: set[Hashable] = set()
        for index, item in enumerate(value):
            if item in seen:
                raise ValidationError(f"Item {index} is given twice")
            seen.add(item)
        return value


class StoredLength(validate.Validator):
    """At most ``limit`` characters as given, as shown and as matched (NFKC, case-folded): the
    column holds each form, and normalising can make a name longer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> str:
        if stored_length(value) > self.limit:
            raise ValidationError(too_long(self.limit))
        return value


class Text(fields.String):
    """One line of text (``min_length``..``max_length`` characters, no control characters: PostgreSQL
    cannot store NUL, and none belongs in a name, an id or a search). ``pattern`` narrows it."""

    def __init__(self, *, max_length: int, min_length: int = 1, pattern: str = f"^[^{CONTROL}]*$",
                 error: str = "Control characters (NUL, line breaks, ...) are not allowed", **kwargs: Any) -> None:
        kwargs.setdefault("validate", [])
        super().__init__(**kwargs)
        self.validators = [validate.Length(min=min_length, max=max_length), Pattern(pattern, error=error),
                           *self.validators]


class Name(Text):
    """A name stored in a column of ``MAX_NAME`` characters, with its normalised key."""

    def __init__(self, *, pattern: str = f"^[^{CONTROL}]*$", **kwargs: Any) -> None:
        metadata = {"x-stored-max-length": MAX_NAME, **kwargs.pop("metadata", {})}
        metadata["description"] = "; ".join(filter(None, [metadata.get("description"), (
            f"at most {MAX_NAME} characters, also once normalised (NFKC, case-folded) as it is stored")]))
        super().__init__(max_length=MAX_NAME, pattern=pattern, metadata=metadata, **kwargs)
        self.validators.append(StoredLength(MAX_NAME))


class Login(Name):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(pattern=trimmed(f"[^\\s{CONTROL}]+"),
                         error="The login must be non-empty, without spaces or control characters", **kwargs)


class WebitelId(fields.String):
    """A Webitel id: an int64 in decimal (1..9223372036854775807, no leading zeros)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("example", "1")
        super().__init__(validate=Pattern(trimmed(WEBITEL_ID), error=(
            f"Must be a Webitel id: digits, from 1 to {INT64_MAX}, without leading zeros")), **kwargs)


class Extension(fields.String):
    """A SIP extension: 1 to 20 digits; empty or null means none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})["pattern"] = trimmed(f"(?:{EXTENSION})?")
        super().__init__(**kwargs)

    # None for empty: wider than String's str, on purpose (the field stays a string for apispec).
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str | None:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if text and not re.fullmatch(EXTENSION, text):
            raise ValidationError("The extension must be digits only (at most 20)")
        return text or None


class Flag(fields.Boolean):
    """A JSON boolean, nothing else: marshmallow's Boolean also takes "yes", "off", 1 and 0."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryFlag(fields.Boolean):
    """A boolean in a query string: ``true`` or ``false``."""

    truthy = {"true"}
    falsy = {"false"}


class StrictSchema(Schema):
    """Trims the surrounding spaces of every string (only spaces: a tab or a line break is a control
    character, refused like any other); unknown keys are refused (marshmallow's RAISE)."""

    @pre_load
    def _strip(self, data: object, **kwargs: Any) -> object:
        if isinstance(data, dict):
            return {k: v.strip(" ") if isinstance(v, str) else v for k, v in data.items()}
        return data


class QueryInteger(fields.Integer):
    """A whole number in a query string: ASCII digits only (Python's int() also takes "1_000", " 7"
    and other scripts' digits)."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if isinstance(value, str) and not re.fullmatch("[0-9]{1,20}", value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def page_field() -> fields.Integer:
    return QueryInteger(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                        metadata={"description": "1-based page"})


def size_field(default: int, largest: int = 500) -> fields.Integer:
    return QueryInteger(load_default=default, validate=validate.Range(min=1, max=largest),
                        metadata={"description": "items per page"})


def search_field() -> Text:
    return Text(min_length=0, max_length=MAX_NAME, load_default=None,
                metadata={"description": "search text (case- and accent-insensitive, anywhere in the name)"})


# -- queries ---------------------------------------------------------------------------------------
class PageQuerySchema(StrictSchema):
    page = page_field()
    size = size_field(20)


class ListQuerySchema(StrictSchema):
    page = page_field()
    size = size_field(50)
    q = search_field()


class CreatioUserListQuerySchema(ListQuerySchema):
    type = fields.String(load_default=None, validate=validate.OneOf(["employee", "portal"]))


class LookupQuerySchema(StrictSchema):
    q = search_field()


class LicenseLookupQuerySchema(LookupQuerySchema):
    product = Text(max_length=50, load_default=None, metadata={"description": "only this product, e.g. CALL_CENTER"})
    available = QueryFlag(load_default=False, metadata={"description": "only licenses with a free seat"})


# -- request bodies --------------------------------------------------------------------------------
class CreatioUserCreateSchema(StrictSchema):
    name = Login(required=True, metadata={"description": "the login"})
    contact_name = Name(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["employee", "portal"]))
    account_name = Name(load_default=None, allow_none=True)
    active = Flag(load_default=True)


class CreatioUserPatchSchema(StrictSchema):
    active = Flag(required=True)


class WebitelUserCreateSchema(StrictSchema):
    user_id = fields.UUID(required=True, metadata={"description": "the Creatio system user (SysAdminUnit) id"})
    extension = Extension(load_default=None, allow_none=True, metadata={"example": "1001"})


class WebitelUserPatchSchema(StrictSchema):
    extension = Extension(allow_none=True, metadata={"description": "null or \"\" removes the extension"})
    stun_enabled = Flag()
    is_agent = Flag(metadata={"description": "true makes the user a call-center agent in team_id (it needs a "
                                                       "CALL_CENTER license); false deactivates the agent (the record "
                                                       "keeps its skills for when it becomes one again)"})
    team_id = WebitelId(allow_none=True, metadata={"description": "a Webitel team"})


class SkillGrantSchema(StrictSchema):
    skill_id = WebitelId(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=100), strict=True,
                              metadata={"example": 50})
    active = Flag(load_default=True, metadata={"description": "only active skills route calls"})


class SkillPatchSchema(StrictSchema):
    capacity = fields.Integer(validate=validate.Range(min=1, max=100), strict=True)
    active = Flag()


class AgentStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["online", "pause", "offline"]),
                           metadata={"description": "online: waiting for calls; pause: a break (with a cause)"})
    pause_cause = Text(max_length=100, load_default=None, allow_none=True,
                       metadata={"example": "Lunch", "description": "the cause's name"})
    pause_cause_id = WebitelId(load_default=None, allow_none=True,
                               metadata={"description": "the cause's id, as the pause-causes lookup gives it "
                                                        "(instead of pause_cause)"})

    @validates_schema
    def _one_cause(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("pause_cause") and data.get("pause_cause_id"):
            raise ValidationError("give the pause cause's name or its id, not both", "pause_cause_id")


class UserLinkSchema(StrictSchema):
    user_id = fields.UUID(required=True, metadata={"description": "the Creatio system user (SysAdminUnit) id"})


class LicenseGrantSchema(StrictSchema):
    license_id = Text(max_length=100, required=True, metadata={"description": "the license serial",
                                                               "example": "cc-serial-1"})


class RoleGrantSchema(StrictSchema):
    role_id = WebitelId(required=True)


# -- answers ---------------------------------------------------------------------------------------
class RefSchema(Schema):
    id = fields.String()
    name = fields.String()


class UuidRefSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class AccountSchema(Schema):
    id = fields.UUID()
    name = fields.String()


class ContactSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    account = fields.Nested(AccountSchema, allow_none=True)


class CreatioUserSchema(Schema):
    id = fields.UUID()
    name = fields.String(metadata={"description": "the login"})
    type = fields.Function(lambda user: user.type.label, metadata={"enum": ["employee", "portal"]})
    active = fields.Boolean()
    contact = fields.Nested(UuidRefSchema)
    account = fields.Nested(AccountSchema, allow_none=True)
    created_at = fields.DateTime()


class LicenseRefSchema(Schema):
    id = fields.String(attribute="license_id", metadata={"description": "the license serial"})
    product = fields.String()


class RoleRefSchema(Schema):
    id = fields.String(attribute="role_id")
    name = fields.String()


class SkillRowSchema(Schema):
    skill = fields.Nested(RefSchema)
    capacity = fields.Integer()
    active = fields.Boolean()


class SyncSchema(Schema):
    state = fields.String(metadata={"enum": ["in_sync", "pending", "conflict"],
                                    "description": "in_sync: Webitel matches the record; pending: a change is not "
                                                   "confirmed yet (the reconciler finishes it); conflict: Webitel "
                                                   "refuses the record or was changed elsewhere (last_error says why)"})
    last_error = fields.String(allow_none=True)
    checked_at = fields.DateTime(allow_none=True, metadata={"description": "when Webitel was last compared"})


class WebitelUserSchema(Schema):
    id = fields.UUID()
    user = fields.Nested(UuidRefSchema, allow_none=True,
                         metadata={"description": "the Creatio system user (null: imported without one)"})
    contact = fields.Nested(UuidRefSchema, allow_none=True)
    webitel_username = fields.String()
    extension = fields.String(allow_none=True)
    webitel_user_id = fields.String(allow_none=True)
    default_device = fields.Nested(RefSchema, allow_none=True)
    stun_enabled = fields.Boolean()
    is_agent = fields.Boolean()
    team = fields.Nested(RefSchema, allow_none=True)
    agent_status = fields.String(allow_none=True)
    pause_cause = fields.String(allow_none=True, metadata={"description": "the cause of the agent's break (while "
                                                                          "agent_status is pause)"})
    licenses = fields.List(fields.Nested(LicenseRefSchema))
    roles = fields.List(fields.Nested(RoleRefSchema))
    skills = fields.List(fields.Nested(SkillRowSchema))
    warnings = fields.List(fields.String(), metadata={"description": "no_extension: it cannot register a SIP phone"})
    state = fields.String(metadata={"description": "active; creating (not linked to a Webitel user yet) or deleting "
                                                   "while that is under way or pending",
                                    "enum": ["creating", "active", "deleting"]})
    sync = fields.Nested(SyncSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class LicenseLookupSchema(Schema):
    id = fields.String(metadata={"description": "the serial"})
    product = fields.String()
    name = fields.String(allow_none=True)
    limit = fields.Integer()
    remain = fields.Integer(metadata={"description": "seats left"})
    not_before = fields.String(allow_none=True)
    not_after = fields.String(allow_none=True)
    errors = fields.List(fields.String(), metadata={"description": "Webitel's status errors, e.g. product exhausted"})
    available = fields.Boolean(metadata={"description": "can be granted now (valid, with a free seat)"})


class TeamLookupSchema(Schema):
    id = fields.String()
    name = fields.String()
    strategy = fields.String(allow_none=True)


class PauseCauseLookupSchema(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "what PUT .../agent-status takes as pause_cause"})
    limit_min = fields.Integer(metadata={"description": "the break's limit in minutes (0: none)"})


class CheckSchema(Schema):
    ok = fields.Boolean()
    latency_ms = fields.Float()
    error = fields.String()


class HealthSchema(Schema):
    status = fields.String(metadata={"enum": ["ok", "degraded"]})
    database = fields.Nested(CheckSchema)
    webitel = fields.Nested(CheckSchema)
    creatio = fields.Nested(CheckSchema, metadata={"description": "only with a live Creatio (CONNECTOR_CREATIO_URL)"})


class LivenessSchema(Schema):
    status = fields.String(metadata={"enum": ["ok"]})


class ErrorBodySchema(Schema):
    code = fields.String(metadata={"description": "stable machine code, e.g. extension_taken"})
    message = fields.String(metadata={"description": "English default text"})
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": "messages by request field"})
    webitel = fields.Dict(metadata={"description": "Webitel's own error: {\"id\", \"detail\"}"})
    steps = fields.List(fields.Dict(), metadata={"description": "a multi-step operation's steps and outcomes"})
    compensated = fields.Boolean(metadata={"description": "the steps done were undone"})
    outcome = fields.String(metadata={"description": "what holds now: not_created, not_changed, not_deleted (nothing "
                                                     "changed, on either side), or pending (the reconciler finishes "
                                                     "it)"})
    record_id = fields.UUID(metadata={"description": "the record, when the answer is pending"})
    existing = fields.Dict(metadata={"description": "what already holds it (already_exists, username_taken, "
                                                    "import_running, drift_check_running)"})
    holder = fields.String(metadata={"description": "extension_taken: the user who holds the extension"})
    hint = fields.String(metadata={"description": "what to do instead, e.g. import"})
    candidates = fields.List(fields.String(), metadata={"description": "ambiguous_name: the matching records"})
    creatio = fields.Dict(metadata={"description": "a live Creatio's own error: {\"status\", \"message\"}"})

    class Meta:
        unknown = INCLUDE  # an error may carry more details than these; clients ignore what they do not know


class ImportItemsQuerySchema(PageQuerySchema):
    size = size_field(100, 1000)
    outcome = fields.String(load_default=None, validate=validate.OneOf(
        ["created", "linked_existing_contact", "updated", "unchanged", "skipped_ambiguous", "skipped_busy", "failed"]))


class ImportStartSchema(StrictSchema):
    dry_run = Flag(load_default=False, metadata={"description": "the same plan, items and summary; nothing written"})
    stun = Flag(load_default=True, metadata={"description": "read each user's STUN (three Webitel calls a user)"})


class ImportProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer(allow_none=True)


class ImportSummarySchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    linked_existing_contacts = fields.Integer()
    created_contacts = fields.Integer()
    created_accounts = fields.Integer()
    skipped_ambiguous = fields.Integer()
    skipped_busy = fields.Integer()
    failed = fields.Integer()


class JobSchema(Schema):
    """What every background job shows (an import, a drift check)."""

    id = fields.UUID()
    status = fields.String(metadata={"enum": ["running", "succeeded", "failed"]})
    progress = fields.Nested(ImportProgressSchema)
    error = fields.String(allow_none=True)
    actor = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class ImportJobSchema(JobSchema):
    dry_run = fields.Boolean()
    summary = fields.Nested(ImportSummarySchema)


class ImportItemSchema(Schema):
    webitel_user_id = fields.String()
    webitel_username = fields.String()
    outcome = fields.String(metadata={"enum": ["created", "linked_existing_contact", "updated", "unchanged",
                                               "skipped_ambiguous", "skipped_busy", "failed"]})
    record_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    detail = fields.Dict(allow_none=True, metadata={"description": "candidates (ambiguous), error (failed), fields "
                                                                   "(updated), warnings (no_creatio_user)"})


class ItemsPageSchema(Schema):
    page = fields.Integer()
    size = fields.Integer()
    total = fields.Integer()


class ImportJobWithItemsSchema(ImportJobSchema):
    items = fields.List(fields.Nested(ImportItemSchema), attribute="items.items",
                        metadata={"description": "one page of what the import did with each Webitel user"})
    items_page = fields.Nested(ItemsPageSchema, attribute="items")


class AuditQuerySchema(StrictSchema):
    page = page_field()
    size = size_field(50)
    record_id = fields.UUID(load_default=None)
    actor = Text(max_length=100, load_default=None, metadata={"description": "the API token's name, or reconciler"})
    since = fields.AwareDateTime(load_default=None, metadata={"description": "from this time on (inclusive)"})
    until = fields.AwareDateTime(load_default=None, metadata={"description": "before this time"})


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    record_id = fields.UUID(allow_none=True)
    webitel_username = fields.String(allow_none=True)
    outcome = fields.String(metadata={"description": "done, refused, pending, not_changed, ...; for the reconciler "
                                                    "in_sync, pending, conflict, removed"})
    error_code = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True, metadata={"description": "the record's desired state before"})
    after = fields.Dict(allow_none=True, metadata={"description": "... and after (none once deleted)"})
    webitel_calls = fields.List(fields.Dict(), allow_none=True,
                                metadata={"description": "method, path, status, outcome, duration_ms of each call"})
    request_id = fields.String(allow_none=True)


class DriftQuerySchema(StrictSchema):
    page = page_field()
    size = size_field(50)
    stun = QueryFlag(load_default=True, metadata={"description": "compare STUN too (three Webitel calls a user)"})


class DriftValueSchema(Schema):
    record = fields.Raw(allow_none=True)
    webitel = fields.Raw(allow_none=True)


class DriftItemSchema(Schema):
    kind = fields.String(metadata={"enum": ["missing_in_webitel", "missing_record", "differs"]})
    record_id = fields.UUID(allow_none=True)
    webitel_user_id = fields.String(allow_none=True)
    webitel_username = fields.String(allow_none=True)
    drift_fields = fields.Dict(keys=fields.String(), values=fields.Nested(DriftValueSchema), data_key="fields",
                               attribute="fields", metadata={"description": "each differing field, both values"})
    sync = fields.Nested(SyncSchema, allow_none=True)


class DriftCheckStartSchema(StrictSchema):
    stun = Flag(load_default=True, metadata={"description": "compare STUN too (three Webitel calls a user)"})


class DriftCheckItemsQuerySchema(PageQuerySchema):
    size = size_field(100, 1000)
    kind = fields.String(load_default=None, validate=validate.OneOf(["missing_in_webitel", "missing_record",
                                                                     "differs"]))


class DriftCheckSummarySchema(Schema):
    differs = fields.Integer()
    missing_in_webitel = fields.Integer()
    missing_record = fields.Integer()


class DriftCheckSchema(JobSchema):
    summary = fields.Nested(DriftCheckSummarySchema, metadata={"description": "differences found, by kind"})


class DriftCheckWithItemsSchema(DriftCheckSchema):
    items = fields.List(fields.Nested(DriftItemSchema), attribute="items.items",
                        metadata={"description": "one page of the differences found, in the order found"})
    items_page = fields.Nested(ItemsPageSchema, attribute="items")


class DriftRepairSchema(StrictSchema):
    ids = fields.List(fields.UUID(), load_default=None, validate=[validate.Length(min=1, max=1000), Unique()],
                      metadata={"description": "the records to repair (default: every record)", "uniqueItems": True})
    direction = fields.String(required=True, validate=validate.OneOf(["to_webitel", "to_record"]))


class DriftRepairItemSchema(Schema):
    record_id = fields.UUID()
    outcome = fields.String(metadata={"enum": ["repaired", "pending", "conflict", "skipped", "failed",
                                               "not_reached", "lost"]})
    sync_state = fields.String()
    code = fields.String()
    message = fields.String()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


def page_of(item: type[Schema]) -> type[Schema]:
    """A list answer ``{"items", "page", "size", "total"}``, named "<Item>Page" in the OpenAPI document."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "page": fields.Integer(),
                             "size": fields.Integer(), "total": fields.Integer()}, name=_named(item, "Page"))


def items_of(item: type[Schema]) -> type[Schema]:
    """A lookup answer ``{"items": [...]}``, named "<Item>List" in the OpenAPI document."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item))}, name=_named(item, "List"))


def _named(item: type[Schema], suffix: str) -> str:
    """The wrapper's name from its item's: apispec names ``FooSchema`` "Foo", so a wrapper named like
    its item would be the same schema in the document (LicenseLookup once listed itself)."""
    return item.__name__.removesuffix("Schema") + suffix


CreatioUserPage = page_of(CreatioUserSchema)
ContactPage = page_of(ContactSchema)
AccountPage = page_of(AccountSchema)
WebitelUserPage = page_of(WebitelUserSchema)
LicenseLookup = items_of(LicenseLookupSchema)
RefLookup = items_of(RefSchema)
TeamLookup = items_of(TeamLookupSchema)
PauseCauseLookup = items_of(PauseCauseLookupSchema)
DriftPage = page_of(DriftItemSchema)
ImportJobPage = page_of(ImportJobSchema)
DriftCheckPage = page_of(DriftCheckSchema)
AuditPage = page_of(AuditEventSchema)
DriftRepairAnswer = items_of(DriftRepairItemSchema)
