"""Which of Webitel's contact-center operations the emulator must serve (issue 8), and the ONE
list of those it does not serve yet, each with its reason.

The coverage test (``tests/emulator/test_coverage.py``) walks the OpenAPI files: every operation
of :data:`SERVICES` is either served (and never answers 501) or named in :data:`UNSERVED`, which
is true (none of them is served) and shrinks as services are added. ``docs/emulator.md`` points
here for what stays unserved.
"""

from __future__ import annotations

# The services of issue 8, item 1, as the OpenAPI files tag them.
WEBITEL_GO = ("Users", "Devices", "Roles", "Customers", "UserAccessTokens", "Auth", "UserSettings", "Presence",
              "TwoFactorAuthentication", "Domains")
ENGINE = ("AgentService", "AgentSkillService", "SkillService", "QueueService", "QueueSkillService", "AgentTeamService",
          "AgentPauseCauseService", "SystemSettingService", "PresetQueryService", "CalendarService", "MemberService",
          "CallService", "BucketService", "QueueBucketService", "RegionService", "CommunicationTypeService")
SERVICES = frozenset(WEBITEL_GO + ENGINE)

TODO = "not served yet (issue 8, item 1)"

# operationId -> why the emulator does not serve it (each answers 501 emulator.not_implemented).
UNSERVED: dict[str, str] = {
    # Users
    "GeneratePassword": TODO,  # POST /users/password/generate
    "ReadPasswordSettings": TODO,  # GET /users/password/settings
    "GetUserWarnings": TODO,  # GET /users/warnings
    # Devices
    "ListRegistrations": TODO,  # GET /devices/{device.id}/registered
    "SearchDeviceAudit": TODO,  # GET /devices/{device.id}/users/audit
    # Roles
    "RoleMetadata": TODO,  # GET /roles/metadata
    "SearchRecordAvailableRoles": TODO,  # GET /roles/objects/{object}/records/{record.id}
    # Customers
    "GetCustomer": TODO,  # GET /customer
    "UpdateCustomer": TODO,  # PUT /customer
    "GetCustomer2": TODO,  # GET /customer/{id}
    "ServerInfo": TODO,  # GET /srvinfo
    # Auth
    "Signup": TODO,  # POST /signup
    # Presence
    "SetStatus2": TODO,  # PATCH /presence
    "SetStatus": TODO,  # PATCH /users/{publish.id}/presence
    # TwoFactorAuthentication
    "GetUserTfaKey": TODO,  # GET /users/{user_id}/2fa
    "GenerateUserTfaKey": TODO,  # POST /users/{user_id}/2fa
    # Domains
    "DeleteDomain": TODO,  # DELETE /domain
    "ReadDomain": TODO,  # GET /domain
    "SearchDomains": TODO,  # GET /domains
    "CreateDomain": TODO,  # POST /domains
    "DeleteDomain2": TODO,  # DELETE /domains/{dc}
    "ReadDomain2": TODO,  # GET /domains/{dc}
    "UpdateDomain2": TODO,  # PATCH /domains/{domain.dc}
    "UpdateDomain": TODO,  # PUT /domains/{domain.dc}
    # AgentService
    "SearchPauseCauseForAgent": TODO,  # GET /call_center/agents/{agent_id}/pause_causes
    # AgentPauseCauseService
    "SearchAgentPauseCause": TODO,  # GET /call_center/pause_causes
    "CreateAgentPauseCause": TODO,  # POST /call_center/pause_causes
    "DeleteAgentPauseCause": TODO,  # DELETE /call_center/pause_causes/{id}
    "ReadAgentPauseCause": TODO,  # GET /call_center/pause_causes/{id}
    "PatchAgentPauseCause": TODO,  # PATCH /call_center/pause_causes/{id}
    "UpdateAgentPauseCause": TODO,  # PUT /call_center/pause_causes/{id}
    # SystemSettingService
    "SearchSystemSetting": TODO,  # GET /settings
    "CreateSystemSetting": TODO,  # POST /settings
    "SearchAvailableSystemSetting": TODO,  # GET /settings/available
    "DeleteSystemSetting": TODO,  # DELETE /settings/{id}
    "ReadSystemSetting": TODO,  # GET /settings/{id}
    "PatchSystemSetting": TODO,  # PATCH /settings/{id}
    "UpdateSystemSetting": TODO,  # PUT /settings/{id}
    # PresetQueryService
    "SearchPresetQuery": TODO,  # GET /call_center/preset/query
    "CreatePresetQuery": TODO,  # POST /call_center/preset/query
    "DeletePresetQuery": TODO,  # DELETE /call_center/preset/query/{id}
    "ReadPresetQuery": TODO,  # GET /call_center/preset/query/{id}
    "PatchPresetQuery": TODO,  # PATCH /call_center/preset/query/{id}
    "UpdatePresetQuery": TODO,  # PUT /call_center/preset/query/{id}
    # CommunicationTypeService
    "SearchCommunicationType": TODO,  # GET /call_center/communication_type
    "CreateCommunicationType": TODO,  # POST /call_center/communication_type
    "DeleteCommunicationType": TODO,  # DELETE /call_center/communication_type/{id}
    "ReadCommunicationType": TODO,  # GET /call_center/communication_type/{id}
    "PatchCommunicationType": TODO,  # PATCH /call_center/communication_type/{id}
    "UpdateCommunicationType": TODO,  # PUT /call_center/communication_type/{id}
}
