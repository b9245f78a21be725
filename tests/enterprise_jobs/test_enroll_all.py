"""Bulk license enrollment with ``enroll_all`` (reference/enterprise.md §4.8; issue 12 "Parity"): the
job's learners are every assigned or activated license holder of the plan, selected and inserted
set-based (enterprise_jobs.services.bulk_enrollment_job_create); a job too large to run inside the
request without a broker is left to the dispatcher's sweep (dispatch.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enrollments.models import Enrollment
from coursegate.enterprise_jobs.dispatch import jobs_sweep
from coursegate.enterprise_jobs.exceptions import BulkEnrollmentRequestInvalidError
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.subscriptions.models import License
from tests.enterprise_jobs.conftest import BY_COURSE, RUN, Status, create, rows


@pytest.fixture
def holders(world):
    """The plan's holders: ann activated, bob assigned (and a revoked, an unassigned license, and
    a holder of another plan of the customer, which are not)."""
    world.license_for("ann@example.com")
    world.license_for("bob@example.com", "assigned")
    License.objects.create(plan=world.plan, status="revoked", user_email="rex@example.com")
    License.objects.create(plan=world.plan, status="unassigned")
    world.license_for("dan@example.com", on=world.make_plan(world.customer, world.catalog))
    return world


def test_enroll_all_records_one_row_per_holder_and_run_ignoring_the_emails(holders):
    job = create(holders, ["zed@example.com"], [RUN, BY_COURSE], subscription_uuid=holders.plan.uuid, enroll_all=True)

    assert (job.status, job.subscription_uuid) == (Status.PENDING, holders.plan.uuid)
    assert rows(job) == [
        ("ann@example.com", RUN, "queued", ""),
        ("ann@example.com", BY_COURSE, "queued", ""),
        ("bob@example.com", RUN, "queued", ""),
        ("bob@example.com", BY_COURSE, "queued", ""),
    ]


def test_enroll_all_job_runs_like_any_other(holders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(holders, None, [RUN], subscription_uuid=holders.plan.uuid, enroll_all=True)

    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert rows(job) == [
        ("ann@example.com", RUN, "success", ""),
        ("bob@example.com", RUN, "pending", "pending license activation"),
    ]
    assert list(Enrollment.objects.values_list("user__username", "course_run__key", "mode")) == [
        ("ann", RUN, "verified")
    ]


@pytest.mark.parametrize(
    ("emails", "keys", "errors"),
    [
        (None, [RUN], {"subscription_id": ["This field is required when enroll_all is provided"]}),
        (
            ["not-an-email"],
            ["testX"],
            {
                "course_run_keys": ["Not a valid course run key: 'testX'."],
                "subscription_id": ["This field is required when enroll_all is provided"],
            },
        ),
    ],
    ids=["no plan", "no plan, bad key, e-mails ignored"],
)
def test_enroll_all_without_a_plan_is_refused_with_every_error(holders, emails, keys, errors):
    with pytest.raises(BulkEnrollmentRequestInvalidError) as caught:
        create(holders, emails, keys, enroll_all=True)

    assert caught.value.errors == errors
    assert not BulkEnrollmentJob.objects.exists()


def test_the_emails_plus_keys_limit_counts_only_the_keys_with_enroll_all(holders, settings):
    settings.COURSEGATE_BULK_ENROLL_LIMIT = 2
    emails = [f"l{i}@example.com" for i in range(5)]

    job = create(holders, emails, [RUN, BY_COURSE], subscription_uuid=holders.plan.uuid, enroll_all=True)

    assert BulkEnrollmentJobRow.objects.filter(job=job).count() == 4


def test_a_job_larger_than_an_in_request_job_is_left_to_the_sweep_without_a_broker(
    holders, settings, django_capture_on_commit_callbacks
):
    settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS = 3  # the posted-e-mail cap; enroll_all has its own
    with django_capture_on_commit_callbacks(execute=True):
        job = create(holders, None, [RUN, BY_COURSE], subscription_uuid=holders.plan.uuid, enroll_all=True)

    job.refresh_from_db()
    assert (job.status, job.dispatched) == (Status.PENDING, None)  # not run inside the request

    BulkEnrollmentJob.objects.filter(pk=job.pk).update(created=job.created - timedelta(minutes=1))
    assert jobs_sweep() == 1

    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED
    assert [(email, key, result) for email, key, result, _ in rows(job)] == [
        ("ann@example.com", RUN, "success"),
        ("ann@example.com", BY_COURSE, "success"),
        ("bob@example.com", RUN, "pending"),
        ("bob@example.com", BY_COURSE, "pending"),
    ]


def test_a_job_up_to_the_in_request_size_still_runs_in_the_request(
    holders, settings, django_capture_on_commit_callbacks
):
    settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS = 4
    with django_capture_on_commit_callbacks(execute=True):
        job = create(holders, None, [RUN, BY_COURSE], subscription_uuid=holders.plan.uuid, enroll_all=True)

    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED


@pytest.mark.slow
def test_a_plan_of_100000_holders_is_recorded_in_a_constant_number_of_queries(world):
    License.objects.bulk_create(
        (License(plan=world.plan, status="assigned", user_email=f"learner{i:06}@example.com") for i in range(100_000)),
        batch_size=5000,
    )

    started = time.monotonic()
    with CaptureQueriesContext(connection) as captured:
        job = create(world, None, [RUN, BY_COURSE], subscription_uuid=world.plan.uuid, enroll_all=True)
    elapsed = time.monotonic() - started

    assert len(captured) <= 6
    assert BulkEnrollmentJobRow.objects.filter(job=job).count() == 200_000
    first, second, *_ = BulkEnrollmentJobRow.objects.filter(job=job).order_by("id")[:3]
    assert (first.email, first.course_run_key, second.email, second.course_run_key) == (
        "learner000000@example.com", RUN, "learner000000@example.com", BY_COURSE,
    )  # fmt: skip
    assert elapsed < 20, f"recording 200,000 rows took {elapsed:.1f} s"
    print(f"\nenroll_all: 100,000 holders x 2 runs recorded in {elapsed:.2f} s, {len(captured)} queries")
