"""Contract tests of POST /enterprise/v1/bulk-license-enrollment with ``enroll_all`` (reference/
enterprise.md §4.8; issue 12 "Parity"): the learners are every assigned or activated license
holder of ``subscription_uuid`` instead of the posted e-mails; ``enroll_all`` without a plan is a 400
``{"subscription_id": ["This field is required when enroll_all is provided"]}``.

The plan of customer A (``license_world``): ann activated, bob assigned; the tests add a revoked
and an unassigned license, which are not holders.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enrollments.models import Enrollment
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.subscriptions.models import License
from tests.api.enterprise.conftest import CUSTOMER_B
from tests.api.enterprise.jobs_support import FIH, NOT_FOUND, PATH, PLAN_A, POST_A, SPORT, license_world
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

ALL_A = f"{POST_A}&subscription_uuid={PLAN_A}&enroll_all=true"
KEYS_ONLY = {"course_run_keys": [FIH, SPORT], "notify": False}
REQUIRED = {"subscription_id": ["This field is required when enroll_all is provided"]}


@pytest.fixture
def world(enterprise_world, make_run, make_user):
    world = license_world(enterprise_world, make_run, make_user)
    License.objects.create(plan=world.plan_a, status="revoked", user_email="rex@example.com")
    License.objects.create(plan=world.plan_a, status="unassigned")
    License.objects.create(plan=world.plan_b, status="activated", user_email="bea@example.com")
    return world


def job_rows():
    return list(BulkEnrollmentJobRow.objects.values_list("email", "course_run_key", "result", "notes"))


# --- permissions ---------------------------------------------------------------------------------

ENDPOINTS = [
    Endpoint("enroll-all", "post", ALL_A, KEYS_ONLY, expect={"admin_a": 201, "operator": 201}),
    Endpoint(
        "enroll-all-B",
        "post",
        f"{PATH}?enterprise_customer_uuid={CUSTOMER_B}&subscription_uuid={{plan_b}}&enroll_all=true",
        KEYS_ONLY,
        expect={"admin_b": 201, "operator": 201},
    ),
    Endpoint(
        "enroll-all-unknown-customer",
        "post",
        f"{PATH}?enterprise_customer_uuid={uuid.UUID(int=1)}&subscription_uuid={PLAN_A}&enroll_all=true",
        KEYS_ONLY,
        expect={"admin_a": 404, "operator": 404, "admin_b": 404, "learner_a": 404, "staff": 404},
    ),
]
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": FORBIDDEN,
    "admin_b": FORBIDDEN,  # another customer's admin (and admin_a on customer B)
    "admin_a": FORBIDDEN,
    "staff": FORBIDDEN,
    "operator": 201,
}


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(world, endpoint, caller, expected):
    path = endpoint.path.format(plan_b=world.plan_b.uuid)
    endpoint = Endpoint(endpoint.name, endpoint.method, path, endpoint.body)

    response = send(world.client(None if caller == ANONYMOUS else caller), endpoint)

    if expected.status == 404:
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    else:
        check(response, expected)
    if expected.status == 201:
        job = BulkEnrollmentJob.objects.get()
        assert job.requested_by == world.users[caller]
        holder = "bea@example.com" if "B" in endpoint.name else "ann@example.com"
        assert holder in set(BulkEnrollmentJobRow.objects.values_list("email", flat=True))
    else:
        assert not BulkEnrollmentJob.objects.exists()


# --- the job's rows are the plan's holders -------------------------------------------------------


def test_enroll_all_enrolls_every_assigned_or_activated_holder_of_the_plan(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(ALL_A, KEYS_ONLY, format="json")

    assert response.status_code == 201
    job = BulkEnrollmentJob.objects.get(pk=response.json()["job_id"])
    assert (job.status, str(job.subscription_uuid)) == ("succeeded", PLAN_A)
    # Holders in e-mail order, each with its runs in request order; the revoked, the unassigned and
    # another customer's holders are not learners of the job.
    assert job_rows() == [
        ("ann@example.com", FIH, "success", ""),
        ("ann@example.com", SPORT, "success", ""),
        ("bob@example.com", FIH, "pending", "pending license activation"),
        ("bob@example.com", SPORT, "pending", "pending license activation"),
    ]
    assert sorted(Enrollment.objects.values_list("user__username", "course_run__key", "mode")) == [
        ("ann", FIH, "verified"),
        ("ann", SPORT, "audit"),
    ]


def test_enroll_all_ignores_the_posted_emails(world, django_capture_on_commit_callbacks):
    body = {**KEYS_ONLY, "emails": ["cid@example.com", "not-an-email"], "course_run_keys": [SPORT]}
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(ALL_A, body, format="json")

    assert response.status_code == 201
    assert job_rows() == [
        ("ann@example.com", SPORT, "success", ""),
        ("bob@example.com", SPORT, "pending", "pending license activation"),
    ]


def test_enroll_all_false_posts_the_emails_as_usual(world):
    url = f"{POST_A}&subscription_uuid={PLAN_A}&enroll_all=false"
    response = world.client("admin_a").post(url, {**KEYS_ONLY, "emails": ["cid@example.com"]}, format="json")

    assert response.status_code == 201
    assert [row[:2] for row in job_rows()] == [("cid@example.com", FIH), ("cid@example.com", SPORT)]


def test_enroll_all_on_a_plan_without_holders_records_an_empty_job(world, django_capture_on_commit_callbacks):
    License.objects.filter(plan=world.plan_a, status__in=["assigned", "activated"]).update(status="revoked")
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("admin_a").post(ALL_A, KEYS_ONLY, format="json")

    assert response.status_code == 201
    job_id = response.json()["job_id"]
    body = world.client("admin_a").get(f"{POST_A}&bulk_enrollment_job_uuid={job_id}").json()
    assert (body["status"], body["progress"]["total"], body["results"]) == ("succeeded", 0, [])


def test_enroll_all_inserts_the_rows_with_a_constant_number_of_queries(world):
    def queries_for(holders: int) -> int:
        License.objects.filter(plan=world.plan_a, user_email__startswith="many").delete()
        License.objects.bulk_create(
            License(plan=world.plan_a, status="assigned", user_email=f"many{i:05}@example.com") for i in range(holders)
        )
        with CaptureQueriesContext(connection) as captured:
            response = world.client("admin_a").post(ALL_A, KEYS_ONLY, format="json")
        assert response.status_code == 201
        assert BulkEnrollmentJobRow.objects.filter(job_id=response.json()["job_id"]).count() == (holders + 2) * 2
        return len(captured)

    queries_for(1)  # the caller's first request also records its token's user and roles
    assert queries_for(3) == queries_for(600) <= 10


# --- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    pytest.param(f"{POST_A}&enroll_all=true", KEYS_ONLY, REQUIRED, id="no-plan"),
    pytest.param(f"{POST_A}&enroll_all=1", {**KEYS_ONLY, "emails": ["ann@example.com"]}, REQUIRED, id="no-plan-1"),
    pytest.param(
        f"{POST_A}&enroll_all=true",
        {"course_run_keys": ["testX"], "notify": False},
        {"course_run_keys": ["Not a valid course run key: 'testX'."], **REQUIRED},
        id="no-plan-and-bad-key",
    ),
    pytest.param(f"{ALL_A[:-4]}maybe", KEYS_ONLY, {"enroll_all": ["Must be a valid boolean."]}, id="not-a-boolean"),
    pytest.param(
        f"{POST_A}&subscription_uuid={uuid.UUID(int=7)}&enroll_all=true",
        KEYS_ONLY,
        {"subscription_uuid": [f"{uuid.UUID(int=7)} is not a subscription plan of this customer."]},
        id="unknown-plan",
    ),
    pytest.param(ALL_A, {"notify": False}, {"course_run_keys": ["This field is required."]}, id="no-keys"),
    pytest.param(
        ALL_A,
        {**KEYS_ONLY, "emails": "ann@example.com"},
        {"emails": ['Expected a list of items but got type "str".']},
        id="emails-not-a-list",
    ),
    pytest.param(ALL_A, {"course_run_keys": [FIH]}, {"notify": ["This field is required."]}, id="no-notify"),
]


@pytest.mark.parametrize(("url", "body", "errors"), BAD_INPUT)
def test_enroll_all_refuses_bad_input_with_400_and_records_nothing(world, url, body, errors):
    response = world.client("admin_a").post(url, body, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not BulkEnrollmentJob.objects.exists()


def test_enroll_all_with_another_customers_plan_is_a_400(world):
    url = f"{POST_A}&subscription_uuid={world.plan_b.uuid}&enroll_all=true"
    response = world.client("admin_a").post(url, KEYS_ONLY, format="json")

    assert (response.status_code, response.json()) == (
        400, {"subscription_uuid": [f"{world.plan_b.uuid} is not a subscription plan of this customer."]},
    )  # fmt: skip
    assert not BulkEnrollmentJob.objects.exists()


def test_enroll_all_without_a_plan_answers_xml_by_default(world):
    response = world.client("admin_a", accept=None).post(f"{POST_A}&enroll_all=true", KEYS_ONLY, format="json")

    assert response.status_code == 400
    assert b"<subscription_id><list-item>This field is required when enroll_all is provided" in response.content


def test_enroll_all_over_the_pair_cap_is_a_400(world, settings):
    settings.COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS = 3

    response = world.client("admin_a").post(ALL_A, KEYS_ONLY, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": [
            "Too many provided enrollments, please try a smaller request: 2 e-mails x 2 course runs is more than "
            "3 enrollments."
        ]},
    )  # fmt: skip
    assert not BulkEnrollmentJob.objects.exists()
