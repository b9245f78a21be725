"""Service-level endpoints: ``GET /`` (what this is, where the docs are), ``GET /health`` (the
database answers) and ``GET /health/ready`` (database, cache and broker answer)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from coursegate.core.outage import RETRY_AFTER_SECONDS


@require_GET
def root(request):
    return JsonResponse(
        {
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
    )


@require_GET
def health(request):
    """GET /health — 200 {"status": "ok"} when the database answers a ``SELECT 1``, 503 with
    Retry-After otherwise. Kept to that one round trip: load balancers poll it, and the
    benchmarks use it as the fastest answer the server can give."""
    problem = _database_problem()
    if problem:
        return _unavailable({"database": problem})
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_GET
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
