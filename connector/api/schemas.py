"""Marshmallow schemas: they validate the requests, shape the answers, and are the source of the
OpenAPI document (``/api/v1/openapi.json``) — one description, so the two never drift apart."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, pre_load, validate

DIGITS = re.compile(r"^[0-9]{1,20}$")
WEBITEL_ID = validate.Regexp(r"^[0-9]{1,19}$", error="must be a Webitel id (digits)")


class Extension(fields.String):
    """A SIP extension: digits only; empty or null means none."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text and not DIGITS.match(text):
            raise ValidationError("The extension must be digits only (at most 20)")
        return text or None


class Login(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text or any(ch.isspace() for ch in text):
            raise ValidationError("The login must be non-empty and without spaces")
        return text


class Flag(fields.Boolean):
    """A JSON boolean, nothing else: marshmallow's Boolean also takes "yes", "off", 1 and 0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryFlag(fields.Boolean):
    """A boolean in a query string: ``true`` or ``false``."""

    truthy = {"true"}
    falsy = {"false"}


def _text(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=250), **kwargs)


class StrictSchema(Schema):
    """Trims surrounding whitespace of every string; unknown keys are refused (marshmallow's RAISE)."""

    @pre_load
    def _strip(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


# -- queries ---------------------------------------------------------------------------------------
class ListQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={"description": "1-based page"})
    size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    q = fields.String(load_default=None, validate=validate.Length(max=250),
                      metadata={"description": "search text (case- and accent-insensitive, anywhere in the name)"})


class CreatioUserListQuerySchema(ListQuerySchema):
    type = fields.String(load_default=None, validate=validate.OneOf(["employee", "portal"]))


class LookupQuerySchema(StrictSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=250))


class LicenseLookupQuerySchema(LookupQuerySchema):
    product = fields.String(load_default=None, validate=validate.Length(min=1, max=50),
                            metadata={"description": "only this product, e.g. CALL_CENTER"})
    available = QueryFlag(load_default=False, metadata={"description": "only licenses with a free seat"})


# -- request bodies --------------------------------------------------------------------------------
class CreatioUserCreateSchema(StrictSchema):
    name = Login(required=True, validate=validate.Length(max=250), metadata={"description": "the login"})
    contact_name = _text(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["employee", "portal"]))
    account_name = _text(load_default=None, allow_none=True)
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
    team_id = fields.String(allow_none=True, validate=WEBITEL_ID, metadata={"description": "a Webitel team",
                                                                            "example": "1"})


class SkillGrantSchema(StrictSchema):
    skill_id = fields.String(required=True, validate=WEBITEL_ID, metadata={"example": "1"})
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=100), strict=True,
                              metadata={"example": 50})
    active = Flag(load_default=True, metadata={"description": "only active skills route calls"})


class SkillPatchSchema(StrictSchema):
    capacity = fields.Integer(validate=validate.Range(min=1, max=100), strict=True)
    active = Flag()


class AgentStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["online", "pause", "offline"]),
                           metadata={"description": "online: waiting for calls; pause: a break (with a cause)"})
    pause_cause = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                                metadata={"example": "Lunch"})


class LicenseGrantSchema(StrictSchema):
    license_id = fields.String(required=True, validate=validate.Length(min=1, max=100),
                               metadata={"description": "the license serial", "example": "cc-serial-1"})


class RoleGrantSchema(StrictSchema):
    role_id = fields.String(required=True, validate=WEBITEL_ID, metadata={"example": "1"})


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
    user = fields.Nested(UuidRefSchema, metadata={"description": "the Creatio system user"})
    contact = fields.Nested(UuidRefSchema, allow_none=True)
    webitel_username = fields.String()
    extension = fields.String(allow_none=True)
    webitel_user_id = fields.String(allow_none=True)
    default_device = fields.Nested(RefSchema, allow_none=True)
    stun_enabled = fields.Boolean()
    is_agent = fields.Boolean()
    team = fields.Nested(RefSchema, allow_none=True)
    agent_status = fields.String(allow_none=True)
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


class PageQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))


class ImportItemsQuerySchema(PageQuerySchema):
    size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
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


class ImportJobSchema(Schema):
    id = fields.UUID()
    status = fields.String(metadata={"enum": ["running", "succeeded", "failed"]})
    dry_run = fields.Boolean()
    progress = fields.Nested(ImportProgressSchema)
    summary = fields.Nested(ImportSummarySchema)
    error = fields.String(allow_none=True)
    actor = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    record_id = fields.UUID(load_default=None)
    actor = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
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
    sync = fields.Nested(SyncSchema)


class DriftRepairSchema(StrictSchema):
    ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(min=1, max=1000),
                      metadata={"description": "the records to repair (default: every record)"})
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


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A list answer ``{"items", "page", "size", "total"}``."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item)), "page": fields.Integer(),
                             "size": fields.Integer(), "total": fields.Integer()}, name=name)


def items_of(item: type[Schema], name: str) -> type[Schema]:
    """A lookup answer ``{"items": [...]}``."""
    return Schema.from_dict({"items": fields.List(fields.Nested(item))}, name=name)


CreatioUserPage = page_of(CreatioUserSchema, "CreatioUserPage")
ContactPage = page_of(ContactSchema, "ContactPage")
AccountPage = page_of(AccountSchema, "AccountPage")
WebitelUserPage = page_of(WebitelUserSchema, "WebitelUserPage")
LicenseLookup = items_of(LicenseLookupSchema, "LicenseLookup")
RefLookup = items_of(RefSchema, "RefLookup")
TeamLookup = items_of(TeamLookupSchema, "TeamLookup")
PauseCauseLookup = items_of(PauseCauseLookupSchema, "PauseCauseLookup")
DriftPage = page_of(DriftItemSchema, "DriftPage")
ImportJobPage = page_of(ImportJobSchema, "ImportJobPage")
AuditPage = page_of(AuditEventSchema, "AuditPage")
DriftRepairAnswer = items_of(DriftRepairItemSchema, "DriftRepairAnswer")
