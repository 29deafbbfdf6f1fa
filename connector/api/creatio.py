"""Creatio-side records: system users (employees, portal users), contacts and accounts, from the
configured Creatio side (the embedded store, or a live Creatio over OData 4)."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.paging import Page
from ..creatio import Account, Contact, SystemUser, SystemUserType
from ..errors import NotFound
from . import schemas as s
from .context import creatio
from .routing import UPSTREAM, ApiBlueprint

bp = ApiBlueprint("creatio", __name__, tag="Creatio records", url_prefix="/api/v1/creatio")


@bp.operation("POST", "/users", summary="Create a system user with its contact (and account)", status=201,
              body=s.CreatioUserCreateSchema, response=s.CreatioUserSchema, errors=(405, 409, 422))
def create_user(body: dict[str, Any]) -> SystemUser:
    """The embedded Creatio only: with a live Creatio, users are created in Creatio (405)."""
    return creatio().create_system_user(**{**body, "type": SystemUserType.from_label(body["type"])})


@bp.operation("GET", "/users", summary="List system users", query=s.CreatioUserListQuerySchema,
              response=s.CreatioUserPage, errors=(422, *UPSTREAM))
def list_users(query: dict[str, Any]) -> Page[SystemUser]:
    kind = query.pop("type")
    return creatio().list_system_users(**query, type=SystemUserType.from_label(kind) if kind else None)


@bp.operation("GET", "/users/<uuid:user_id>", summary="Read a system user", response=s.CreatioUserSchema,
              errors=(404, *UPSTREAM))
def get_user(user_id: uuid.UUID) -> SystemUser:
    """An org unit or a role (not a system user) is not found."""
    user = creatio().get_system_user(user_id)
    if user is None:
        raise NotFound(f"No Creatio user with id {user_id}")
    return user


@bp.operation("PATCH", "/users/<uuid:user_id>", summary="Activate or deactivate a system user",
              body=s.CreatioUserPatchSchema, response=s.CreatioUserSchema, errors=(404, 405, 422))
def patch_user(user_id: uuid.UUID, body: dict[str, Any]) -> SystemUser:
    """The embedded Creatio only, like the create."""
    return creatio().set_system_user_active(user_id, body["active"])


@bp.operation("GET", "/contacts", summary="List contacts", query=s.ListQuerySchema, response=s.ContactPage,
              errors=(422, *UPSTREAM))
def list_contacts(query: dict[str, Any]) -> Page[Contact]:
    return creatio().list_contacts(**query)


@bp.operation("GET", "/accounts", summary="List accounts", query=s.ListQuerySchema, response=s.AccountPage,
              errors=(422, *UPSTREAM))
def list_accounts(query: dict[str, Any]) -> Page[Account]:
    return creatio().list_accounts(**query)
