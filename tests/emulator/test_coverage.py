"""Issue 8's coverage: every operation of Webitel's contact-center core (the services of
``emulator.api.coverage.SERVICES`` in the OpenAPI files) is served, answering anything but 501,
or listed in ``coverage.UNSERVED`` (the one list of what is not served yet), where it answers 501
``emulator.not_implemented``. The served/total figure is printed at the end of the run."""

from __future__ import annotations

import re

import pytest

from emulator.api.coverage import SERVICES, UNSERVED
from emulator.api.gateway import DOCUMENTED_5XX
from emulator.api.service import load_services
from emulator.api.spec import Operation, spec
from emulator.testing import EmulatorHandle, in_process

OPERATIONS = sorted((op for op in spec().operations.values() if op.service in SERVICES and op.document != "gateway"),
                    key=lambda op: op.op_id)
SERVED = load_services()


@pytest.fixture(scope="module")
def handle() -> EmulatorHandle:
    return in_process()


def test_every_operation_is_served_or_listed_as_not_served(record_property):
    neither = [op.op_id for op in OPERATIONS if op.op_id not in SERVED and op.op_id not in UNSERVED]
    both = sorted(op_id for op_id in UNSERVED if op_id in SERVED)
    assert not neither, f"neither served nor listed in coverage.UNSERVED: {neither}"
    assert not both, f"served, but still listed in coverage.UNSERVED: {both}"
    served = sum(op.op_id in SERVED for op in OPERATIONS)
    record_property("figure: issue 8 operations served", f"{served}/{len(OPERATIONS)}")


def test_the_list_names_operations_of_these_services_with_a_reason():
    for op_id, reason in UNSERVED.items():
        assert spec().operation(op_id).service in SERVICES, op_id
        assert reason.strip(), op_id


def _path(op: Operation) -> str:
    return re.sub(r"\{[^}]+\}", "1", op.template)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.op_id)
def test_a_served_operation_never_answers_501(handle: EmulatorHandle, op: Operation):
    handle.reset()
    body: list[object] | dict[str, object] | None = None
    if op.method not in ("GET", "DELETE") and op.body_schema is not None:
        body = [] if spec().resolve(op.body_schema).get("type") == "array" else {}
    response = handle.client.request(op.method, _path(op), json=body)
    if op.op_id in UNSERVED:
        assert (response.status_code, response.json()["id"]) == (501, "emulator.not_implemented"), response.text
    else:
        assert response.status_code != 501, response.text
        assert response.status_code < 500 or response.json()["id"] in DOCUMENTED_5XX, response.text
