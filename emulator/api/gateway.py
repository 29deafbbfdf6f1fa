"""Where Webitel's HTTP gateway differs from its OpenAPI files: one list, each entry with its reason.

The files describe the gRPC messages; the gateway in front of them answers some of them flat, and
serves a few paths the files do not list. The emulator answers by these (``spec.py``), serves
them in its own document (``document.py``), and the contract tests validate by them
(``contract_tests/schema.py``). Sources are in ``docs/emulator.md``.
"""

from __future__ import annotations

# Webitel's error envelope (webitel/engine pkg/werror/error.go ApplicationError; api_error.proto),
# not the rpcStatus / google.rpc.Status the files name as the default answer.
ERROR_ENVELOPE: dict = {
    "type": "object",
    "required": ["id", "code", "status"],
    "properties": {"id": {"type": "string", "minLength": 1}, "code": {"type": "integer"},
                   "status": {"type": "string"}, "detail": {"type": "string"}, "request_id": {"type": "string"}},
    "additionalProperties": False,
}

# A user setting's value as it travels (docs/emulator.md: the body is the bare value): a JSON
# object (google.protobuf.Value, written as stored: false included). The phone settings' attributes
# are booleans.
USER_SETTING: dict = {"type": "object"}
PHONE_SETTINGS: dict = {"type": "object", "properties": {"webrtc": {"type": "boolean"}, "stun": {"type": "boolean"}},
                        "additionalProperties": True}

_USER = {"$ref": "#/definitions/apiUser"}
_DEVICE = {"$ref": "#/definitions/apiDevice"}
_ROLE = {"$ref": "#/definitions/apiRole"}

# operationId -> the schema the gateway really answers with. One dict per backend, so that work on
# webitel.go and on the engine never edits the same lines.
WEBITEL_GO_RESPONSES: dict[str, dict] = {
    # webitel.go answers single objects flat, not in the proto's wrapper (docs/emulator.md,
    # "Single-object responses from webitel.go are flat"; users.proto: response_body "updated").
    "ReadUser": _USER,
    "ReadUser2": _USER,  # GET /user, the caller's own user
    "CreateDevice": _DEVICE,
    "ReadDevice": _DEVICE,
    "UpdateDevice": _DEVICE,
    "UpdateDevice2": _DEVICE,
    "CreateRole": _ROLE,
    "ReadRole": _ROLE,
    "UpdateRole": _ROLE,
    "UpdateRole2": _ROLE,
    # DELETE /devices/{id} answers a bare array of the deleted devices, with deleted_at / deleted_by
    # (issue 8: observed on Webitel; devices.proto's DeleteDeviceResponse{deleted} is not what travels).
    "DeleteDevice": {"type": "array", "items": _DEVICE},
    "DeleteDevice2": {"type": "array", "items": _DEVICE},
    # /user/settings/{key} answers the bare value (docs/emulator.md).
    "GetUserSettings": USER_SETTING,
    "SetUserSettings": USER_SETTING,
    # POST /signup answers the new session flat, as POST /login does (issue 20), not in LoginResponse.
    "Signup": {"$ref": "#/definitions/apiAccessToken"},
}
# Bodies the gateway reads where the files declare query parameters only: operationId -> schema.
# POST /signup takes its fields as a JSON body (issue 20), as POST /login does; the query still works.
REQUEST_BODIES: dict[str, dict] = {
    "Signup": {"type": "object", "properties": {
        "domain": {"type": "string"}, "username": {"type": "string"}, "password": {"type": "string"},
        "extension": {"type": "string"}, "certificate": {"type": "string", "format": "byte"},
        "scope": {"type": "array", "items": {"type": "string"}}, "mobile": {"type": "boolean"}}},
}
ENGINE_RESPONSES: dict[str, dict] = {
}
RESPONSE_OVERRIDES: dict[str, dict] = {**WEBITEL_GO_RESPONSES, **ENGINE_RESPONSES}

# Paths the gateway serves that the files do not describe:
# operationId -> (method, path, service, answer schema, body schema or None).
EXTRA_OPERATIONS: dict[str, tuple[str, str, str, dict, dict | None]] = {
    # POST /login answers an OAuth 2.0 token (docs/emulator.md, "Login"); auth.proto's LoginRequest.
    "Login": ("POST", "/login", "Auth", {"$ref": "#/definitions/apiAccessToken"},
              {"type": "object", "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                                                "domain": {"type": "string"}, "extension": {"type": "string"},
                                                "mobile": {"type": "boolean"}}}),
}

# google.protobuf.Int32Value (and other wrapper) fields: written even when 0, left out only when
# null (engine grpc_api: capacity, min_capacity, max_capacity are wrappers; docs/emulator.md).
WEBITEL_GO_WRAPPERS: frozenset[tuple[str, str]] = frozenset({
    # google.protobuf.Value: a message, written whenever it is set (false, 0, "" and {} included).
    ("apiRoleMetadataResponse", "value"),
})
ENGINE_WRAPPERS: frozenset[tuple[str, str]] = frozenset({
    ("engine.AgentSkill", "capacity"), ("engine.AgentSkillItem", "capacity"), ("engine.SkillAgentItem", "capacity"),
    ("engine.QueueSkill", "min_capacity"), ("engine.QueueSkill", "max_capacity"),
})
WRAPPER_FIELDS = WEBITEL_GO_WRAPPERS | ENGINE_WRAPPERS

# The 5xx Webitel answers by design (error id -> where it comes from); any other 5xx is an emulator
# failure (the Schemathesis run holds the emulator to this).
WEBITEL_GO_5XX: dict[str, str] = {
}
ENGINE_5XX: dict[str, str] = {
    "store.sql_skill.delete.app_error": "a skill still used by agents or queues (docs/emulator.md)",
    "store.sql_agent_team.delete.app_error": "a team still used by agents or queues",
    "store.sql_agent.set_online.app_error": "online without a registered phone (call_center SetOnline)",
    # Calendars, calls and agents' reports (engine store/sqlstore/calendar_store.go, grpc_api/cc_agent.go).
    "store.sql_calendar.save.app_error": "a calendar whose timezone does not exist (the insert's FK, NewInternalError)",
    "store.sql_calendar.delete.app_error": "a calendar still used by a queue (cc_queue_calendar_id_fk, "
                                           "NewInternalError)",
    "deprecated": "GET /call_center/agents/{id}/teams, deprecated since 2021 (SearchAgentInTeam)",
}
DOCUMENTED_5XX: frozenset[str] = frozenset(WEBITEL_GO_5XX) | frozenset(ENGINE_5XX)


# -- engine: SystemSettingService, PresetQueryService, AgentPauseCauseService, CommunicationTypeService --
# google.protobuf.Value fields: a message, written whenever it is set (false, 0, "" and {} included).
ENGINE_VALUES: frozenset[tuple[str, str]] = frozenset({("engine.SystemSetting", "value"),
                                                       ("engine.PresetQuery", "preset")})
WRAPPER_FIELDS = WRAPPER_FIELDS | ENGINE_VALUES
ENGINE_DICTIONARIES_5XX: dict[str, str] = {
    "store.sql_sys_settings.save.app_error": "a second value of a setting (engine system_settings_store.go)",
    "store.sql_communication_type.save.app_error": "a code already used, a value too long (cc_communication_store.go)",
    "store.sql_communication_type.update.app_error": "the same, on update",
    "store.sql_communication_type.delete.app_error": "a type still used by members' communications",
}
DOCUMENTED_5XX = DOCUMENTED_5XX | frozenset(ENGINE_DICTIONARIES_5XX)
