"""The dashboard's kept counts (reporting/tallies.py) equal counts of the rows: after enrollments
through several families (single, bulk, codes, set-based SQL), deactivations, mode changes and
deletions, before and after the sweep folds the changes, per chart and per tally group; a drifted
tally is found by `coursegate tallies check` and repaired by `rebuild`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, DateTimeField, F, Sum
from django.db.models.functions import Trunc

from coursegate.accounts.models import User
from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.codes.services import code_redeem, codes_generate
from coursegate.console.dashboard import stats
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import (
    EnrollmentRequest,
    enrollment_upsert,
    enrollments_bulk_change,
    enrollments_bulk_upsert,
)
from coursegate.events.models import ApprenticeshipEvent
from coursegate.reporting import tallies
from coursegate.reporting.models import Tally, TallyChange
from coursegate.subscriptions.models import License, SubscriptionPlan
from tests.console.test_dashboard import NOW, make_world

LABELS = dict(Source.choices)


def live_series(queryset, column: str, window: stats.Window, name) -> dict[tuple[date, str], int]:
    rows = (
        queryset.filter(**{f"{column}__gte": window.since})
        .annotate(bucket=Trunc(column, window.bucket, output_field=DateTimeField()))
        .values("bucket", *(["source"] if name is None else []))
        .annotate(n=Count("*"))
    )
    return {(row["bucket"].date(), name or str(LABELS[row["source"]])): row["n"] for row in rows}


def drawn_series(series: stats.TimeSeries) -> dict[tuple[date, str], int]:
    return {
        (day, name): n
        for name, values in series.series.items()
        for day, n in zip(series.buckets, values, strict=True)
        if n
    }


def assert_the_charts_equal_the_rows() -> None:
    """Each tally-backed chart against the same figures counted from the rows with the ORM."""
    for days in stats.RANGES:
        window = stats.Window(days, NOW)
        history = EnrollmentHistory.objects.filter(is_active=True)
        assert drawn_series(stats.enrollments_over_time(window)) == live_series(history, "changed_at", window, None)
        events = ApprenticeshipEvent.objects.all()
        assert drawn_series(stats.events_ingested(window)) == live_series(events, "created_on", window, "Events")
    top = (
        Enrollment.objects.filter(is_active=True)
        .values_list("course_run__key")
        .annotate(n=Count("*"))
        .order_by("-n", "course_run__key")[: stats.TOP]
    )
    assert stats.top_course_runs() == list(top)
    licenses = (
        License.objects.filter(plan__is_active=True)
        .annotate(label=F("plan__title"), customer=F("plan__customer__name"))
        .values_list("label", "customer", "status")
        .annotate(n=Count("*"))
    )
    drawn = {(p.label, status): n for p in stats.license_utilisation() for status, n in p.counts.items() if n}
    assert drawn == {(f"{title} ({customer})", status): n for title, customer, status, n in licenses}
    policies = SubsidyAccessPolicy.objects.filter(active=True, retired=False).order_by("-spend_limit", "uuid")
    for policy, drawn_policy in zip(policies[: stats.TOP], stats.policy_assignments(), strict=True):
        assignments = (
            LearnerContentAssignment.objects.filter(assignment_configuration=policy.assignment_configuration_id)
            .values_list("state")
            .annotate(n=Count("*"), cents=Sum("content_quantity"))
        )
        assert drawn_policy.counts == {state: n for state, n, _ in assignments}
        assert drawn_policy.cents == {state: -cents for state, _, cents in assignments}
    assert tallies.tallies_check() == {}


@pytest.fixture
def world(db, make_user, make_run):
    return make_world(make_user=make_user, make_run=make_run, tag="t")


def busy_day(make_user, make_run, world) -> None:
    """More of every kind of change, through several families, on several days."""
    one, two = world["runs"]
    verified = make_run("course-v1:Tally+Verified+2026", modes=("audit", "verified"))
    learners = [make_user(f"tally{i}") for i in range(6)]
    with time_machine.travel(NOW - timedelta(days=40), tick=False):  # beyond 30 days, within 90
        enrollments_bulk_upsert(
            requests=[EnrollmentRequest(user=u, course_run=verified) for u in learners[:4]], source=Source.ENTERPRISE
        )
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        enrollments_bulk_change(action="enroll", identifiers=[u.username for u in learners], course_runs=[two],
                                auto_enroll=False, source=Source.APPSEMBLER)  # fmt: skip
        code = codes_generate(course_run=one, count=1)[0]
        code_redeem(code=code.code, email=learners[5].email)
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        enrollments_bulk_change(action="unenroll", identifiers=[u.username for u in learners[:2]], course_runs=[two],
                                auto_enroll=False, source=Source.APPSEMBLER)  # fmt: skip
        enrollment_upsert(user=learners[0], course_run=verified, mode="verified", source=Source.EDX_API, force=True)
        enrollment_upsert(user=learners[1], course_run=verified, is_active=False, source=Source.ADMIN, privileged=True)
        enrollment_upsert(user=learners[1], course_run=verified, source=Source.ADMIN, force=True)  # re-enrolled
    User.objects.filter(pk=learners[2].pk).delete()  # its enrollments and their history go with it
    assignments = LearnerContentAssignment.objects.filter(learner_email__startswith="a")
    assignments.filter(state="allocated").update(state="cancelled")
    LearnerContentAssignment.objects.filter(state="accepted").update(content_quantity=F("content_quantity") - 250)
    LearnerContentAssignment.objects.filter(learner_email__startswith="c").delete()
    License.objects.filter(plan__title="Plan At", status="activated").update(status="revoked")
    SubscriptionPlan.objects.filter(title="Old plant").delete()


def test_the_charts_equal_counts_of_the_rows_after_changes_of_every_kind(world, make_user, make_run):
    assert_the_charts_equal_the_rows()
    busy_day(make_user, make_run, world)
    assert TallyChange.objects.exists()

    assert_the_charts_equal_the_rows()
    assert tallies.tallies_sweep() > 0
    assert not TallyChange.objects.exists()
    assert_the_charts_equal_the_rows()
    names = {name for _, name in drawn_series(stats.enrollments_over_time(stats.Window(90, NOW)))}
    assert names == {"Open edX Enrollment API", "Appsembler API", "Enterprise API", "Enrollment code", "Admin"}


def test_a_set_based_insert_is_counted_as_its_rows(world, make_user):
    """As bench/dashboard.py fills: one INSERT ... SELECT of many enrollments (one change per run on
    PostgreSQL, whose triggers see the statement's rows at once)."""
    one, two = world["runs"]
    for i in range(30):
        make_user(f"bulk{i}")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enrollments_enrollment (mode, is_active, created, modified, course_run_id, user_id) "
            "SELECT 'audit', u.id %% 3 <> 0, %s, %s, r.id, u.id FROM accounts_user u, courses_courserun r "
            "WHERE u.username LIKE 'bulk%%' AND r.id IN (%s, %s)",
            [NOW, NOW, one.pk, two.pk],
        )
        inserted = cursor.rowcount
    assert inserted == 60
    if connection.vendor == "postgresql":
        assert TallyChange.objects.filter(kind="run").count() <= 2 + 2 * 4  # the statement's two runs, and world's
    assert_the_charts_equal_the_rows()


def test_the_sweep_folds_in_batches_and_counts_stay_exact_between_them(world, make_user, make_run, monkeypatch):
    monkeypatch.setattr(tallies, "FOLD_BATCH", 3)
    busy_day(make_user, make_run, world)
    pending = TallyChange.objects.count()
    folded = []
    while step := tallies.tallies_sweep():
        folded.append(step)
        assert tallies.tallies_check() == {}
    assert sum(folded) == pending and max(folded) == 3
    assert not TallyChange.objects.exists()


def test_a_drifted_tally_is_reported_and_rebuilt(world, capsys):
    tallies.tallies_sweep()
    call_command("tallies", "check")
    assert "all tallies agree" in capsys.readouterr().out
    Tally.objects.filter(kind="run").update(n=F("n") + 5)

    with pytest.raises(CommandError, match="tallies rebuild"):
        call_command("tallies", "check")
    out = capsys.readouterr().out
    assert "run: " in out and "groups differ" in out and "tally " in out

    call_command("tallies", "rebuild", "--kind", "run")
    call_command("tallies", "check")
    assert "all tallies agree" in capsys.readouterr().out
    assert_the_charts_equal_the_rows()


def test_the_sweep_command_folds_everything(world, capsys, monkeypatch):
    monkeypatch.setattr(tallies, "FOLD_BATCH", 4)
    pending = TallyChange.objects.count()
    call_command("tallies", "sweep")
    assert capsys.readouterr().out.strip() == f"folded {pending} changes"
    assert not TallyChange.objects.exists()
    assert_the_charts_equal_the_rows()


def test_empty_tables_read_as_nothing(db):
    assert tallies.tallies_read("enrolled").counts == {}
    assert stats.top_course_runs() == [] and stats.license_utilisation() == []
    assert tallies.tallies_sweep() == 0


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_leaves_no_tally_behind(make_user, make_run):
    """Django's flush (between transactional tests) deletes table by table on SQLite, firing the
    DELETE triggers of tables emptied after the reporting ones: no change may be left behind."""
    run = make_run("course-v1:Flush+One+2026")
    enrollment_upsert(user=make_user("flushed"), course_run=run, source=Source.EDX_API)
    assert tallies.tallies_read("run").counts
    call_command("flush", interactive=False, verbosity=0)
    assert not Tally.objects.exists() and not TallyChange.objects.exists()
    assert tallies.tallies_check() == {}
