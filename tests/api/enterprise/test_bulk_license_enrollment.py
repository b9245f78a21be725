"""Contract tests of POST/GET /enterprise/v1/bulk-license-enrollment (seed 003_daa74488a5860cfd.txt,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8; issue 4: job status, progress and
results readable with GET, as XML, JSON or CSV).

Jobs run in-process (no broker): the job starts after the request's commit, so requests that must
run their job are wrapped in ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B
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

PATH = "/enterprise/v1/bulk-license-enrollment"
POST_A = f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}"
FIH = "course-v1:HarvardX+FIH+3T2023"  # in catalog A; offers audit and verified
SPORT = "course-v1:MyUni+Sport101x"  # in catalogs A and B
TR = "course-v1:edx+tr1012+1T2021"  # in catalog A
NOT_FOUND = {"detail": "Not found."}
PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"


def iso(value) -> str:
    return serializers.DateTimeField().to_representation(value)


def job_url(job, customer: str = CUSTOMER_A) -> str:
    return f"{PATH}?enterprise_customer_uuid={customer}&bulk_enrollment_job_uuid={job.uuid}"


@pytest.fixture
def world(enterprise_world, make_run, make_user):
    """Catalog A's runs as real course runs, plans of A and B, and license holders of A:
    ann (activated), bob (assigned); cid has no license."""
    world = enterprise_world
    make_run(FIH, modes=("audit", "verified"))
    make_run(SPORT, modes=("audit",))
    make_run(TR, modes=("audit",))
    dates = {"start_date": datetime(2024, 1, 1, tzinfo=UTC), "expiration_date": datetime(2099, 12, 31, tzinfo=UTC)}
    world.plan_a = plan_upsert(uuid=PLAN_A, customer=world.customer_a, catalog=world.catalog_a, title="A",
                               num_licenses=0, **dates)  # fmt: skip
    world.plan_b = plan_upsert(uuid=uuid.uuid4(), customer=world.customer_b, catalog=world.catalog_b, title="B",
                               num_licenses=0, **dates)  # fmt: skip
    world.ann = make_user("ann")
    License.objects.create(plan=world.plan_a, status="activated", user_email="ann@example.com", lms_user=world.ann)
    License.objects.create(plan=world.plan_a, status="assigned", user_email="bob@example.com")
    return world


def job_of(world, customer=None, emails=("ann@example.com",), keys=(FIH,)):
    return bulk_enrollment_job_create(
        customer=customer or world.customer_a, emails=list(emails), course_run_keys=list(keys), notify=False,
        actor=world.users["admin_a"],
    )  # fmt: skip


BODY = {"emails": ["ann@example.com", "Bob@Example.com", "cid@example.com"], "course_run_keys": [FIH, SPORT],
        "notify": False}  # fmt: skip


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


# --- GET: status, progress, results ------------------------------------------------------------------


def test_get_answers_the_job_with_progress_and_every_row(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(world, emails=BODY["emails"], keys=[FIH, SPORT, "course-v1:Nowhere+X+1"])
    job.refresh_from_db()

    response = world.client("admin_a").get(job_url(job))

    assert response.status_code == 200
    assert response.json() == {
        "job_id": str(job.uuid),
        "status": "succeeded",
        "progress": {"total": 9, "processed": 9, "succeeded": 2, "pending": 2, "failed": 5},
        "results": [
            {"email": "ann@example.com", "course_run_key": FIH, "status": "success", "notes": ""},
            {"email": "ann@example.com", "course_run_key": SPORT, "status": "success", "notes": ""},
            {"email": "ann@example.com", "course_run_key": "course-v1:Nowhere+X+1", "status": "failed",
             "notes": "course run not found"},
            {"email": "bob@example.com", "course_run_key": FIH, "status": "pending",
             "notes": "pending license activation"},
            {"email": "bob@example.com", "course_run_key": SPORT, "status": "pending",
             "notes": "pending license activation"},
            {"email": "bob@example.com", "course_run_key": "course-v1:Nowhere+X+1", "status": "failed",
             "notes": "course run not found"},
            {"email": "cid@example.com", "course_run_key": FIH, "status": "failed", "notes": "missing subscription"},
            {"email": "cid@example.com", "course_run_key": SPORT, "status": "failed", "notes": "missing subscription"},
            {"email": "cid@example.com", "course_run_key": "course-v1:Nowhere+X+1", "status": "failed",
             "notes": "course run not found"},
        ],
        "created": iso(job.created),
        "finished": iso(job.finished),
        "error": None,
    }  # fmt: skip


def test_get_of_a_job_not_yet_run_shows_it_pending_with_queued_rows(world):
    job = job_of(world, emails=["ann@example.com", "bob@example.com"])

    body = world.client("admin_a").get(job_url(job)).json()

    assert (body["status"], body["finished"]) == ("pending", None)
    assert body["progress"] == {"total": 2, "processed": 0, "succeeded": 0, "pending": 0, "failed": 0}
    assert [row["status"] for row in body["results"]] == ["queued", "queued"]


def test_get_of_a_failed_job_shows_the_error(world):
    job = job_of(world)
    BulkEnrollmentJob.objects.filter(pk=job.pk).update(status="failed", error="RuntimeError: boom")

    body = world.client("admin_a").get(job_url(job)).json()

    assert (body["status"], body["error"]) == ("failed", "RuntimeError: boom")


def test_get_answers_xml_by_default(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(world, emails=["ann@example.com", "bob@example.com"])

    response = world.client("admin_a", accept=None).get(job_url(job))

    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert (root.findtext("job_id"), root.findtext("status")) == (str(job.uuid), "succeeded")
    assert root.findtext("progress/succeeded") == "1" and root.findtext("progress/pending") == "1"
    rows = [(item.findtext("email"), item.findtext("status")) for item in root.findall("results/list-item")]
    assert rows == [("ann@example.com", "success"), ("bob@example.com", "pending")]


CSV = (
    "email,course_run_key,status,notes\r\n"
    f"ann@example.com,{FIH},success,\r\n"
    f"bob@example.com,{FIH},pending,pending license activation\r\n"
)


@pytest.mark.parametrize(
    ("suffix", "accept"),
    [("&format=csv", None), ("&format=csv", "*/*"), ("", "text/csv")],
    ids=["format-param", "format-param-any-accept", "accept-header"],
)
def test_get_answers_the_results_as_csv(world, django_capture_on_commit_callbacks, suffix, accept):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(world, emails=["ann@example.com", "bob@example.com"])

    response = world.client("admin_a", accept=accept).get(job_url(job) + suffix)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="bulk-enrollment-{job.uuid}.csv"'
    assert response.content.decode() == CSV


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(world):
    job = job_of(world, emails=["=cmd@example.com"])

    response = world.client("admin_a", accept="text/csv").get(job_url(job))

    assert response.content.decode().splitlines()[1] == f"'=cmd@example.com,{FIH},queued,"


def test_an_error_asked_for_as_csv_comes_as_xml(world):
    response = world.client("admin_a", accept="text/csv").get(
        f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={uuid.UUID(int=3)}"
    )

    assert (response.status_code, response["Content-Type"]) == (404, "application/xml; charset=utf-8")
    assert ET.fromstring(response.content).findtext("detail") == "Not found."


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        pytest.param(
            f"enterprise_customer_uuid={CUSTOMER_A}",
            400,
            {"bulk_enrollment_job_uuid": ["This field is required."]},
            id="no-job",
        ),
        pytest.param(
            f"enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid=42",
            400,
            {"bulk_enrollment_job_uuid": ["Must be a valid UUID."]},
            id="malformed-job",
        ),
        pytest.param(
            f"bulk_enrollment_job_uuid={uuid.UUID(int=3)}",
            400,
            {"enterprise_customer_uuid": ["This field is required."]},
            id="no-customer",
        ),
        pytest.param(
            f"enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={uuid.UUID(int=3)}",
            404,
            NOT_FOUND,
            id="unknown-job",
        ),
        pytest.param(
            f"enterprise_customer_uuid={uuid.UUID(int=1)}&bulk_enrollment_job_uuid={uuid.UUID(int=3)}",
            404,
            NOT_FOUND,
            id="unknown-customer",
        ),
    ],
)
def test_get_refuses_bad_queries(world, query, status, body):
    response = world.client("admin_a").get(f"{PATH}?{query}")

    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("pairs", [1, 40])
def test_get_costs_the_same_queries_whatever_the_number_of_rows(world, django_assert_num_queries, pairs):
    job = job_of(
        world, emails=[f"l{i}@example.com" for i in range(pairs // 2 or 1)], keys=[FIH, SPORT][: min(pairs, 2)]
    )
    client = world.client("admin_a")
    client.get(job_url(job))  # the first request of a token warms the caches of the authentication

    # customer, job, progress counts, rows (+ the credential's user)
    with django_assert_num_queries(5):
        response = client.get(job_url(job))

    assert len(response.json()["results"]) == pairs


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


def test_the_job_body_has_exactly_the_fields_the_openapi_document_describes(world):
    from coursegate.api.enterprise.serializers.jobs import JobOutput, JobProgressOutput, JobResultOutput

    body = world.client("admin_a").get(job_url(job_of(world))).json()

    assert list(body) == list(JobOutput().fields)
    assert list(body["progress"]) == list(JobProgressOutput().fields)
    assert list(body["results"][0]) == list(JobResultOutput().fields)
