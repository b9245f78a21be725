"""Service-level endpoints: ``GET /`` (what this is, where the docs are) and ``GET /health``."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


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
    """200 {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
