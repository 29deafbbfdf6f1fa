"""The emulator's Prometheus metrics (``GET /metrics``): Webitel API requests by operation and
status, and the faults injected. One registry per emulator app (an emulator serves from one
process: its state lives in memory), so several emulators in one process count apart."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

UNKNOWN = "unknown"  # a request no operation of Webitel's files matches
# Labels hold route-like names only (Webitel's operationId, a known method), never what a client
# invents (a path, a method token), so the series stay as many as the operations.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED = "unmatched"  # a control-plane path no route matches


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("webitel_emulator_requests", "Webitel API requests served, by operation and status",
                                ("operation", "method", "status"), registry=self.registry)
        self.control = Counter("webitel_emulator_control_requests",
                               "Control-plane and dashboard requests, by route template and status",
                               ("route", "method", "status"), registry=self.registry)
        self.faults = Counter("webitel_emulator_faults", "Faults injected by fault rules, by action and moment",
                              ("operation", "action", "when"), registry=self.registry)

        self._children: dict[tuple[str, str, int], Any] = {}  # label values -> the counter's child

    def request(self, operation: str | None, method: str, status: int) -> None:
        key = (operation or UNKNOWN, method if method in METHODS else OTHER_METHOD, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.requests.labels(key[0], key[1], str(status))
        child.inc()

    def control_request(self, route: str | None, method: str, status: int) -> None:
        """``route``: the Flask rule matched (``/__emulator__/calls/<call_id>``), None when none did."""
        self.control.labels(route or UNMATCHED, method if method in METHODS else OTHER_METHOD, str(status)).inc()

    def fault(self, operation: str | None, action: str, when: str) -> None:
        self.faults.labels(operation or UNKNOWN, action, when).inc()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
