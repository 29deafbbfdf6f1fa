"""Domains (webitel.go ``Domains``: ``/domain``, ``/domains[/{dc}]``) and ``POST /signup`` (``Auth``): a
domain (tenant) with its organization's details (webitel-go/domains.proto ``Organization``), made
with its first user, its superuser (a root user: the domain's administrator).

Every domain is isolated: its users, licenses and call center are its own, and its objects are
not found from another domain. Who may do what (the emulator's choice, docs/emulator.md):

- any user reads their own domain; its administrator changes it;
- the administrators of the **system domain** (the first domain of the seed, the lowest ``dc``)
  are the super-administrators: they also list, read, change, create and delete other domains;
  to anyone else another domain is not found (404 :data:`E_DOMAIN_NOT_FOUND`);
- no one deletes their own domain (403 :data:`E_DOMAIN_DELETE_SELF`): the token would lose it;
- ``POST /signup`` needs no token: it makes a domain and its superuser and signs them in.

webitel.go is closed source: the error ids are the emulator's, patterned on its others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call, list_query
from ..api.service import Service
from ..errors import PERMISSION_DENIED, WebitelError, bad_args, conflict, forbidden, not_found
from ..state import Domain, Session, World, dump_section
from ..store import Record, Store, ilike, paginate
from .auth import api as auth_api
from .auth import new_session
from .customer import base64_bytes, refuse_certificate
from .users import Users

E_DOMAIN_NOT_FOUND = "app.domain.not_found"
E_DOMAIN_CONFLICT = "app.domain.conflict"
E_DOMAIN_DELETE_SELF = "app.domain.delete.self"
DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$")  # an FQDN's characters
GO_PAGE_SIZE = 16


@dataclass
class Organization(Record):
    organization: str = ""
    country: str = ""
    locality: str = ""
    state_or_province: str = ""
    street_address: str = ""
    postal_code: str = ""
    postal_address: str = ""
    telephone_number: str = ""
    email: str = ""
    created_by_name: str = ""  # Organization.createdBy / updatedBy are the users' names
    updated_by_name: str = ""


ORGANIZATION = Fields(Organization, organization="organization", country="country", locality="locality",
                      stateOrProvince="state_or_province", streetAddress="street_address", postalCode="postal_code",
                      postalAddress="postal_address", telephoneNumber="telephone_number", email="email")
DETAILS = tuple(f.name for f in fields(Organization) if f.name not in Record.__dataclass_fields__
                and not f.name.endswith("_name"))


class DomainProfile(Store):
    """A domain's organization details."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        first = next(iter(domain.store(Users)), None)  # a seeded domain: made with its administrator
        made = first.created_at if first is not None else self.now()
        self.details = Organization(id=domain.id, created_at=made, updated_at=made)

    def change(self, actor: str, **details: Any) -> Organization:
        for name, value in details.items():
            setattr(self.details, name, value)
        self.details.updated_at, self.details.updated_by_name = self.now(), actor
        return self.details

    def wire(self) -> dict:
        org, domain = self.details, self.domain
        return {"dc": domain.id, "domain": domain.name, "organization": org.organization, "country": org.country,
                "locality": org.locality, "stateOrProvince": org.state_or_province,
                "streetAddress": org.street_address, "postalCode": org.postal_code,
                "postalAddress": org.postal_address, "telephoneNumber": org.telephone_number, "email": org.email,
                "createdAt": org.created_at, "createdBy": org.created_by_name, "updatedAt": org.updated_at,
                "updatedBy": org.updated_by_name}


@dump_section("organization", order=5)
def _dump(domain: Domain) -> dict:
    return render_as("apiOrganization", domain.store(DomainProfile).wire())


# -- the rules -------------------------------------------------------------------------------------
def checked_name(world: World, name: str, renamed: Domain | None = None) -> str:
    name = name.strip()
    if not name:
        raise bad_args("domain: the domain name (FQDN) is required")
    if not DOMAIN_RE.match(name):
        raise bad_args(f"domain: '{name}' may hold only letters, digits, '.', '_' and '-'")
    taken = world.domain_by_name(name)
    if taken is not None and taken is not renamed:
        raise conflict(E_DOMAIN_CONFLICT, f"domain: '{name}' already exists")
    return name


def create_domain(world: World, name: str, *, superuser: str, password: str, extension: str = "",
                  actor: str = "", details: dict[str, Any] | None = None) -> tuple[Domain, Any]:
    """A new domain with its superuser (all or nothing): (domain, user)."""
    name = checked_name(world, name)
    if not password:
        raise bad_args("password: the superuser's password is required")
    domain = world.add_domain(name)
    try:
        user = domain.store(Users).create(actor=None, username=superuser, password=password, extension=extension,
                                          root=True)
    except WebitelError:
        del world.domains[domain.id]
        raise
    profile = domain.store(DomainProfile)
    profile.details.created_by_name = actor or user.username
    profile.change(actor or user.username, **(details or {}))
    return domain, user


def is_super(world: World, session: Session | None) -> bool:
    """An administrator of the system domain (the lowest dc)."""
    return session is not None and session.root and session.domain_id == min(world.domains)


def target(call: Call, dc: int | None, name: str | None) -> Domain:
    """The domain a request names (by ``dc`` and/or ``domain``; neither: the caller's own), if the
    caller may see it."""
    world = call.world
    if not dc and not name:
        return call.domain
    found = world.domains.get(dc) if dc else world.domain_by_name(name or "")
    if found is not None and name and found.name.casefold() != name.casefold():
        found = None
    if found is None or (found is not call.domain and not is_super(world, call.session)):
        raise not_found(E_DOMAIN_NOT_FOUND, f"domain: {dc or name} not found")
    return found


# -- HTTP --------------------------------------------------------------------------------------------
api = Service("Domains", permission="domains")


@api.operation("SearchDomains")
def search(call: Call) -> dict:
    """Every domain to a super-administrator, the caller's own to anyone else; ``domain`` is ILIKE."""
    world, args = call.world, call.query
    rows = list(world.domains.values()) if is_super(world, call.session) else [call.domain]
    pattern = args.get("domain")
    query = list_query(args, GO_PAGE_SIZE)
    page = paginate([d for d in rows if not pattern or ilike(pattern, d.name)], query,
                    lambda d: d.store(DomainProfile).wire())
    return {"domains": page.items}


@api.operation("ReadDomain")
@api.operation("ReadDomain2")
def read(call: Call) -> dict:
    return {"domain": target(call, call.path.get("dc") or call.query.get("dc"), call.query.get("domain"))
            .store(DomainProfile).wire()}


@api.operation("UpdateDomain", entity="domain")
@api.operation("UpdateDomain2", entity="domain")
def update(call: Call) -> dict:
    """PUT replaces the details (and the name: required), PATCH those in its mask."""
    domain = target(call, call.path["domain.dc"], None)
    changes = ORGANIZATION.read(call)
    if call.changed("domain"):
        domain.name = checked_name(call.world, call.body.get("domain", ""), domain)
    actor = call.store(Users).get(call.user_id).username if call.user_id else ""
    domain.store(DomainProfile).change(actor, **changes)
    return {"domain": domain.store(DomainProfile).wire()}


@api.operation("DeleteDomain")
@api.operation("DeleteDomain2")
def delete(call: Call) -> dict:
    dc, name = call.path.get("dc") or call.query.get("dc"), call.query.get("domain")
    if not dc and not name:
        raise bad_args("domain: name the domain to delete (dc or domain)")
    domain = target(call, dc, name)
    if domain is call.domain:
        raise forbidden(E_DOMAIN_DELETE_SELF, f"domain: {domain.name} is the caller's own domain: "
                                              "it cannot delete itself")
    world = call.world
    del world.domains[domain.id]
    world.close_sessions(lambda s: s.domain_id == domain.id)
    return {}


@api.operation("CreateDomain")
def create(call: Call) -> dict:
    """``{"organization": {"domain", ...}, "superuser", "password"}``: super-administrators only."""
    if not is_super(call.world, call.session):
        raise forbidden(PERMISSION_DENIED, f"userId={call.user_id}, permission=domains access=create")
    body = call.body
    organization = body.get("organization") or {}
    details = ORGANIZATION.read(call, organization)
    actor = call.store(Users).get(call.user_id).username if call.user_id else ""
    create_domain(call.world, organization.get("domain", ""), superuser=body.get("superuser", ""),
                  password=body.get("password", ""), actor=actor, details=details)
    return {}


@auth_api.operation("Signup", auth=False)
def signup(call: Call) -> dict:
    """``POST /signup {"domain", "username", "password", "extension"?}`` (or the same as query
    parameters; the body's win): a new domain, its superuser signed in, answered flat as ``/login``."""
    args = {**call.query, **(call.body if isinstance(call.body, dict) else {})}
    refuse_certificate(base64_bytes(args.get("certificate"), "certificate"))
    domain, user = create_domain(call.world, args.get("domain", ""), superuser=args.get("username", ""),
                                 password=args.get("password", ""), extension=args.get("extension", ""))
    return new_session(call.world, domain, user)
