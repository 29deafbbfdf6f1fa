"""The customer (webitel.go ``Customers``: ``GET /customer``, ``GET /customer/{id}``, ``PUT /customer``,
``GET /srvinfo``): the holder of the certificate that grants the domain's licenses
(webitel-go/customers.proto ``Customer``). Licenses and their seats are ``licenses.py``.

Each domain has one customer, with a stable id made from the domain's id. Its validity spans its
licenses'; ``limit`` sums the licenses' seats by the classes they grant; ``PUT /customer?revoke=true``
revokes the certificate: every license of the domain stops being usable (agents are logged out,
grants refused). The emulator cannot verify Webitel's signed certificates, so a ``certificate``
upload (here or with ``POST /signup``) is refused (docs/emulator.md).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass

from ..api.protojson import render_as
from ..api.request import Call
from ..errors import bad_args, bad_request, not_found
from ..state import Domain, dump_section
from ..store import Store
from .licenses import CERTIFICATE_REVOKED, Licenses
from .licenses import api as customers_api
from .users import Users

E_CUSTOMER_NOT_FOUND = "app.customer.not_found"
E_CERTIFICATE = "app.customer.certificate.invalid"
NAMESPACE = uuid.UUID("8d3a0c52-3a47-4d5c-9c55-7b2f8f0e2a61")  # customer ids: uuid5(NAMESPACE, domain id)
# The server's key (GetServerInfo): one per emulator process, what a certificate would be issued for.
SERVER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


def base64_bytes(text: str | None, where: str) -> str | None:
    """A ``bytes`` parameter: base64, standard or URL-safe, padded or not (as protojson reads it)."""
    if text is not None:
        try:
            base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
        except ValueError:
            raise bad_args(f"{where}: invalid value for bytes type: not base64") from None
    return text


def refuse_certificate(certificate: str | None) -> None:
    """A signed certificate cannot be verified here: seed the domain's licenses instead."""
    if certificate:
        raise bad_request(E_CERTIFICATE, "certificate: the emulator does not verify Webitel's signed certificates; "
                                         "licenses come from its seed (licenses:)")


@dataclass
class Customer:
    id: str
    created_at: int
    updated_at: int
    organization: str = ""
    logo_picture: str = ""  # kept as sent (base64); Customer has no field to answer it in


class Customers(Store):
    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        users = domain.store(Users)
        first = next(iter(users), None)  # the domain's first user came with it
        made = first.created_at if first is not None else self.now()
        self.customer = Customer(id=str(uuid.uuid5(NAMESPACE, str(domain.id))), created_at=made, updated_at=made)

    def find(self, customer_id: str | None, *, valid: bool = False) -> Customer:
        """The domain's customer, when it matches the filters (else 404)."""
        customer = self.customer
        if (customer_id and customer_id != customer.id) or (valid and self.domain.store(Licenses).revoked_at):
            raise not_found(E_CUSTOMER_NOT_FOUND, f"customer: id={customer_id or customer.id} not found")
        return customer

    def update(self, *, organization: str | None, logo_picture: str | None, revoke: bool) -> Customer:
        customer, licenses = self.customer, self.domain.store(Licenses)
        if organization is not None:
            customer.organization = organization
        if logo_picture is not None:
            customer.logo_picture = logo_picture
        if revoke and not licenses.revoked_at:
            licenses.revoked_at = self.now()
        customer.updated_at = self.now()
        return customer

    def wire(self) -> dict:
        customer, licenses = self.customer, self.domain.store(Licenses)
        rows = licenses.search()
        limits: dict[str, int] = {}
        for lic in rows:
            for scope in lic.scope:
                limits[scope] = limits.get(scope, 0) + lic.limit
        ends = [lic.not_after for lic in rows]
        return {"id": customer.id, "created_at": customer.created_at, "updated_at": customer.updated_at,
                "revoked_at": licenses.revoked_at, "organization": customer.organization,
                "issued_at": customer.created_at, "not_before": min((lic.not_before for lic in rows), default=0),
                "not_after": 0 if 0 in ends else max(ends, default=0),
                "verify": {"errors": [CERTIFICATE_REVOKED] if licenses.revoked_at else []},
                "limit": limits, "license": [licenses.wire(lic) for lic in rows],
                "dnsrv": [{"id": self.domain.id, "name": self.domain.name}]}


@dump_section("customer", order=35)
def _dump(domain: Domain) -> dict:
    return render_as("apiCustomer", domain.store(Customers).wire())


@customers_api.operation("GetCustomer")
@customers_api.operation("GetCustomer2")
def read(call: Call) -> dict:
    """The caller's domain's customer: ``id``, ``valid``, ``domain.id`` / ``domain.name`` must match it."""
    args, domain = call.query, call.domain
    if ("domain.id" in args and args["domain.id"] != domain.id) or \
            ("domain.name" in args and args["domain.name"].casefold() != domain.name.casefold()):
        raise not_found(E_CUSTOMER_NOT_FOUND, "customer: not found in this domain")
    customers = call.store(Customers)
    customers.find(call.path.get("id") or args.get("id"), valid=args.get("valid", False))
    return {"customer": customers.wire()}


@customers_api.operation("UpdateCustomer")
def update(call: Call) -> dict:
    """``?organization=&logo_picture=&revoke=true``; a ``certificate`` is refused."""
    args = call.query
    refuse_certificate(base64_bytes(args.get("certificate"), "certificate"))
    customers = call.store(Customers)
    customers.update(organization=args.get("organization"),
                     logo_picture=base64_bytes(args.get("logo_picture"), "logo_picture"),
                     revoke=args.get("revoke", False))
    return {"customer": customers.wire()}


@customers_api.operation("ServerInfo")
def server_info(call: Call) -> dict:
    return {"key": SERVER_KEY}
