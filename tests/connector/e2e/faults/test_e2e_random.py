"""A randomized run: random operations of the Webitel users section through the connector under
gunicorn, with random Webitel faults among them — errors, dropped connections, lost answers with and
without a failing read-back, and requests that land late, after newer changes. Every answer must be a
success or an error in the contract's shape (never a 500); after the late requests have landed and one
reconcile pass, nothing differs between the records and Webitel, no extension or username is held
twice, and no seat is held by a Webitel user the connector made without a record.

CI runs a short run; ``make soak`` runs ``CONNECTOR_RANDOM_OPS`` (default 1000) operations and prints
the figures. ``CONNECTOR_RANDOM_SEED`` repeats a run."""

from __future__ import annotations

import collections
import os
import random
import time

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.connector import reconcile
from tests.support.fault_matrix import BASE, STEPS, HttpApi, records

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

OPS = int(os.environ.get("CONNECTOR_RANDOM_OPS", "120"))
SEED = int(os.environ.get("CONNECTOR_RANDOM_SEED", str(random.SystemRandom().randrange(10**6))))
USERS = [f"user{n}" for n in range(6)]
EXTENSIONS = [str(2000 + n) for n in range(60)]
LICENSES, ROLES = ["cc-serial-1", "cm-serial-1"], ["1", "2"]
LATE_MS = 700
CALLS = sorted({step for steps in STEPS.values() for step in steps})


def fault_rules(rng: random.Random) -> list[dict]:
    if rng.random() < 0.5:
        return []
    method, path = rng.choice(CALLS)
    kind = rng.choice(["late", "reset", "lost", "lost_and_unreadable", "error"])
    if kind == "late":
        return [dict(method=method, path=path, action="delay", delay_ms=LATE_MS, times=1)]
    if kind == "reset":
        return [dict(method=method, path=path, action="reset", times=rng.choice([1, 3]))]
    if kind == "error":
        return [dict(method=method, path=path, action="error", status=rng.choice([400, 500, 503]), times=1)]
    rules = [dict(method=method, path=path, action="error", status=502, when="after", times=1)]
    if kind == "lost_and_unreadable":
        rules.append(dict(method="GET", path="/api/*", action="error", status=503, times=rng.choice([1, 5])))
    return rules


def random_operation(rng: random.Random, api: HttpApi, users: dict[str, str]):
    listed = {r["webitel_username"]: r for r in records(api)}
    name = rng.choice(USERS)
    record = listed.get(name)
    if record is None or rng.random() < 0.05:
        body = {"user_id": users[name]}
        if rng.random() < 0.8:
            body["extension"] = rng.choice(EXTENSIONS)
        return "create", lambda: api.post(BASE, json=body)
    rid = record["id"]
    choice = rng.choice(["extension", "stun", "grant", "revoke", "add_role", "remove_role", "delete"])
    if choice == "extension":
        return choice, lambda: api.patch(f"{BASE}/{rid}", json={"extension": rng.choice(EXTENSIONS + [""])})
    if choice == "stun":
        return choice, lambda: api.patch(f"{BASE}/{rid}", json={"stun_enabled": not record["stun_enabled"]})
    if choice == "grant":
        return choice, lambda: api.post(f"{BASE}/{rid}/licenses", json={"license_id": rng.choice(LICENSES)})
    if choice == "revoke":
        return choice, lambda: api.delete(f"{BASE}/{rid}/licenses/{rng.choice(LICENSES)}")
    if choice == "add_role":
        return choice, lambda: api.post(f"{BASE}/{rid}/roles", json={"role_id": rng.choice(ROLES)})
    if choice == "remove_role":
        return choice, lambda: api.delete(f"{BASE}/{rid}/roles/{rng.choice(ROLES)}")
    return choice, lambda: api.delete(f"{BASE}/{rid}")


def test_random_operations_with_random_faults_end_with_zero_drift(server, emulator, reconciler_app):
    rng = random.Random(SEED)
    outcomes: collections.Counter = collections.Counter()
    started = time.monotonic()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60) as client:
        api = HttpApi(client)
        users = {name: api.post("/api/v1/creatio/users", json={"name": name, "contact_name": name.title(),
                                                               "type": "employee"}).json["id"] for name in USERS}
        for _ in range(OPS):
            operation, call = random_operation(rng, api, users)
            for rule in fault_rules(rng):
                emulator.add_fault(**rule)
            response = call()
            emulator.clear_faults()
            assert response.status_code < 500 or response.status_code in (502, 503, 504), \
                f"seed {SEED}: {response.text}\n{server.output()[-5000:]}"
            if response.status_code >= 400:
                error = response.json["error"]
                assert isinstance(error["code"], str) and isinstance(error["message"], str), response.text
                outcomes[f"{operation} {response.status_code} {error['code']} {error.get('outcome', '')}"] += 1
            else:
                outcomes[f"{operation} {response.status_code}"] += 1
        emulator.wait_settled()  # the late requests have landed
        passes = reconcile(reconciler_app)
        elapsed = time.monotonic() - started
        drift = api.get("/api/v1/drift?size=500").json["items"]
        final = records(api)
    print(f"\nrandom run: seed {SEED}, {OPS} operations in {elapsed:.1f} s; reconcile pass {dict(passes)}; "
          f"{len(final)} records")
    for line, count in sorted(outcomes.items()):
        print(f"  {count:5d}  {line}")
    ours = [item for item in drift if item["kind"] != "missing_record"]
    assert ours == [], f"seed {SEED}: {ours}"
    assert not {item["webitel_username"] for item in drift} & set(USERS), f"seed {SEED}: a user without a record"
    assert all(r["sync"]["state"] == "in_sync" for r in final), f"seed {SEED}: {final}"
    webitel_users = emulator.state()["domains"][0]["users"]
    extensions = [u["extension"] for u in webitel_users if u.get("extension")]
    assert len(extensions) == len(set(extensions)), f"seed {SEED}"
