"""Which of Webitel's contact-center operations the emulator must serve, and the ONE list of
those it does not serve, each with its reason.

The coverage test (``tests/emulator/test_coverage.py``) walks the OpenAPI files: every operation
of :data:`SERVICES` is either served (and never answers 501) or named in :data:`UNSERVED`. Every
operation of these services is served, so the list is empty; a service added to :data:`SERVICES`
must be served whole, or list what it leaves out and why.
"""

from __future__ import annotations

# The services of the contact-center core, as the OpenAPI files tag them.
WEBITEL_GO = ("Users", "Devices", "Roles", "Customers", "UserAccessTokens", "Auth", "UserSettings", "Presence",
              "TwoFactorAuthentication", "Domains")
ENGINE = ("AgentService", "AgentSkillService", "SkillService", "QueueService", "QueueSkillService", "AgentTeamService",
          "AgentPauseCauseService", "SystemSettingService", "PresetQueryService", "CalendarService", "MemberService",
          "CallService", "BucketService", "QueueBucketService", "RegionService", "CommunicationTypeService")
SERVICES = frozenset(WEBITEL_GO + ENGINE)

# operationId -> why the emulator does not serve it (each answers 501 emulator.not_implemented).
UNSERVED: dict[str, str] = {
}
