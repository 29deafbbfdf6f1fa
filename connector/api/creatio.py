"""Creatio-side records: system users (employees, portal users), contacts and accounts."""

from __future__ import annotations

from ..services import creatio
from . import schemas as s
from .context import db
from .routing import ApiBlueprint

bp = ApiBlueprint("creatio", __name__, tag="Creatio records", url_prefix="/api/v1/creatio")


@bp.operation("POST", "/users", summary="Create a system user with its contact (and account)", status=201,
              body=s.CreatioUserCreateSchema, response=s.CreatioUserSchema, errors=(409, 422))
def create_user(body):
    return creatio.create_system_user(db(), **body)


@bp.operation("GET", "/users", summary="List system users", query=s.CreatioUserListQuerySchema,
              response=s.CreatioUserPage, errors=(422,))
def list_users(query):
    return creatio.list_system_users(db(), **query)


@bp.operation("GET", "/users/<uuid:user_id>", summary="Read a system user", response=s.CreatioUserSchema,
              errors=(404,))
def get_user(user_id):
    return creatio.get_system_user(db(), user_id)


@bp.operation("PATCH", "/users/<uuid:user_id>", summary="Activate or deactivate a system user",
              body=s.CreatioUserPatchSchema, response=s.CreatioUserSchema, errors=(404, 422))
def patch_user(user_id, body):
    return creatio.set_system_user_active(db(), user_id, body["active"])


@bp.operation("GET", "/contacts", summary="List contacts", query=s.ListQuerySchema, response=s.ContactPage,
              errors=(422,))
def list_contacts(query):
    return creatio.list_contacts(db(), **query)


@bp.operation("GET", "/accounts", summary="List accounts", query=s.ListQuerySchema, response=s.AccountPage,
              errors=(422,))
def list_accounts(query):
    return creatio.list_accounts(db(), **query)
