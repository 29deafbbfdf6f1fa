"""The Webitel users section: records, licenses, roles (STUN is the record's ``stun_enabled``)."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.paging import Page
from ..models import WebitelUser
from ..services import webitel_users as service
from . import schemas as s
from .context import creatio, db, services, webitel
from .routing import UPSTREAM, Answer, ApiBlueprint

bp = ApiBlueprint("webitel_users", __name__, tag="Webitel users", url_prefix="/api/v1/webitel-users")


@bp.operation("GET", "", summary="List Webitel users", query=s.ListQuerySchema, response=s.WebitelUserPage,
              errors=(422,))
def list_webitel_users(query: dict[str, Any]) -> Page[WebitelUser]:
    page = service.list_records(db(), **query)
    service.with_agent_status(webitel(), page.items)
    return page


@bp.operation("GET", "/<uuid:record_id>", summary="Read a Webitel user", response=s.WebitelUserSchema,
              errors=(404,))
def get_webitel_user(record_id: uuid.UUID) -> WebitelUser:
    record = service.get_record(db(), record_id)
    service.with_agent_status(webitel(), [record])
    return record


@bp.operation("POST", "", summary="Create a Webitel user for a Creatio system user", status=201,
              body=s.WebitelUserCreateSchema, response=s.WebitelUserSchema, errors=(400, 409, 422, *UPSTREAM))
def create_webitel_user(body: dict[str, Any]) -> WebitelUser:
    """The username is the Creatio user's login and the contact is the user's contact. Webitel makes
    the default SIP device and its password, which never reaches the connector."""
    return service.create_webitel_user(services(), creatio().get_system_user, **body)


@bp.operation("PATCH", "/<uuid:record_id>", summary="Change the extension, STUN, the agent flag or the team",
              body=s.WebitelUserPatchSchema,
              response=s.WebitelUserSchema, errors=(400, 404, 409, 422, *UPSTREAM))
def change_webitel_user(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    return service.change_webitel_user(services(), record_id, body)


@bp.operation("PUT", "/<uuid:record_id>/user", summary="Link the record to a Creatio system user",
              body=s.UserLinkSchema, response=s.WebitelUserSchema, errors=(400, 404, 409, 422, *UPSTREAM))
def link_creatio_user(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    """For a record whose Webitel user matched no Creatio user on import (the warning
    ``no_creatio_user``), or was linked to the wrong one: the record's User and Contact become the
    user's and its contact. Only the record changes; the Webitel username stays. 400
    ``not_a_creatio_user`` for an unknown or inactive user, 409 ``already_exists`` when that user has
    another record."""
    user = creatio().get_system_user(body["user_id"])
    return service.link_creatio_user(services(), record_id, user, user_id=body["user_id"])


@bp.operation("DELETE", "/<uuid:record_id>", summary="Delete a Webitel user (in Webitel too)", status=204,
              errors=(202, 404, 409, *UPSTREAM))
def delete_webitel_user(record_id: uuid.UUID) -> Answer | None:
    """204: gone, here and in Webitel. 202: accepted but not finished: the record's create had an
    answer that was lost and may still land in Webitel, so the record stays (``sync.state`` pending)
    until the late-write horizon, when the connector removes what landed, and the record."""
    if not service.delete_webitel_user(services(), record_id):
        return Answer(None, 202)
    return None

@bp.operation("POST", "/<uuid:record_id>/licenses", summary="Grant a license", status=201,
              body=s.LicenseGrantSchema, response=s.WebitelUserSchema, errors=(404, 409, 422, *UPSTREAM))
def add_license(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    return service.add_license(services(), record_id, body["license_id"])


@bp.operation("DELETE", "/<uuid:record_id>/licenses/<license_id>", summary="Revoke a license", status=204,
              errors=(400, 404, 409, *UPSTREAM))
def remove_license(record_id: uuid.UUID, license_id: str) -> None:
    service.remove_license(services(), record_id, license_id)


@bp.operation("POST", "/<uuid:record_id>/roles", summary="Add a role", status=201, body=s.RoleGrantSchema,
              response=s.WebitelUserSchema, errors=(404, 409, 422, *UPSTREAM))
def add_role(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    return service.add_role(services(), record_id, body["role_id"])


@bp.operation("DELETE", "/<uuid:record_id>/roles/<webitel_id:role_id>", summary="Remove a role", status=204,
              errors=(404, 409, *UPSTREAM))
def remove_role(record_id: uuid.UUID, role_id: str) -> None:
    service.remove_role(services(), record_id, role_id)


@bp.operation("POST", "/<uuid:record_id>/skills", summary="Give the agent a skill", status=201,
              body=s.SkillGrantSchema, response=s.WebitelUserSchema, errors=(400, 404, 409, 422, *UPSTREAM))
def add_skill(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    """Capacity 1..100; only active skills take part in call routing. A user who is not an agent keeps
    the skill on its record, and gets it in Webitel when it becomes one."""
    return service.add_skill(services(), record_id, body["skill_id"], capacity=body["capacity"], active=body["active"])


@bp.operation("PATCH", "/<uuid:record_id>/skills/<webitel_id:skill_id>",
              summary="Change a skill's capacity or active flag", body=s.SkillPatchSchema,
              response=s.WebitelUserSchema, errors=(400, 404, 409, 422, *UPSTREAM))
def change_skill(record_id: uuid.UUID, skill_id: str, body: dict[str, Any]) -> WebitelUser:
    return service.change_skill(services(), record_id, skill_id, body)


@bp.operation("DELETE", "/<uuid:record_id>/skills/<webitel_id:skill_id>", summary="Take a skill away", status=204,
              errors=(400, 404, 409, *UPSTREAM))
def remove_skill(record_id: uuid.UUID, skill_id: str) -> None:
    service.remove_skill(services(), record_id, skill_id)


@bp.operation("PUT", "/<uuid:record_id>/agent-status", summary="Set the agent's status", body=s.AgentStatusSchema,
              response=s.WebitelUserSchema, errors=(400, 404, 409, 422, *UPSTREAM))
def set_agent_status(record_id: uuid.UUID, body: dict[str, Any]) -> WebitelUser:
    """online (waiting for calls: the user's phone must be registered), pause (a break, with a cause
    from the pause-causes lookup: its name as ``pause_cause`` or its id as ``pause_cause_id``) or
    offline. The record shows the cause of the current break as ``pause_cause``."""
    return service.set_agent_status(services(), record_id, body["status"], body["pause_cause"],
                                    pause_cause_id=body["pause_cause_id"])
