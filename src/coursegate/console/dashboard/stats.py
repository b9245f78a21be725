"""The dashboard's reads. The counts over large tables come from the reporting tallies
(reporting/tallies.py): exact counts that database triggers keep as rows change, so the page reads a
few hundred small rows instead of counting a million (PostgreSQL at 1,000,000 enrollments:
bench/dashboard.py):
- enrollments over time: tallies of history rows that enrolled, per UTC day and source family;
- top course runs: tallies of active enrollments per run, then the keys of the runs that place;
- license utilisation: tallies of licenses per plan and status, then the active plans among them;
- assignments and spend: the chosen policies, then tallies of assignments (count, price sum) per
  assignment configuration and state;
- event ingest: tallies of apprenticeship events per UTC day.
Jobs are counted from their rows (the partial index of unfinished jobs; finished ones are few per
window). Ten queries whatever the amount of data.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Source
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.reporting.tallies import TallyRead, tallies_read
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


def _series(read: TallyRead, window: Window, *, name_of) -> TimeSeries:
    """Daily tallies (key: 'YYYY-MM-DD') summed into the window's buckets, one series per name."""
    buckets = window.buckets()
    position = {day: i for i, day in enumerate(buckets)}
    series: dict[str, list[int]] = {}
    for (key, sub), n in read.counts.items():
        day = date.fromisoformat(key)
        if window.bucket == "week":
            day -= timedelta(days=day.weekday())
        index = position.get(day)
        if index is None:
            continue
        series.setdefault(name_of(sub), [0] * len(buckets))[index] += n
    return TimeSeries(buckets, dict(sorted(series.items(), key=lambda item: -sum(item[1]))))


def enrollments_over_time(window: Window) -> TimeSeries:
    """Enrollment changes that leave the learner enrolled (new enrollments, re-enrollments, mode
    changes) per day or week, one series per source family (the surface that asked)."""
    labels = dict(Source.choices)
    read = tallies_read("enrolled", key_from=window.first.isoformat())
    return _series(read, window, name_of=lambda source: str(labels.get(source, source)))


def events_ingested(window: Window) -> TimeSeries:
    """Apprenticeship events stored per day or week."""
    return _series(tallies_read("event", key_from=window.first.isoformat()), window, name_of=lambda _: "Events")


def top_course_runs(limit: int = TOP) -> list[tuple[str, int]]:
    """The runs with the most active enrollments: (run key, active enrollments), most first (ties by
    key): the tallies of every run with active enrollments, then the keys of those that can place."""
    active = {int(key): n for (key, _), n in tallies_read("run").counts.items() if n > 0}
    ranked = sorted(active.values(), reverse=True)
    least = ranked[limit - 1] if len(ranked) >= limit else 1
    placing = [pk for pk, n in active.items() if n >= least]
    keys = dict(CourseRun.objects.filter(pk__in=placing or [0]).values_list("pk", "key"))
    return sorted(((keys[pk], active[pk]) for pk in placing if pk in keys), key=lambda run: (-run[1], run[0]))[:limit]


@dataclass(frozen=True)
class PlanUtilisation:
    label: str
    counts: dict[str, int]  # license status -> licenses


def license_utilisation(limit: int = TOP) -> list[PlanUtilisation]:
    """Licenses per status of the active plans with the most licenses (tallies per plan and status)."""
    statuses = [LicenseStatus.UNASSIGNED, LicenseStatus.ASSIGNED, LicenseStatus.ACTIVATED, LicenseStatus.REVOKED]
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: dict.fromkeys(statuses, 0))
    for (key, status), n in tallies_read("license").counts.items():
        if status in statuses:
            counts[uuid.UUID(key)][status] += n
    plans = SubscriptionPlan.objects.filter(uuid__in=list(counts) or [uuid.UUID(int=0)], is_active=True)
    chosen = sorted(
        plans.values("uuid", "title", "customer__name"),
        key=lambda plan: (-sum(counts[plan["uuid"]].values()), plan["title"]),
    )
    return [
        PlanUtilisation(f"{plan['title']} ({plan['customer__name']})", counts[plan["uuid"]])
        for plan in chosen[:limit]
        if any(counts[plan["uuid"]].values())
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
    limits (the ``assignment`` and ``assignment_cents`` tallies per configuration and state)."""
    policies = (
        SubsidyAccessPolicy.objects.filter(active=True, retired=False)
        .order_by("-spend_limit", "uuid")
        .values("uuid", "description", "spend_limit", "customer__name", "assignment_configuration_id")[:limit]
    )
    # Tally keys are uuids as the database writes them (with dashes on PostgreSQL, without on SQLite).
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    cents: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for kind, into in (("assignment", counts), ("assignment_cents", cents)):
        for (key, state), n in tallies_read(kind).counts.items():
            into[uuid.UUID(key)][state] = n
    chosen = []
    for policy in policies:
        name = policy["description"] or f"policy {str(policy['uuid'])[:8]}"
        configuration = policy["assignment_configuration_id"]
        chosen.append(
            PolicyAssignments(
                f"{name} ({policy['customer__name']})",
                policy["spend_limit"],
                counts=dict(counts.get(configuration, {})),
                cents={state: -n for state, n in cents.get(configuration, {}).items()},
            )
        )
    return chosen


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
    """Everything the dashboard draws: ten queries whatever the amount of data."""
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
