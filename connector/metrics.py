"""Every Prometheus series of the connector, declared once here and served at ``GET /metrics``.

Under gunicorn the workers are separate processes: ``webitel-connector serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a folder (its own temporary one unless set) before any worker
starts, so each process writes its samples there and a scrape adds them up (prometheus-client's
multiprocess mode). Nothing here reads the environment at import time beyond prometheus-client.

Series filled by the HTTP layer and the Webitel client today: requests and their latency, Webitel
calls. Declared for the parts that fill them (the reconciler, the import, the Creatio client) so
that dashboards and alerts can be written now: see docs/connector.md, *Metrics*.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

# Seconds: from a cached lookup to a create that waits on Webitel's retries.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# -- the HTTP API ---------------------------------------------------------------------------------
http_requests = Counter("connector_http_requests_total", "Requests answered, by method, route template and status",
                        ["method", "route", "status"])
http_request_duration = Histogram("connector_http_request_duration_seconds",
                                  "Time to answer a request, by method and route template", ["method", "route"],
                                  buckets=LATENCY_BUCKETS)

# -- Webitel and Creatio, as the connector calls them ------------------------------------------------
webitel_calls = Counter("connector_webitel_calls_total",
                        "Requests to Webitel (each attempt of a retried call), by operation (method and path with "
                        "ids as {id}) and outcome (ok, client_error, server_error, timeout, unreachable)",
                        ["operation", "outcome"])
webitel_call_duration = Histogram("connector_webitel_call_duration_seconds",
                                  "Time Webitel took to answer, by operation", ["operation"], buckets=LATENCY_BUCKETS)
creatio_calls = Counter("connector_creatio_calls_total",
                        "Requests to Creatio, by operation and outcome (as for Webitel)", ["operation", "outcome"])
creatio_call_duration = Histogram("connector_creatio_call_duration_seconds",
                                  "Time Creatio took to answer, by operation", ["operation"], buckets=LATENCY_BUCKETS)

# -- records and their agreement with Webitel ------------------------------------------------------
webitel_user_records = Gauge("connector_webitel_user_records", "Webitel user records, by sync state (set by the "
                             "reconciler after each pass)", ["state"], multiprocess_mode="mostrecent")
drift_found = Counter("connector_drift_found_total",
                      "Differences found between a record and Webitel, by kind (extension, licenses, roles, ...)",
                      ["kind"])
drift_repaired = Counter("connector_drift_repaired_total", "Differences repaired, by kind", ["kind"])
reconciler_runs = Counter("connector_reconciler_runs_total", "Reconciler passes, by outcome (ok, failed)",
                          ["outcome"])
reconciler_run_duration = Histogram("connector_reconciler_run_duration_seconds", "Time a reconciler pass took",
                                    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900))

# -- the import of Webitel users into Creatio (GetWebitelUsers) --------------------------------------
import_jobs = Counter("connector_import_jobs_total", "Import jobs finished, by outcome (succeeded, failed)",
                      ["outcome"])
users_imported = Counter("connector_users_imported_total",
                         "Webitel users imported into Creatio; rate() of it is users imported per second")

drift_checks = Counter("connector_drift_checks_total", "Drift checks finished, by outcome (succeeded, failed)",
                       ["outcome"])

for _outcome in ("ok", "failed"):  # zeros from the start, so that rates and alerts see the series
    reconciler_runs.labels(outcome=_outcome)
for _outcome in ("succeeded", "failed"):
    import_jobs.labels(outcome=_outcome)
    drift_checks.labels(outcome=_outcome)


def exposition() -> tuple[bytes, str]:
    """The scrape's body and content type: all processes' samples under gunicorn, else this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: a finished worker's live gauges no longer count."""
    _multiprocess.mark_process_dead(pid)
