"""Property (issue 2, item 6): for any sequence of user creates, updates (PUT, PATCH) and deletes (soft,
permanent), with role names in the same namespace, in two domains of one emulator:

- no two live users of a domain share an extension, a case-folded username or a case-folded email;
- a refused request changes nothing (the control plane's state is the same before and after);
- a request that breaks no rule is accepted, and one that clashes with a live user or role is refused.

Whether a soft-deleted user still holds its names is not public (docs/emulator.md), so a request
that clashes only with a soft-deleted user may go either way here.
"""

from __future__ import annotations

import functools
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from emulator.testing import EmulatorHandle, in_process

DOMAINS = ("alpha", "beta")
SEED = {"domains": [{"name": name, "admin": {"username": "admin", "token": f"{name}-token"},
                     "roles": [{"name": "Agents"}]} for name in DOMAINS]}

# Small pools, so that clashes (by case, with role names, with the seeded admin) are frequent.
USERNAMES = st.sampled_from(["ann", "ANN", "bob", "Bob", "agents", "Admin", "", "a b"])
EXTENSIONS = st.sampled_from(["", "1001", "1002", "10x"])
EMAILS = st.sampled_from(["", "ann@x.io", "ANN@X.IO", "bob@x.io"])
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
REFUSALS = {"app.user.conflict.error", "app.user.extension.conflict.error", "app.user.email.conflict.error",
            "app.user.not_found.error", "app.role.not_found.error", "api.process.bad_args"}

@functools.cache
def emulator() -> EmulatorHandle:
    """One in-process emulator for every example (each example resets it)."""
    return in_process(SEED)


def clash(domain: dict, candidate: dict, own_id: str | None, *, role: bool = False) -> str:
    """How ``candidate`` ({username, extension, email}, or a role's name) stands against the others of the
    domain: "invalid", "live" (clashes with a live user or a role), "deleted" (only with a soft-deleted user)
    or "" (no clash)."""
    username, extension, email = candidate["username"].strip(), candidate["extension"], candidate["email"]
    if not username or not role and not USERNAME_RE.match(username) or extension and not extension.isdigit():
        return "invalid"
    if any(r["name"].casefold() == username.casefold() for r in domain["roles"]):
        return "live"
    worst = ""
    for other in domain["users"]:
        if other["id"] == own_id:
            continue
        if (other["username"].casefold() == username.casefold()
                or extension and other.get("extension") == extension
                or email and other.get("email", "").casefold() == email.casefold()):
            if "deleted_at" not in other:
                return "live"
            worst = "deleted"
    return worst


class Directory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.emulator = emulator()
        self.emulator.reset()
        self.clients = {name: self.emulator.api_client(f"{name}-token") for name in DOMAINS}
        self.user_ids: dict[str, list[str]] = {name: [] for name in DOMAINS}
        self.domains = self.fetch()  # the state now: nothing but these requests changes it

    def teardown(self) -> None:
        for client in self.clients.values():
            client.close()

    # -- helpers -----------------------------------------------------------------------------------
    def fetch(self) -> list[dict]:
        return self.emulator.state()["domains"]

    def domain_state(self, name: str) -> dict:
        return next(d for d in self.domains if d["name"] == name)

    def send(self, name: str, method: str, path: str, expect: str, **kwargs) -> dict | None:
        """Send; a refusal must leave every domain as it was; ``expect`` is "accept", "refuse" or "either"."""
        before = self.domains
        response = self.clients[name].request(method, path, **kwargs)
        self.domains = self.fetch()
        if response.status_code >= 400:
            assert response.json()["id"] in REFUSALS, response.text
            assert self.domains == before, f"{method} {path} was refused but changed the state"
            assert expect != "accept", f"{method} {path} {kwargs} was refused: {response.text}"
            return None
        assert expect != "refuse", f"{method} {path} {kwargs} was accepted: {response.text}"
        return response.json()

    @staticmethod
    def expectation(standing: str) -> str:
        return {"invalid": "refuse", "live": "refuse", "deleted": "either", "": "accept"}[standing]

    def current(self, domain: dict, user_id: str) -> dict | None:
        return next((u for u in domain["users"] if u["id"] == user_id), None)

    # -- rules ---------------------------------------------------------------------------------------
    @rule(name=st.sampled_from(DOMAINS), username=USERNAMES, extension=EXTENSIONS, email=EMAILS)
    def create(self, name, username, extension, email):
        candidate = {"username": username, "extension": extension, "email": email}
        expect = self.expectation(clash(self.domain_state(name), candidate, None))
        created = self.send(name, "POST", "/users", expect, json=candidate)
        if created is not None:
            self.user_ids[name].append(created["id"])

    @precondition(lambda self: any(self.user_ids.values()))
    @rule(data=st.data(), username=USERNAMES, extension=EXTENSIONS, email=EMAILS, method=st.sampled_from(["PUT",
                                                                                                        "PATCH"]))
    def update(self, data, username, extension, email, method):
        name = data.draw(st.sampled_from([n for n in DOMAINS if self.user_ids[n]]))
        user_id = data.draw(st.sampled_from(self.user_ids[name]))
        sent = {"username": username, "extension": extension, "email": email}
        if method == "PATCH":
            keys = data.draw(st.sets(st.sampled_from(sorted(sent)), min_size=1))
            sent = {k: v for k, v in sent.items() if k in keys}
        domain = self.domain_state(name)
        user = self.current(domain, user_id)
        if user is None or "deleted_at" in user:
            expect = "refuse"  # 404: gone, or soft-deleted
        else:
            base = {"username": user["username"], "extension": user.get("extension", ""),
                    "email": user.get("email", "")} if method == "PATCH" else {"extension": "", "email": ""}
            expect = self.expectation(clash(domain, {**base, **sent}, user_id))
        self.send(name, method, f"/users/{user_id}", expect, json=sent)

    @precondition(lambda self: any(self.user_ids.values()))
    @rule(data=st.data(), permanent=st.booleans())
    def delete(self, data, permanent):
        name = data.draw(st.sampled_from([n for n in DOMAINS if self.user_ids[n]]))
        user_id = data.draw(st.sampled_from(self.user_ids[name]))
        user = self.current(self.domain_state(name), user_id)
        expect = "refuse" if user is None else "either" if "deleted_at" in user and not permanent else "accept"
        self.send(name, "DELETE", f"/users/{user_id}", expect, params={"permanent": str(permanent).lower()})

    @rule(name=st.sampled_from(DOMAINS), role_name=USERNAMES)
    def create_role(self, name, role_name):
        standing = clash(self.domain_state(name), {"username": role_name, "extension": "", "email": ""}, None,
                         role=True)
        self.send(name, "POST", "/roles", self.expectation(standing), json={"name": role_name})

    # -- the property ------------------------------------------------------------------------------
    @invariant()
    def live_users_never_share_a_name(self):
        for domain in self.domains:
            live = [u for u in domain["users"] if "deleted_at" not in u]
            usernames = [u["username"].casefold() for u in live]
            extensions = [u["extension"] for u in live if u.get("extension")]
            emails = [u["email"].casefold() for u in live if u.get("email")]
            roles = {r["name"].casefold() for r in domain["roles"]}
            assert len(usernames) == len(set(usernames)), domain["users"]
            assert len(extensions) == len(set(extensions)), domain["users"]
            assert len(emails) == len(set(emails)), domain["users"]
            assert not roles & set(usernames), (roles, usernames)


Directory.TestCase.settings = settings(max_examples=200, stateful_step_count=25, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow])
TestDirectory = Directory.TestCase
