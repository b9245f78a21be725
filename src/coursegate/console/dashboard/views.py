"""The dashboard (GET /admin/dashboard/, staff only through the admin site's ``admin_view``):
the state of learning drawn as inline SVG charts (charts.py) from ten small queries (stats.py:
the large tables' counts are read from the reporting tallies, kept exact by the database).
``?range=30|90|365`` picks the window of the time series (90 days by default; any other value
falls back to it).

The drawn page is kept in the cache (Redis in production, shared by every worker) for
``COURSEGATE_DASHBOARD_CACHE_SECONDS`` (60 by default; 0: never kept): counting costs 0.1-0.3 s at
a million enrollments on a busy machine, and a page that several operators leave open need not pay
it on every load. ``?refresh=1`` counts at once; the page says when its figures were counted."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from coursegate.console.dashboard import stats
from coursegate.console.dashboard.charts import Series, bar_chart, line_chart, stacked_bar_chart
from coursegate.console.dashboard.stats import AssignmentState, LicenseStatus

JOB_COLOURS = {
    "pending": "#56B4E9",
    "running": "#0072B2",
    "stalled": "#E69F00",
    "succeeded": "#009E73",
    "failed": "#D55E00",
}


def dollars(cents: float) -> str:
    """Cents as dollars: $1,234 (whole dollars) or $12.50."""
    return f"${cents / 100:,.2f}".removesuffix(".00")


def _range(request) -> int:
    try:
        days = int(request.GET.get("range", stats.DEFAULT_RANGE))
    except (TypeError, ValueError):
        return stats.DEFAULT_RANGE
    return days if days in stats.RANGES else stats.DEFAULT_RANGE


def charts(data: stats.Dashboard) -> dict[str, str]:
    """The page's charts, as SVG markup, by name."""
    window = data.window
    per = "day" if window.bucket == "day" else "week (starting Mondays)"
    labels = [day.isoformat() for day in window.buckets()]
    policies = [p.label for p in data.policies]
    plans = [p.label for p in data.licenses]
    license_statuses = [
        LicenseStatus.UNASSIGNED,
        LicenseStatus.ASSIGNED,
        LicenseStatus.ACTIVATED,
        LicenseStatus.REVOKED,
    ]
    return {
        "enrollments": line_chart(
            chart_id="chart-enrollments",
            title=f"Enrollments per {window.bucket}, last {window.days} days, by source",
            description=f"Enrollment changes that leave the learner enrolled (new, re-enrolled, mode changed), "
            f"per {per}, one line per source family.",
            labels=labels,
            series=[Series(name, values) for name, values in data.enrollments.series.items()],
        ),
        "top_runs": bar_chart(
            chart_id="chart-top-runs",
            title=f"Top {stats.TOP} course runs by active enrollments",
            description="Active enrollments of the course runs that have the most.",
            bars=data.top_runs,
        ),
        "licenses": stacked_bar_chart(
            chart_id="chart-licenses",
            title="License utilisation per plan",
            description=f"Licenses by status of the {stats.TOP} active subscription plans with the most licenses.",
            rows=plans,
            segments=[Series(s.capitalize(), [p.counts[s] for p in data.licenses]) for s in license_statuses],
        ),
        "assignments": stacked_bar_chart(
            chart_id="chart-assignments",
            title="Assignment states per policy",
            description=f"Learner content assignments by state, for the {stats.TOP} active policies with the "
            "largest spend limits.",
            rows=policies,
            segments=[
                Series(state.label, [p.counts.get(state, 0) for p in data.policies]) for state in AssignmentState
            ],
        ),
        "spend": stacked_bar_chart(
            chart_id="chart-spend",
            title="Spend against each policy's limit",
            description="Redeemed (accepted) and still allocated assignment prices per policy; the tick is the "
            "policy's spend limit.",
            rows=policies,
            segments=[
                Series("Redeemed", [p.spent for p in data.policies]),
                Series("Allocated", [p.allocated for p in data.policies]),
            ],
            markers=[p.spend_limit for p in data.policies],
            marker_name="spend limit",
            formatter=dollars,
        ),
        "jobs": bar_chart(
            chart_id="chart-jobs",
            title=f"Bulk enrollment jobs, last {window.days} days and all unfinished",
            description="Bulk license enrollment jobs by status; stalled: running jobs whose worker stopped "
            "sending heartbeats (counted among running too).",
            bars=[(status, count) for status, count in data.jobs.items()],
            colours=[JOB_COLOURS[status] for status in data.jobs],
        ),
        "events": line_chart(
            chart_id="chart-events",
            title=f"Apprenticeship events ingested per {window.bucket}, last {window.days} days",
            description=f"Events stored in the apprenticeship event store per {per}.",
            labels=labels,
            series=[Series(name, values) for name, values in data.events.series.items()],
        ),
    }


def cache_seconds() -> int:
    return int(getattr(settings, "COURSEGATE_DASHBOARD_CACHE_SECONDS", 60))


def drawn(days: int, *, refresh: bool) -> dict:
    """{"charts": {name: svg}, "jobs": {status: count}, "counted_at": datetime} for ``days``,
    from the cache unless ``refresh`` or missing."""
    # Several deployments (or test databases) may share one Redis: the key names the database.
    database = connection.settings_dict
    origin = hashlib.sha256(f"{database.get('HOST')}:{database.get('PORT')}/{database['NAME']}".encode()).hexdigest()[
        :16
    ]
    key = f"coursegate:console:dashboard:{origin}:{days}"
    if not refresh and (kept := cache.get(key)) is not None:
        return kept
    now = timezone.now()
    data = stats.dashboard_read(days=days, now=now)
    page = {"charts": charts(data), "jobs": data.jobs, "counted_at": now}
    if cache_seconds() > 0:
        cache.set(key, page, cache_seconds())
    return page


def dashboard(request):
    """GET /admin/dashboard/ — 200 with the charts; the admin's login page for anyone else."""
    days = _range(request)
    page = drawn(days, refresh=request.GET.get("refresh") == "1")
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "charts": {name: mark_safe(svg) for name, svg in page["charts"].items()},  # noqa: S308 (escaped in charts.py)
        "days": days,
        "ranges": stats.RANGES,
        "jobs": page["jobs"],
        "counted_at": page["counted_at"],
        "cache_seconds": cache_seconds(),
    }
    return TemplateResponse(request, "console/dashboard.html", context)
