"""Service-level endpoints: ``GET /`` (what this is, where the docs are), ``GET /health`` (the
database and the cache answer; the broker's state) and ``GET /health/ready`` (database, cache and
broker all answer, checked afresh)."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_safe

from coursegate.core.outage import RETRY_AFTER_SECONDS


@require_GET
def root(request):
    """What this server is and where everything is: JSON for API clients (any Accept, curl's
    ``*/*`` included), the same links as a page for a browser (an Accept that starts with HTML).
    The page is the console's template, looked up by name (core imports no app)."""
    links = {
        "service": "coursegate",
        "version": settings.COURSEGATE_VERSION,
        "docs": {
            "swagger_ui": request.build_absolute_uri("/api/docs/"),
            "redoc": request.build_absolute_uri("/api/redoc/"),
            "openapi": request.build_absolute_uri("/api/schema/"),
        },
        "token_endpoint": request.build_absolute_uri("/oauth2/access_token"),
        "apis": {
            "edx_enrollment": request.build_absolute_uri("/api/enrollment/v1/"),
            "appsembler": request.build_absolute_uri("/appsembler_api/v0/"),
            "jitterbit": request.build_absolute_uri("/api/jitterbit/v1/"),
            "enterprise": request.build_absolute_uri("/enterprise/"),
            "apprenticeship_events": request.build_absolute_uri("/api/events/apprenticeships"),
        },
    }
    first = request.headers.get("Accept", "").split(",")[0].split(";")[0].strip().lower()
    if first in ("text/html", "application/xhtml+xml"):
        console = {
            "admin": request.build_absolute_uri("/admin/"),
            "dashboard": request.build_absolute_uri("/admin/dashboard/"),
        }
        response = render(request, "console/landing.html", {**links, "console": console})
    else:
        response = JsonResponse(links)
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def health(request):
    """GET or HEAD /health — for load balancers: 200 {"status": "ok", "database", "cache",
    "broker"} when the database and the cache answer; 503 with Retry-After naming the one that
    does not. A broker that does not answer makes the status "degraded" but keeps the 200: requests
    are still served and the work they queue is handed out by the sweeps once it is back
    (docs/reliability.md). The database is asked every time (one ``SELECT 1``: the benchmarks use
    this answer as the fastest the server can give); the cache's and the broker's answers are
    reused for a moment (_Memo) so polling stays that cheap."""
    problems = {"database": _database_problem(), "cache": _CACHE.get(_cache_read_problem)}
    failing = {name: problem for name, problem in problems.items() if problem}
    if failing:
        return _unavailable(failing)
    broker = _BROKER.get(_broker_problem) if settings.CELERY_BROKER_URL else None
    return JsonResponse(
        {
            "status": "degraded" if broker else "ok",
            "database": connection.vendor,
            "cache": "ok",
            "broker": broker or ("ok" if settings.CELERY_BROKER_URL else "not configured"),
        }
    )


class _Memo:
    """A check's last answer, reused for ``seconds`` in this process."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = 0.0
        self.value: str | None = None

    def get(self, check) -> str | None:
        now = time.monotonic()
        if now >= self.until:
            self.value = check()
            self.until = now + self.seconds
        return self.value


_CACHE = _Memo(1.0)
_BROKER = _Memo(10.0)


def _cache_read_problem() -> str | None:
    try:
        cache.get("coursegate:health")
    except Exception as exc:  # noqa: BLE001  (any cache backend's error means "not answering")
        return f"unreachable ({type(exc).__name__})"
    return None


@require_safe
def ready(request):
    """GET /health/ready — 200 when the database, the cache and the broker (when one is
    configured) all answer; 503 with Retry-After naming each one that does not. For readiness
    probes and operators; it opens a broker connection, so it is not for tight polling."""
    checks = {"database": _database_problem(), "cache": _cache_problem(), "broker": _broker_problem()}
    problems = {name: problem for name, problem in checks.items() if problem}
    if problems:
        return _unavailable(problems)
    broker = "ok" if settings.CELERY_BROKER_URL else "not configured (jobs run in-process)"
    return JsonResponse({"status": "ok", "database": "ok", "cache": "ok", "broker": broker})


def _unavailable(problems: dict[str, str]) -> JsonResponse:
    response = JsonResponse({"status": "unavailable", **problems}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The connection that failed is closed at the end of the request (Django closes one that
        # raised and no longer answers), so the next check connects again.
        return f"unreachable ({type(exc).__name__})"
    return None


def _cache_problem() -> str | None:
    key = f"coursegate:ready:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001  (any cache backend's error means "not answering")
        return f"unreachable ({type(exc).__name__})"
    return None if answered == "1" else "does not keep what it is given"


def _broker_problem() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return None
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001  (kombu raises the transport's own errors)
        return f"unreachable ({type(exc).__name__})"
    return None
