"""Licenses (webitel.go ``Customers``): products with a seat limit and a validity, granted to
users through the user's ``license`` list (``docs/emulator.md``).

``remain = limit - holders``; a newly granted license must exist, be valid now and have a free
seat. The holders of each license are indexed (no scan of the users).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..errors import bad_request, not_found
from ..state import Domain, dump_section
from ..store import Page, Store, any_ilike, on, paginate
from .users import User, UserChange, Users

E_LICENSE_NOT_FOUND = "app.user.license.not_found"
E_LICENSE_EXHAUSTED = "app.user.license.product_exhausted"
E_LICENSE_EXPIRED = "app.user.license.product_expired"
E_LICENSE_REVOKED = "app.user.license.certificate_revoked"
PRODUCT_EXHAUSTED = "product exhausted"
PRODUCT_EXPIRED = "product expired"
CERTIFICATE_REVOKED = "certificate revoked"
GO_PAGE_SIZE = 16


@dataclass
class License:
    id: str  # the serial
    product: str
    limit: int
    name: str = ""
    not_before: int = 0
    not_after: int = 0  # 0 = no expiry
    scope: list[str] = field(default_factory=list)
    competitive: bool = False


class Licenses(Store):
    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.rows: dict[str, License] = {}
        self.holders: dict[str, set[int]] = {}  # serial -> user ids
        self.revoked_at = 0  # the customer's certificate, which grants them all, revoked (PUT /customer)

    def add(self, license: License) -> License:
        """A license of the domain (seeds; Webitel's come from the customer's certificate)."""
        self.rows[license.id] = license
        self.holders.setdefault(license.id, set())
        return license

    def expired(self, license: License, at: int | None = None) -> bool:
        at = self.now() if at is None else at
        return bool(license.not_after and license.not_after <= at or license.not_before and license.not_before > at)

    def usable(self, license: License, at: int | None = None) -> bool:
        """Valid now (or ``at``), under a certificate that is not revoked."""
        return not self.revoked_at and not self.expired(license, at)

    def remain(self, license: License) -> int:
        return license.limit - len(self.holders.get(license.id, ()))

    def status(self, license: License) -> list[str]:
        return [CERTIFICATE_REVOKED] * bool(self.revoked_at) + [PRODUCT_EXPIRED] * self.expired(license) \
            + [PRODUCT_EXHAUSTED] * (self.remain(license) < 1)

    def holds(self, user: User, product: str, at: int | None = None) -> bool:
        """The user holds a granted, usable license of ``product``."""
        for serial in user.licenses:
            license = self.rows.get(serial)
            if license is not None and license.product.upper() == product and self.usable(license, at):
                return True
        return False

    def search(self, *, serials: Collection[str] = (), products: Collection[str] = (), valid: bool = False,
               holder: int | None = None, q: str | None = None) -> list[License]:
        held = set(self.domain.store(Users).rows.get(holder, User()).licenses) if holder is not None else None
        wanted = {p.upper() for p in products}
        return sorted((lic for lic in self.rows.values()
                       if (not serials or lic.id in serials) and (not wanted or lic.product.upper() in wanted)
                       and (not valid or not self.status(lic)) and (held is None or lic.id in held)
                       and any_ilike(q, lic.product, lic.name, lic.id)), key=lambda lic: (lic.product, lic.id))

    # -- grants ------------------------------------------------------------------------------------
    @on("user.check")
    def _check_grants(self, change: UserChange) -> None:
        """Only licenses newly added are checked: the UI sends the whole set on every toggle."""
        previous = change.previous.licenses if change.previous else {}
        now = self.now()
        for serial in change.user.licenses:
            if serial in previous:
                continue
            license = self.rows.get(serial)
            if license is None:
                raise bad_request(E_LICENSE_NOT_FOUND, f"license: id={serial} not found")
            if self.revoked_at:
                raise bad_request(E_LICENSE_REVOKED, f"license: {license.product} ({serial}): {CERTIFICATE_REVOKED}")
            if self.expired(license, now):
                raise bad_request(E_LICENSE_EXPIRED, f"license: {license.product} ({serial}): {PRODUCT_EXPIRED}")
            if self.remain(license) < 1:
                raise bad_request(E_LICENSE_EXHAUSTED, f"license: {license.product} ({serial}): {PRODUCT_EXHAUSTED}")

    @on("user.saved")
    def _user_saved(self, change: UserChange) -> None:
        self._move(change.user.id, change.previous.licenses if change.previous else {}, change.user.licenses)

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        if permanent:
            self._move(user.id, user.licenses, {})

    def _move(self, user_id: int, old: dict[str, int], new: dict[str, int]) -> None:
        for serial in set(old) - set(new):
            self.holders.get(serial, set()).discard(user_id)
        for serial in new:
            self.holders.setdefault(serial, set()).add(user_id)

    # -- wire --------------------------------------------------------------------------------------
    def grant(self, user: User, serial: str) -> dict:
        """A user's grant (``LicenseUser``)."""
        license = self.rows.get(serial)
        return {"id": serial, "prod": license.product if license else "",
                "user": {"id": user.id, "name": user.display_name}, "scope": list(license.scope) if license else [],
                "issued_at": user.licenses[serial], "expires_at": license.not_after if license else 0}

    def wire(self, license: License) -> dict:
        users = self.domain.store(Users)
        holders = [users.rows[u] for u in sorted(self.holders.get(license.id, ()))]
        return {"id": license.id, "not_before": license.not_before, "not_after": license.not_after,
                "product": license.product, "name": license.name, "scope": license.scope,
                "competitive": license.competitive, "limit": license.limit, "remain": self.remain(license),
                "users": [self.grant(u, license.id) for u in holders], "status": {"errors": self.status(license)}}

    def product_users(self, product_or_serial: str, q: str | None) -> list[dict]:
        """``/products/{id}/users``: the grants of a license (by serial) or of a product (by name)."""
        found = [lic for lic in self.rows.values()
                 if lic.id == product_or_serial or lic.product.upper() == product_or_serial.upper()]
        if not found:
            raise not_found(E_LICENSE_NOT_FOUND, f"license: id={product_or_serial} not found")
        users = self.domain.store(Users)
        rows = []
        for license in found:
            for user in (users.rows[u] for u in sorted(self.holders.get(license.id, ()))):
                if any_ilike(q, user.name, user.username):
                    rows.append({"user": {"id": user.id, "name": user.display_name},
                                 "domain": {"id": self.domain.id, "name": self.domain.name},
                                 "issued_at": user.licenses[license.id], "expires_at": license.not_after})
        return rows


@dump_section("licenses", order=30)
def _dump(domain: Domain) -> list[dict]:
    licenses = domain.store(Licenses)
    return [render_as("apiLicenseV1", licenses.wire(lic)) for lic in licenses.rows.values()]


# -- HTTP --------------------------------------------------------------------------------------------
api = Service("Customers", permission="license")


@api.operation("LicenseUsage")
@api.operation("LicenseUsage2")
@api.operation("LicenseUsage3")
def usage(call: Call) -> dict:
    query, licenses = call.list_query(GO_PAGE_SIZE), call.store(Licenses)
    rows = licenses.search(serials=call.query.get("id", []), products=call.query.get("product", []),
                           valid=call.query.get("valid", False), holder=call.query.get("user.id"), q=query.q)
    return listing(call, query, paginate(rows, query, licenses.wire))


@api.operation("LicenseUsers")
def license_users(call: Call) -> dict:
    query = call.list_query(GO_PAGE_SIZE)
    rows = call.store(Licenses).product_users(call.path["id"], query.q)
    page: Page = paginate(rows, query, lambda row: row)
    return listing(call, query, page)
