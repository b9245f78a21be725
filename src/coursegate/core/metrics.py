"""Prometheus metrics of the HTTP layer and of token issuance (``GET /metrics`` renders them
after the work-queue gauges, api/ops/views.py).

- ``coursegate_http_requests_total{route, method, status}``: every request, by the name of the URL
  pattern that served it (``route``: e.g. ``enterprise-plan-licenses``; ``unmatched`` for paths no
  pattern knows), so the label set stays small whatever ids the paths carry.
- ``coursegate_http_request_duration_seconds{route, method}``: the time Django spent, a histogram.
- ``coursegate_tokens_issued_total{grant_type, token_type}``: access tokens handed out.

Several gunicorn workers: `coursegate serve` gives each server instance a directory in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode), the workers write their
samples there and a scrape of any worker adds them up; a dead worker's gauges are dropped by the
gunicorn ``child_exit`` hook, its counters are kept. Without that variable (tests, `runserver`)
the samples live in the process.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.registry import REGISTRY

# Buckets from 2.5 ms (a /health answer) to 30 s (the serve timeout).
_LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "coursegate_http_requests", "HTTP requests served, by URL pattern name, method and status.",
    ["route", "method", "status"],
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "coursegate_http_request_duration_seconds", "Time the application spent on a request.",
    ["route", "method"], buckets=_LATENCY_BUCKETS,
)  # fmt: skip
TOKENS_ISSUED = Counter(
    "coursegate_tokens_issued", "Access tokens issued, by grant type and token type (bearer or jwt).",
    ["grant_type", "token_type"],
)  # fmt: skip

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> bytes:
    """The exposition text of this module's metrics (all workers' in multiprocess mode)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def token_issued(*, grant_type: str, jwt: bool) -> None:
    TOKENS_ISSUED.labels(grant_type=grant_type or "unknown", token_type="jwt" if jwt else "bearer").inc()


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: forget a dead worker's live gauges (multiprocess mode)."""
    if multiprocess_dir():
        prometheus_multiprocess.mark_process_dead(pid)


class MetricsMiddleware:
    """Counts every request and times it, by the URL pattern's name (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route or "unnamed") if match is not None else "unmatched"
        # Any method name a client makes up would be a new label value: keep the known ones.
        method = request.method if request.method in _METHODS else "other"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_LATENCY.labels(route=route, method=method).observe(elapsed)
        return response
