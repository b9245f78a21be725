"""Running a bulk license enrollment job: its rows through the shared enrollment service, in chunks,
with the outcome of every pair and the notification mails (enterprise_jobs.runner.bulk_enrollment_job_run;
seed 003 "bulk-license-enrollment"; reference/enterprise.md §4.8, §5.3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, content_item_upsert
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_upsert
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.services import learner_link
from coursegate.enterprise_jobs import runner
from coursegate.enterprise_jobs.dispatch import jobs_due
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.runner import bulk_enrollment_job_run
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_progress
from coursegate.subscriptions.models import License
from tests.enterprise_jobs.conftest import BY_COURSE, CLOSED, OUTSIDE, RUN, UNKNOWN, Status, create, rows, run_job

# --- running a job ---------------------------------------------------------------------------------


def test_job_enrolls_activated_license_holders_and_reports_every_other_case(world, django_capture_on_commit_callbacks):
    world.license_for("ann@example.com")  # activated
    world.license_for("bob@example.com", "assigned")
    world.license_for("cid@example.com", "revoked", user=None)

    job = run_job(
        world,
        ["ann@example.com", "bob@example.com", "cid@example.com", "dee@example.com"],
        [RUN, BY_COURSE, OUTSIDE, CLOSED, UNKNOWN],
        django_capture_on_commit_callbacks,
    )

    assert job.status == Status.SUCCEEDED
    assert job.started is not None and job.finished is not None and job.error == ""
    closed = "The run's enrollment window is not open."
    assert rows(job) == [
        ("ann@example.com", RUN, "success", ""),
        ("ann@example.com", BY_COURSE, "success", ""),
        ("ann@example.com", OUTSIDE, "failed", "missing subscription"),
        ("ann@example.com", CLOSED, "failed", closed),
        ("ann@example.com", UNKNOWN, "failed", "course run not found"),
        ("bob@example.com", RUN, "pending", "pending license activation"),
        ("bob@example.com", BY_COURSE, "pending", "pending license activation"),
        ("bob@example.com", OUTSIDE, "failed", "missing subscription"),
        ("bob@example.com", CLOSED, "pending", "pending license activation"),
        ("bob@example.com", UNKNOWN, "failed", "course run not found"),
        ("cid@example.com", RUN, "failed", "missing subscription"),
        ("cid@example.com", BY_COURSE, "failed", "missing subscription"),
        ("cid@example.com", OUTSIDE, "failed", "missing subscription"),
        ("cid@example.com", CLOSED, "failed", "missing subscription"),
        ("cid@example.com", UNKNOWN, "failed", "course run not found"),
        ("dee@example.com", RUN, "failed", "missing subscription"),
        ("dee@example.com", BY_COURSE, "failed", "missing subscription"),
        ("dee@example.com", OUTSIDE, "failed", "missing subscription"),
        ("dee@example.com", CLOSED, "failed", "missing subscription"),
        ("dee@example.com", UNKNOWN, "failed", "course run not found"),
    ]
    progress = bulk_enrollment_job_progress(job=job)
    assert (progress.total, progress.processed, progress.succeeded, progress.pending, progress.failed) == (
        20, 20, 2, 3, 15,
    )  # fmt: skip


def test_job_enrollments_go_through_the_enrollment_service_in_the_best_mode_with_enterprise_records(
    world, django_capture_on_commit_callbacks
):
    license_ = world.license_for("ann@example.com")

    job = run_job(world, ["ann@example.com"], [RUN, BY_COURSE], django_capture_on_commit_callbacks)

    enrollments = Enrollment.objects.filter(user=license_.lms_user).order_by("course_run__key")
    assert [(e.course_run.key, e.mode, e.is_active) for e in enrollments] == [
        (RUN, "verified", True),  # the license pays for the best mode offered
        (BY_COURSE, "audit", True),
    ]
    assert (
        list(EnrollmentHistory.objects.filter(enrollment__in=enrollments).values_list("source", "actor", "is_active"))
        == [(Source.ENTERPRISE, world.admin.pk, True)] * 2
    )
    learner = EnterpriseLearner.objects.get(customer=world.customer, email="ann@example.com")
    assert learner.user == license_.lms_user and learner.active
    assert sorted(
        EnterpriseEnrollment.objects.values_list("customer", "learner", "enrollment__course_run__key", "license_uuid")
    ) == sorted([(world.customer.pk, learner.pk, key, license_.uuid) for key in (RUN, BY_COURSE)])
    assert job.status == Status.SUCCEEDED


def test_job_counts_an_active_enrollment_as_success_and_records_it_for_the_customer(
    world, django_capture_on_commit_callbacks
):
    license_ = world.license_for("ann@example.com")
    existing = enrollment_upsert(
        user=license_.lms_user, course_run=world.runs[RUN], mode="audit", source=Source.EDX_API
    )
    learner_link(customer=world.customer, email="ANN@example.com")  # a pending link without the account yet

    job = run_job(world, ["ann@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert rows(job) == [("ann@example.com", RUN, "success", "already enrolled")]
    enrollment = Enrollment.objects.get(pk=existing.enrollment.pk)
    assert (enrollment.mode, enrollment.is_active) == ("audit", True)  # a learner's own enrollment is kept as is
    assert EnterpriseEnrollment.objects.get().enrollment == enrollment
    assert EnterpriseLearner.objects.get(customer=world.customer).user == license_.lms_user  # the link got its account


def test_job_records_the_enrollment_under_the_accounts_existing_link_even_under_another_email(
    world, django_capture_on_commit_callbacks
):
    license_ = world.license_for("ann@example.com")
    old_link = learner_link(customer=world.customer, email="ann.old@example.com", user=license_.lms_user)

    job = run_job(world, ["ann@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert rows(job) == [("ann@example.com", RUN, "success", "")]
    assert EnterpriseEnrollment.objects.get().learner == old_link


def test_job_uses_only_plans_active_now_of_its_customer(world, django_capture_on_commit_callbacks, make_user):
    expired = world.make_plan(world.customer, world.catalog, start=world.now - timedelta(days=60),
                              end=world.now - timedelta(days=1))  # fmt: skip
    inactive = world.make_plan(world.customer, world.catalog, is_active=False)
    foreign = world.make_plan(world.other, world.other_catalog)
    narrow = world.make_plan(world.customer, world.narrow)  # its catalog holds nothing
    world.license_for("old@example.com", on=expired)
    world.license_for("off@example.com", on=inactive)
    world.license_for("far@example.com", on=foreign)
    world.license_for("thin@example.com", on=narrow)

    job = run_job(
        world, ["old@example.com", "off@example.com", "far@example.com", "thin@example.com"], [RUN],
        django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert {row[2:] for row in rows(job)} == {("failed", "missing subscription")}
    assert not Enrollment.objects.exists()


def test_job_with_a_subscription_uuid_considers_that_plan_only(world, django_capture_on_commit_callbacks):
    second = world.make_plan(world.customer, world.catalog)
    world.license_for("ann@example.com")  # in world.plan
    world.license_for("bob@example.com", on=second)

    job = run_job(
        world, ["ann@example.com", "bob@example.com"], [RUN], django_capture_on_commit_callbacks,
        subscription_uuid=second.uuid,
    )  # fmt: skip

    assert rows(job) == [
        ("ann@example.com", RUN, "failed", "missing subscription"),
        ("bob@example.com", RUN, "success", ""),
    ]
    assert job.subscription_uuid == second.uuid


def test_job_prefers_an_activated_license_over_an_assigned_one_in_another_plan(
    world, django_capture_on_commit_callbacks
):
    later = world.make_plan(world.customer, world.catalog, end=world.now + timedelta(days=900))
    activated = world.license_for("ann@example.com")
    world.license_for("ann@example.com", "assigned", on=later)

    job = run_job(world, ["ann@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert rows(job) == [("ann@example.com", RUN, "success", "")]
    assert EnterpriseEnrollment.objects.get().license_uuid == activated.uuid


def test_job_refused_by_capacity_fails_the_rows_past_the_last_seat(world, make_run, django_capture_on_commit_callbacks):
    full = make_run("course-v1:Acme+Full+2026", modes=("audit",), max_enrollments=1)
    catalog_add_items(
        catalog=world.catalog,
        items=[content_item_upsert(content_type=ContentItem.Type.COURSE_RUN, content_key=full.key)],
    )
    world.license_for("ann@example.com")
    world.license_for("bob@example.com")

    job = run_job(world, ["ann@example.com", "bob@example.com"], [full.key], django_capture_on_commit_callbacks)

    assert rows(job) == [
        ("ann@example.com", full.key, "success", ""),
        ("bob@example.com", full.key, "failed", "The run has reached its maximum number of enrollments."),
    ]


def test_job_runs_in_chunks_and_each_chunk_commits_its_progress(
    world, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.COURSEGATE_JOB_CHUNK_SIZE = 3
    emails = [f"l{i}@example.com" for i in range(5)]
    for email in emails:
        world.license_for(email)
    seen = []
    real = runner.enrollments_bulk_upsert

    def spy(**kwargs):
        seen.append(len(kwargs["requests"]))
        return real(**kwargs)

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", spy)

    job = run_job(world, emails, [RUN, BY_COURSE], django_capture_on_commit_callbacks)

    # One call of the shared service per chunk; a chunk takes the rest of its last learner's rows
    # (3 rows + 1: l0 x 2 runs, l1 x 2 runs), so each learner is enrolled (and mailed) once.
    assert seen == [4, 4, 2]
    assert job.status == Status.SUCCEEDED
    assert Enrollment.objects.count() == EnterpriseEnrollment.objects.count() == 10


def test_job_query_count_does_not_grow_with_the_number_of_pairs(world, django_capture_on_commit_callbacks):
    def queries_for(n_emails: int, keys: list[str]) -> int:
        emails = [f"q{n_emails}-{i}@example.com" for i in range(n_emails)]
        for email in emails:
            world.license_for(email)
        job = create(world, emails, keys)
        with CaptureQueriesContext(connection) as captured:
            assert bulk_enrollment_job_run(job=job).status == Status.SUCCEEDED
        assert BulkEnrollmentJobRow.objects.filter(job=job, result="success").count() == n_emails * len(keys)
        return len(captured)

    small = queries_for(1, [RUN])
    large = queries_for(12, [RUN, BY_COURSE])

    assert small == large


def test_an_unexpected_error_fails_the_job_with_its_text_and_never_leaves_it_running(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    world.license_for("ann@example.com")

    def broken(**kwargs):
        raise RuntimeError("enrollment store unavailable")

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", broken)

    job = run_job(world, ["ann@example.com", "bob@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert job.status == Status.FAILED
    assert job.error == "RuntimeError: enrollment store unavailable"
    assert job.finished is not None
    assert rows(job) == [
        ("ann@example.com", RUN, "failed", "not processed: the job failed"),
        ("bob@example.com", RUN, "failed", "not processed: the job failed"),
    ]
    assert not Enrollment.objects.exists()


def test_a_job_interrupted_by_the_process_stopping_is_handed_back_to_the_sweep_and_the_interruption_goes_on(
    world, monkeypatch
):
    # gunicorn's request timeout raises SystemExit inside an in-process job: the job is resumable,
    # so it is left for the sweep (heartbeat cleared: due at once), not failed.
    world.license_for("ann@example.com")
    job = create(world, ["ann@example.com"], [RUN])

    def stopped(**kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", stopped)

    with pytest.raises(SystemExit):
        bulk_enrollment_job_run(job=job)

    job.refresh_from_db()
    assert (job.status, job.error, job.attempts, job.heartbeat, job.dispatched) == (Status.RUNNING, "", 1, None, None)
    assert rows(job) == [("ann@example.com", RUN, "queued", "")]
    assert list(jobs_due(now=timezone.now())) == [job]


def test_a_redelivered_job_resumes_at_its_queued_rows_and_a_finished_one_is_left_alone(world):
    world.license_for("ann@example.com")
    world.license_for("bob@example.com")
    job = create(world, ["ann@example.com", "bob@example.com"], [RUN])
    first = BulkEnrollmentJobRow.objects.filter(job=job).order_by("id").first()
    BulkEnrollmentJobRow.objects.filter(pk=first.pk).update(result="failed", notes="processed before a crash")
    BulkEnrollmentJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)

    assert bulk_enrollment_job_run(job=job).status == Status.SUCCEEDED
    assert rows(job) == [
        ("ann@example.com", RUN, "failed", "processed before a crash"),
        ("bob@example.com", RUN, "success", ""),
    ]

    BulkEnrollmentJobRow.objects.filter(job=job).update(result="queued")
    assert bulk_enrollment_job_run(job=job).status == Status.SUCCEEDED
    assert BulkEnrollmentJobRow.objects.filter(job=job, result="queued").count() == 2  # not run again


def test_notify_mails_each_newly_enrolled_learner_once_after_commit(world, django_capture_on_commit_callbacks):
    ann = world.license_for("ann@example.com")
    world.license_for("bob@example.com", "assigned")
    world.license_for("cid@example.com")
    cid = License.objects.get(user_email="cid@example.com")
    enrollment_upsert(user=cid.lms_user, course_run=world.runs[RUN], source=Source.EDX_API)

    job = run_job(
        world, ["ann@example.com", "bob@example.com", "cid@example.com"], [RUN, BY_COURSE],
        django_capture_on_commit_callbacks, notify=True,
    )  # fmt: skip

    assert job.status == Status.SUCCEEDED
    assert sorted((m.to, m.subject) for m in mail.outbox) == [
        (["ann@example.com"], "You have been enrolled through Acme"),
        (["cid@example.com"], "You have been enrolled through Acme"),
    ]
    ann_mail = next(m for m in mail.outbox if m.to == [ann.user_email])
    assert f"({RUN})" in ann_mail.body and f"({BY_COURSE})" in ann_mail.body
    cid_mail = next(m for m in mail.outbox if m.to == ["cid@example.com"])
    assert f"({RUN})" not in cid_mail.body and f"({BY_COURSE})" in cid_mail.body  # already enrolled in RUN


def test_no_mail_without_notify(world, django_capture_on_commit_callbacks):
    world.license_for("ann@example.com")

    run_job(world, ["ann@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert mail.outbox == []
