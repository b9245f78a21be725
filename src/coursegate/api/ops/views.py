"""Operator endpoints (not an API family, and not in the OpenAPI document): ``GET /metrics``.

Prometheus' text exposition format. First the figures an operator alerts on that show work a
crash or an outage left behind: e-mails waiting or failed in the outbox (and the age of the
oldest one not yet delivered), bulk enrollment jobs per status and those whose heartbeat stopped,
webhook subscriptions paused or behind (five small aggregate queries per scrape). Then the HTTP
layer's counters and latency histogram by route, and the tokens issued (core/metrics.py; all of a
server's workers added up).

Access: a staff user's token (any kind this server accepts), or the static bearer token
COURSEGATE_METRICS_TOKEN, for scrapers that cannot refresh OAuth tokens.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from coursegate.core.authentication import TokenAuthentication
from coursegate.core.metrics import render as render_metrics
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_counts
from coursegate.outbox.selectors import outbox_counts, outbox_oldest_pending
from coursegate.webhooks.selectors import webhook_counts

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@require_GET
def metrics(request):
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    now = timezone.now()
    oldest = outbox_oldest_pending()
    hooks = webhook_counts()
    lines = [
        *_gauge("coursegate_info", "This server's version.", {(("version", settings.COURSEGATE_VERSION),): 1}),
        *_gauge(
            "coursegate_outbox_emails",
            "E-mails in the outbox, by status (failed ones need `coursegate outbox retry`).",
            {(("status", status),): count for status, count in outbox_counts().items()},
        ),
        *_gauge(
            "coursegate_outbox_oldest_unsent_seconds",
            "Age of the oldest e-mail neither sent nor failed (0 when there is none).",
            {(): round((now - oldest).total_seconds(), 3) if oldest else 0},
        ),
        *_gauge(
            "coursegate_bulk_enrollment_jobs",
            "Bulk license enrollment jobs, by status; stalled: running with a stopped heartbeat.",
            {(("status", status),): count for status, count in bulk_enrollment_job_counts(now=now).items()},
        ),
        *_gauge(
            "coursegate_webhook_subscriptions",
            "Webhook subscriptions, by status (paused: deliveries failed for the whole retry window).",
            {(("status", "active"),): hooks["active"], (("status", "paused"),): hooks["paused"]},
        ),
        *_gauge(
            "coursegate_webhook_lag_events",
            "Feed events after the cursor of the active subscription furthest behind.",
            {(): hooks["max_lag_events"]},
        ),
    ]
    return HttpResponse(("\n".join(lines) + "\n").encode() + render_metrics(), content_type=CONTENT_TYPE)


def _gauge(name: str, help_text: str, samples: dict[tuple, float]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples.items():
        label_text = ",".join(f'{key}="{value}"' for key, value in labels)
        lines.append(f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}")
    return lines


def _refusal(request) -> JsonResponse | None:
    """None when the caller may read the metrics, else the 401/403 answer (the API's bodies)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    static = getattr(settings, "COURSEGATE_METRICS_TOKEN", "")
    scheme, _, given = header.partition(" ")
    if static and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), static.encode()):
        return None
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        return _json({"detail": str(exc.detail)}, 401)
    if authenticated is None:
        return _json({"detail": "Authentication credentials were not provided."}, 401)
    user, _credential = authenticated
    if not getattr(user, "is_staff", False):
        return _json({"detail": "You do not have permission to perform this action."}, 403)
    return None


def _json(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
