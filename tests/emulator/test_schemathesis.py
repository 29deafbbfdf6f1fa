"""A bounded Schemathesis run against the emulator's own OpenAPI document
(``GET /__emulator__/openapi.json``: the served operations only): Webitel's schemas and generated
(also malformed) requests. No answer may be a 5xx other than the ones Webitel itself documents,
every answer must validate against the document, and no field may be written at its zero value."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, not_a_server_error, positive_data_acceptance

from contract_tests.schema import zero_values
from emulator.api.gateway import DOCUMENTED_5XX
from emulator.testing import in_process

EXAMPLES = int(os.environ.get("EMULATOR_SCHEMATHESIS_EXAMPLES", "15"))
# The same examples on every run (a suite that passes passes again); EMULATOR_SCHEMATHESIS_RANDOM=1
# draws new ones, to explore while working on a service.
RANDOM = os.environ.get("EMULATOR_SCHEMATHESIS_RANDOM") == "1"

HANDLE = in_process()
schema = schemathesis.openapi.from_wsgi("/__emulator__/openapi.json", HANDLE.app)
# The fuzzing phase only: Schemathesis 4's coverage phase cannot look up an operation of a path that
# has several (PUT and PATCH), whatever the schema.
schema.config.phases.coverage.enabled = False
schema.config.phases.examples.enabled = False


def documented_server_errors_only(ctx, response, case):
    """A 5xx only with an error id Webitel documents (else the emulator failed the request)."""
    if response.status_code >= 500:
        error_id = (response.json() or {}).get("id")
        assert error_id in DOCUMENTED_5XX, f"{response.status_code} {error_id}: {response.text[:300]}"


def no_zero_values(ctx, response, case):
    """grpc-gateway without EmitUnpopulated leaves out every field at its zero value."""
    if response.status_code == 200 and case.operation.definition.raw.get("operationId") not in (
            "GetUserSettings", "SetUserSettings"):
        assert not zero_values(response.json()), zero_values(response.json())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
          suppress_health_check=list(HealthCheck))
def test_the_served_api_holds_to_its_document(case):
    HANDLE.reset()
    # Webitel refuses schema-valid data by its rules (400) and, as protojson, drops unknown keys:
    # the acceptance and rejection checks do not apply; the schema, status and content type do.
    case.call_and_validate(headers={"X-Webitel-Access": HANDLE.token},
                           excluded_checks=[not_a_server_error, positive_data_acceptance, negative_data_rejection],
                           additional_checks=[documented_server_errors_only, no_zero_values])
