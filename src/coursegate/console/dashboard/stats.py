"""The dashboard's reads: one aggregate query per chart (GROUP BY in SQL, dates truncated with
Django's Trunc functions, so the same code runs on SQLite and PostgreSQL), each bounded (the
chosen window of days, the top 10) so the page stays fast at a million enrollments.

Indexes each query leans on (PostgreSQL at 1,000,000 enrollments: bench/dashboard.py):
- enrollments over time: ``enrollments_history_active_changed_at`` (enrollments migration 0002:
  ``(changed_at, source) WHERE is_active``), an index-only range scan of the window;
- top course runs: ``(course_run, is_active)`` on enrollments, one index-only count per run;
- license utilisation: ``(plan, status)`` on licenses, index-only counts per plan and status;
- assignments: ``(assignment_configuration, state)`` on assignments;
- jobs: the partial index of unfinished jobs; finished ones are few per window;
- event ingest: ``events_created_on_id``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, DateTimeField, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Trunc

from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.events.models import ApprenticeshipEvent
from coursegate.subscriptions.models import License, SubscriptionPlan

TOP = 10
RANGES = (30, 90, 365)
DEFAULT_RANGE = 90
AssignmentState = LearnerContentAssignment.State
LicenseStatus = License.Status


@dataclass(frozen=True)
class Window:
    """The days the time series cover: ``days`` up to ``now``, counted per day, or per ISO week
    (starting Mondays) beyond 90 days."""

    days: int
    now: datetime

    @property
    def bucket(self) -> str:
        return "day" if self.days <= 90 else "week"

    @property
    def first(self) -> date:
        start = (self.now - timedelta(days=self.days - 1)).date()
        return start if self.bucket == "day" else start - timedelta(days=start.weekday())

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), tzinfo=self.now.tzinfo)

    def buckets(self) -> list[date]:
        step = timedelta(days=1 if self.bucket == "day" else 7)
        days, current, last = [], self.first, self.now.date()
        while current <= last:
            days.append(current)
            current += step
        return days


@dataclass(frozen=True)
class TimeSeries:
    buckets: list[date]
    series: dict[str, list[int]]  # name -> one count per bucket


def _trunc(column: str, window: Window) -> Trunc:
    return Trunc(column, window.bucket, output_field=DateTimeField())


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _series(rows, window: Window, *, name_of) -> TimeSeries:
    buckets = window.buckets()
    position = {day: i for i, day in enumerate(buckets)}
    series: dict[str, list[int]] = {}
    for row in rows:
        index = position.get(_day(row["bucket"]))
        if index is None:
            continue
        series.setdefault(name_of(row), [0] * len(buckets))[index] += row["n"]
    return TimeSeries(buckets, dict(sorted(series.items(), key=lambda item: -sum(item[1]))))


def enrollments_over_time(window: Window) -> TimeSeries:
    """Enrollment changes that leave the learner enrolled (new enrollments, re-enrollments, mode
    changes) per day or week, one series per source family (the surface that asked)."""
    rows = (
        EnrollmentHistory.objects.filter(changed_at__gte=window.since, is_active=True)
        .annotate(bucket=_trunc("changed_at", window))
        .values("bucket", "source")
        .annotate(n=Count("*"))
        .order_by()
    )
    labels = dict(Source.choices)
    return _series(rows, window, name_of=lambda row: str(labels.get(row["source"], row["source"])))


def events_ingested(window: Window) -> TimeSeries:
    """Apprenticeship events stored per day or week."""
    rows = (
        ApprenticeshipEvent.objects.filter(created_on__gte=window.since)
        .annotate(bucket=_trunc("created_on", window))
        .values("bucket")
        .annotate(n=Count("*"))
        .order_by()
    )
    return _series(rows, window, name_of=lambda row: "Events")


def top_course_runs(limit: int = TOP) -> list[tuple[str, int]]:
    """The runs with the most active enrollments: (run key, active enrollments), most first."""
    active = (
        Enrollment.objects.filter(course_run=OuterRef("pk"), is_active=True)
        .order_by()
        .values("course_run")
        .annotate(n=Count("*"))
        .values("n")
    )
    runs = (
        CourseRun.objects.annotate(active=Coalesce(Subquery(active, output_field=IntegerField()), 0))
        .order_by("-active", "key")
        .values_list("key", "active")[:limit]
    )
    # Runs without active enrollments are dropped here, not in SQL: a WHERE on the annotation would
    # make PostgreSQL count every run twice.
    return [(key, active) for key, active in runs if active]


@dataclass(frozen=True)
class PlanUtilisation:
    label: str
    counts: dict[str, int]  # license status -> licenses


def license_utilisation(limit: int = TOP) -> list[PlanUtilisation]:
    """Licenses per status of the active plans with the most licenses (counts per plan and status,
    each an index-only count on ``(plan, status)``)."""
    statuses = [LicenseStatus.UNASSIGNED, LicenseStatus.ASSIGNED, LicenseStatus.ACTIVATED, LicenseStatus.REVOKED]

    def count(status: str) -> Coalesce:
        query = (
            License.objects.filter(plan=OuterRef("pk"), status=status)
            .order_by()
            .values("plan")
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(query, output_field=IntegerField()), 0)

    plans = (
        SubscriptionPlan.objects.filter(is_active=True)
        .annotate(**{status: count(status) for status in statuses})
        .annotate(total=F(statuses[0]) + F(statuses[1]) + F(statuses[2]) + F(statuses[3]))
        .order_by("-total", "title")
        .values("title", "customer__name", *statuses)[:limit]
    )
    return [  # plans without licenses dropped here, not in SQL (a WHERE would count them all twice)
        PlanUtilisation(f"{plan['title']} ({plan['customer__name']})", {s: plan[s] for s in statuses})
        for plan in plans
        if any(plan[s] for s in statuses)
    ]


@dataclass(frozen=True)
class PolicyAssignments:
    label: str
    spend_limit: int  # cents
    counts: dict[str, int] = field(default_factory=dict)  # assignment state -> assignments
    cents: dict[str, int] = field(default_factory=dict)  # assignment state -> price sum, cents

    @property
    def spent(self) -> int:
        return self.cents.get(AssignmentState.ACCEPTED, 0)

    @property
    def allocated(self) -> int:
        return self.cents.get(AssignmentState.ALLOCATED, 0)


def policy_assignments(limit: int = TOP) -> list[PolicyAssignments]:
    """Assignments per state and their prices, for the active policies with the largest spend
    limits: one GROUP BY (policy, state) over a LEFT JOIN, so policies without assignments show."""
    chosen = SubsidyAccessPolicy.objects.filter(active=True, retired=False).order_by("-spend_limit", "uuid")
    assignments = "assignment_configuration__assignments"
    rows = (
        SubsidyAccessPolicy.objects.filter(uuid__in=Subquery(chosen.values("uuid")[:limit]))
        .values("uuid", "description", "spend_limit", "customer__name", f"{assignments}__state")
        .annotate(n=Count(f"{assignments}__uuid"), quantity=Sum(f"{assignments}__content_quantity"))
        .order_by("-spend_limit", "uuid")
    )
    policies: dict[object, PolicyAssignments] = {}
    for row in rows:
        if row["uuid"] not in policies:
            name = row["description"] or f"policy {str(row['uuid'])[:8]}"
            policies[row["uuid"]] = PolicyAssignments(f"{name} ({row['customer__name']})", row["spend_limit"])
        state = row[f"{assignments}__state"]
        if state is not None:
            policies[row["uuid"]].counts[state] = row["n"]
            policies[row["uuid"]].cents[state] = -(row["quantity"] or 0)
    return list(policies.values())


def jobs_by_status(window: Window) -> dict[str, int]:
    """Bulk enrollment jobs created in the window, and every unfinished one, per status;
    ``stalled``: running jobs whose heartbeat is older than COURSEGATE_JOB_STALE_SECONDS."""
    stale = window.now - timedelta(seconds=settings.COURSEGATE_JOB_STALE_SECONDS)
    stalled = Q(status=BulkEnrollmentJob.Status.RUNNING) & (Q(heartbeat__isnull=True) | Q(heartbeat__lt=stale))
    rows = (
        BulkEnrollmentJob.objects.filter(Q(created__gte=window.since) | Q(status__in=["pending", "running"]))
        .values("status")
        .annotate(n=Count("*"), stalled=Count("pk", filter=stalled))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["status"]] += row["n"]
        counts["stalled"] += row["stalled"]
    return {status: counts[status] for status in ("pending", "running", "stalled", "succeeded", "failed")}


@dataclass(frozen=True)
class Dashboard:
    window: Window
    enrollments: TimeSeries
    top_runs: list[tuple[str, int]]
    licenses: list[PlanUtilisation]
    policies: list[PolicyAssignments]
    jobs: dict[str, int]
    events: TimeSeries


def dashboard_read(*, days: int, now: datetime) -> Dashboard:
    """Everything the dashboard draws: six queries whatever the amount of data."""
    window = Window(days, now)
    return Dashboard(
        window=window,
        enrollments=enrollments_over_time(window),
        top_runs=top_course_runs(),
        licenses=license_utilisation(),
        policies=policy_assignments(),
        jobs=jobs_by_status(window),
        events=events_ingested(window),
    )
