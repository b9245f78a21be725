"""Creating a bulk license enrollment job: validation up front, one queued row per pair
(enterprise_jobs.services.bulk_enrollment_job_create; seed 003 "bulk-license-enrollment";
reference/enterprise.md §4.8, §5.3)."""

from __future__ import annotations

import pytest

from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise_jobs.exceptions import BulkEnrollmentRequestInvalidError
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from tests.enterprise_jobs.conftest import BY_COURSE, RUN, Status, create, rows

# --- creating a job: validation up front, one row per pair --------------------------------------


def test_create_records_one_queued_row_per_pair_with_emails_lowercased_and_deduplicated(world):
    job = create(world, ["Ann@Example.com", "bob@example.com", "ann@example.COM"], [RUN, BY_COURSE, RUN])

    assert job.status == Status.PENDING
    assert job.customer == world.customer and job.requested_by == world.admin and job.notify is False
    assert rows(job) == [
        ("ann@example.com", RUN, "queued", ""),
        ("ann@example.com", BY_COURSE, "queued", ""),
        ("bob@example.com", RUN, "queued", ""),
        ("bob@example.com", BY_COURSE, "queued", ""),
    ]


def test_create_schedules_the_job_after_commit_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(world, ["ann@example.com"], [RUN])

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Status.PENDING


@pytest.mark.parametrize(
    ("emails", "keys", "errors"),
    [
        (
            ["ann@example.com", "not-an-email", "bob@"],
            [RUN],
            {"emails": ["Enter a valid email address: 'not-an-email'.", "Enter a valid email address: 'bob@'."]},
        ),
        (
            ["ann@example.com"],
            [RUN, "testX", "edX+DemoX"],
            {"course_run_keys": ["Not a valid course run key: 'testX'.", "Not a valid course run key: 'edX+DemoX'."]},
        ),
        ([], [RUN], {"emails": ["This list may not be empty."]}),
        (["ann@example.com"], [], {"course_run_keys": ["This list may not be empty."]}),
        ([f"{'a' * 250}@example.com"], [RUN], {"emails": [f"Enter a valid email address: '{'a' * 250}@example.com'."]}),
    ],
    ids=["invalid e-mails", "malformed keys", "no e-mails", "no keys", "e-mail too long"],
)
def test_create_refuses_invalid_input_and_records_nothing(world, emails, keys, errors):
    with pytest.raises(BulkEnrollmentRequestInvalidError) as caught:
        create(world, emails, keys)

    assert caught.value.errors == errors
    assert not BulkEnrollmentJob.objects.exists()
    assert not BulkEnrollmentJobRow.objects.exists()


def test_create_allows_emails_plus_keys_up_to_the_limit_and_refuses_one_more(world, settings):
    settings.COURSEGATE_BULK_ENROLL_LIMIT = 5
    job = create(world, [f"l{i}@example.com" for i in range(3)], [RUN, BY_COURSE])
    assert BulkEnrollmentJobRow.objects.filter(job=job).count() == 6

    with pytest.raises(BulkEnrollmentRequestInvalidError) as caught:
        create(world, [f"l{i}@example.com" for i in range(4)], [RUN, BY_COURSE])

    assert caught.value.errors == {
        "non_field_errors": [
            "Too many provided enrollments, please try a smaller request: "
            "6 e-mails and course run keys, the limit is 5."
        ]
    }
    assert BulkEnrollmentJob.objects.count() == 1


def test_create_refuses_a_subscription_plan_of_another_customer(world):
    foreign = world.make_plan(world.other, world.other_catalog)

    with pytest.raises(BulkEnrollmentRequestInvalidError) as caught:
        create(world, ["ann@example.com"], [RUN], subscription_uuid=foreign.uuid)

    assert caught.value.errors == {
        "subscription_uuid": [f"{foreign.uuid} is not a subscription plan of this customer."]
    }
    assert not BulkEnrollmentJob.objects.exists()


def test_more_pairs_than_the_cap_are_refused_and_nothing_is_recorded(settings, db):
    settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS = 6
    customer = EnterpriseCustomer.objects.create(name="Capped", slug="capped")
    emails = [f"learner{i}@example.com" for i in range(3)]
    keys = ["course-v1:Org+A+Run", "course-v1:Org+B+Run", "course-v1:Org+C+Run"]

    with pytest.raises(BulkEnrollmentRequestInvalidError) as refused:
        bulk_enrollment_job_create(customer=customer, emails=emails, course_run_keys=keys, notify=False, actor=None)

    assert "3 e-mails x 3 course runs is more than 6 enrollments" in refused.value.errors["non_field_errors"][0]
    assert not BulkEnrollmentJob.objects.exists()
