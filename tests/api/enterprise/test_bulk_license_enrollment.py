"""Contract tests of POST /enterprise/v1/bulk-license-enrollment (seed 003_daa74488a5860cfd.txt,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8; issue 4), and who may call the
endpoint (POST and GET). GET (job status, progress and results as XML, JSON or CSV):
test_bulk_license_enrollment_job.py.

Jobs run in-process (no broker): the job starts after the request's commit, so requests that must
run their job are wrapped in ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B
from tests.api.enterprise.jobs_support import (
    BODY,
    FIH,
    NOT_FOUND,
    PATH,
    PLAN_A,
    POST_A,
    SPORT,
    job_of,
    job_url,
    license_world,
)
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    check,
    matrix,
    send,
)


@pytest.fixture
def world(enterprise_world, make_run, make_user):
    return license_world(enterprise_world, make_run, make_user)


# --- permissions ---------------------------------------------------------------------------------

# One matrix: every operation of the endpoint x every kind of caller. "{job_a}" / "{job_b}" in a path
# are a job of customer A / B, recorded by the test. A job read through a customer that is not its
# own is a 403 even for the operator and that customer's admin.
GET_B_THROUGH_A = f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={{job_b}}"
ENDPOINTS = [
    Endpoint("post", "post", POST_A, BODY, expect={"admin_a": 201, "operator": 201}),
    Endpoint("get", "get", f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={{job_a}}"),
    Endpoint("get-B-job-through-A", "get", GET_B_THROUGH_A, expect={"admin_a": FORBIDDEN, "operator": FORBIDDEN}),
    Endpoint(
        "get-B-job",
        "get",
        f"{PATH}?enterprise_customer_uuid={CUSTOMER_B}&bulk_enrollment_job_uuid={{job_b}}",
        expect={"admin_a": FORBIDDEN, "admin_b": 200},
    ),
]
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": FORBIDDEN,  # a learner of the customer
    "admin_b": FORBIDDEN,  # another customer's admin
    "staff": FORBIDDEN,  # staff without an enterprise role
    "admin_a": 200,
    "operator": 200,
}


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(world, endpoint, caller, expected):
    jobs = {}
    if "{job_a}" in endpoint.path:
        jobs["job_a"] = job_of(world)
    if "{job_b}" in endpoint.path:
        jobs["job_b"] = job_of(world, customer=world.customer_b, keys=(SPORT,))
    path = endpoint.path.format(**{name: job.uuid for name, job in jobs.items()})

    response = send(world.client(None if caller == ANONYMOUS else caller), replace(endpoint, path=path))

    check(response, expected)
    if endpoint.method == "post" and expected.status == 201:
        assert BulkEnrollmentJob.objects.get().requested_by == world.users[caller]
    elif endpoint.method == "post":
        assert not BulkEnrollmentJob.objects.exists()
    elif expected.status == 200:
        assert response.json()["job_id"] == str(next(iter(jobs.values())).uuid)


# --- POST: the contract and its side effects -----------------------------------------------------


def test_post_answers_201_with_a_uuid4_job_id_and_runs_the_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(POST_A, BODY, format="json")

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["job_id"]
    job_id = uuid.UUID(response.json()["job_id"])
    assert job_id.version == 4
    job = BulkEnrollmentJob.objects.get(pk=job_id)
    assert (job.customer_id, job.status, job.notify, job.subscription_uuid) == (
        uuid.UUID(CUSTOMER_A), "succeeded", False, None,
    )  # fmt: skip
    assert list(
        BulkEnrollmentJobRow.objects.filter(job=job).values_list("email", "course_run_key", "result", "notes")
    ) == [
        ("ann@example.com", FIH, "success", ""),
        ("ann@example.com", SPORT, "success", ""),
        ("bob@example.com", FIH, "pending", "pending license activation"),
        ("bob@example.com", SPORT, "pending", "pending license activation"),
        ("cid@example.com", FIH, "failed", "missing subscription"),
        ("cid@example.com", SPORT, "failed", "missing subscription"),
    ]
    assert sorted(Enrollment.objects.values_list("user__username", "course_run__key", "mode", "is_active")) == [
        ("ann", FIH, "verified", True),  # the license pays for the best mode the run offers
        ("ann", SPORT, "audit", True),
    ]
    learner = EnterpriseLearner.objects.get(customer=world.customer_a, email="ann@example.com")
    assert learner.user == world.ann
    assert sorted(EnterpriseEnrollment.objects.values_list("customer", "learner", "enrollment__course_run__key")) == [
        (uuid.UUID(CUSTOMER_A), learner.pk, FIH),
        (uuid.UUID(CUSTOMER_A), learner.pk, SPORT),
    ]


def test_post_answers_xml_by_default(world):
    response = world.client("admin_a", accept=None).post(POST_A, BODY, format="json")

    assert (response.status_code, response["Content-Type"]) == (201, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.tag == "root"
    assert root.findtext("job_id") == str(BulkEnrollmentJob.objects.get().uuid)


def test_post_with_a_subscription_uuid_records_it_on_the_job(world):
    response = world.client("admin_a").post(f"{POST_A}&subscription_uuid={PLAN_A}", BODY, format="json")

    assert response.status_code == 201
    assert str(BulkEnrollmentJob.objects.get().subscription_uuid) == PLAN_A


def test_post_with_notify_mails_the_enrolled_learners(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(POST_A, {**BODY, "notify": True}, format="json")

    assert response.status_code == 201
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ann@example.com"], "You have been enrolled through Customer A")
    ]


BAD_INPUT = [
    pytest.param(PATH, BODY, {"enterprise_customer_uuid": ["This field is required."]}, id="no-customer"),
    pytest.param(
        f"{PATH}?enterprise_customer_uuid=abcd-aeiou-wxyz",  # the seed's example value
        BODY,
        {"enterprise_customer_uuid": ["Must be a valid UUID."]},
        id="malformed-customer",
    ),
    pytest.param(
        f"{POST_A}&subscription_uuid=nope", BODY, {"subscription_uuid": ["Must be a valid UUID."]}, id="bad-plan-uuid"
    ),
    pytest.param(
        f"{POST_A}&subscription_uuid={uuid.UUID(int=7)}",
        BODY,
        {"subscription_uuid": [f"{uuid.UUID(int=7)} is not a subscription plan of this customer."]},
        id="unknown-plan",
    ),
    pytest.param(
        POST_A,
        {},
        {
            "emails": ["This field is required."],
            "course_run_keys": ["This field is required."],
            "notify": ["This field is required."],
        },
        id="empty-body",
    ),
    pytest.param(
        POST_A,
        {**BODY, "emails": [], "course_run_keys": []},
        {"emails": ["This list may not be empty."], "course_run_keys": ["This list may not be empty."]},
        id="empty-lists",
    ),
    pytest.param(
        POST_A,
        {**BODY, "emails": "ann@example.com"},
        {"emails": ['Expected a list of items but got type "str".']},
        id="emails-not-a-list",
    ),
    pytest.param(POST_A, {**BODY, "notify": "maybe"}, {"notify": ["Must be a valid boolean."]}, id="notify-not-bool"),
    pytest.param(
        POST_A,
        {**BODY, "emails": ["ann@example.com", "not-an-email"]},
        {"emails": ["Enter a valid email address: 'not-an-email'."]},
        id="invalid-email",
    ),
    pytest.param(
        POST_A,
        {**BODY, "course_run_keys": [FIH, "testX"]},  # the seed's example key
        {"course_run_keys": ["Not a valid course run key: 'testX'."]},
        id="malformed-key",
    ),
    pytest.param(
        POST_A,
        [BODY],  # what the gateway's tests send
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        id="array-body",
    ),
]


@pytest.mark.parametrize(("url", "body", "errors"), BAD_INPUT)
def test_post_refuses_bad_input_with_400_and_records_nothing(world, url, body, errors):
    response = world.client("admin_a").post(url, body, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not BulkEnrollmentJob.objects.exists()


def test_post_allows_emails_plus_keys_up_to_the_limit_of_1000(world):
    emails = [f"learner{i}@example.com" for i in range(998)]

    response = world.client("admin_a").post(POST_A, {**BODY, "emails": emails, "course_run_keys": [FIH, SPORT]},
                                            format="json")  # fmt: skip

    assert response.status_code == 201
    assert BulkEnrollmentJobRow.objects.count() == 998 * 2


def test_post_over_the_limit_is_a_400_and_records_nothing(world):
    emails = [f"learner{i}@example.com" for i in range(999)]

    response = world.client("admin_a").post(POST_A, {**BODY, "emails": emails, "course_run_keys": [FIH, SPORT]},
                                            format="json")  # fmt: skip

    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": [
            "Too many provided enrollments, please try a smaller request: "
            "1001 e-mails and course run keys, the limit is 1000."
        ]},
    )  # fmt: skip
    assert not BulkEnrollmentJob.objects.exists()


def test_the_limit_is_configurable(world, settings):
    settings.COURSEGATE_BULK_ENROLL_LIMIT = 4

    response = world.client("admin_a").post(POST_A, {**BODY, "course_run_keys": [FIH, SPORT]}, format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].endswith("5 e-mails and course run keys, the limit is 4.")


def test_post_for_an_unknown_customer_is_a_404(world):
    response = world.client("operator").post(f"{PATH}?enterprise_customer_uuid={uuid.UUID(int=1)}", BODY, format="json")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_post_works_without_a_trailing_slash_and_with_one(world):
    response = world.client("admin_a").post(f"{PATH}/?enterprise_customer_uuid={CUSTOMER_A}", BODY, format="json")

    assert response.status_code == 201


def test_post_asked_for_as_csv_answers_in_xml(world):
    response = world.client("admin_a", accept="text/csv").post(POST_A, BODY, format="json")

    assert (response.status_code, response["Content-Type"]) == (201, "application/xml; charset=utf-8")
    assert ET.fromstring(response.content).findtext("job_id") == str(BulkEnrollmentJob.objects.get().uuid)


def test_a_job_that_breaks_still_answers_201_and_reads_as_failed(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from coursegate.enterprise_jobs import runner

    def broken(**kwargs):
        raise RuntimeError("enrollment store unavailable")

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(POST_A, BODY, format="json")

    assert response.status_code == 201
    body = world.client("admin_a").get(job_url(BulkEnrollmentJob.objects.get())).json()
    assert (body["status"], body["error"]) == ("failed", "RuntimeError: enrollment store unavailable")
    assert body["progress"] == {"total": 6, "processed": 6, "succeeded": 0, "pending": 0, "failed": 6}
    assert not Enrollment.objects.exists()


def test_post_accepts_a_form_encoded_body(world):
    response = world.client("admin_a").post(
        POST_A, {"emails": ["ann@example.com", "bob@example.com"], "course_run_keys": [FIH], "notify": "true"}
    )

    assert response.status_code == 201
    job = BulkEnrollmentJob.objects.get()
    assert job.notify is True
    assert list(BulkEnrollmentJobRow.objects.values_list("email", flat=True)) == ["ann@example.com", "bob@example.com"]
