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
}
