"""Contract tests of GET /enterprise/v1/bulk-license-enrollment (seed 003_daa74488a5860cfd.txt,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8; issue 4: job status, progress and
results readable with GET, as XML, JSON or CSV). POST and who may call: test_bulk_license_enrollment.py.

Jobs run in-process (no broker): the job starts after the request's commit, so requests that must
run their job are wrapped in ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from tests.api.enterprise.conftest import CUSTOMER_A
from tests.api.enterprise.jobs_support import (
    BODY,
    FIH,
    NOT_FOUND,
    PATH,
    SPORT,
    iso,
    job_of,
    job_url,
    license_world,
)


@pytest.fixture
def world(enterprise_world, make_run, make_user):
    return license_world(enterprise_world, make_run, make_user)


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

    # customer, job, progress counts, rows (+ the credential's user and the caller's roles)
    with django_assert_num_queries(6):
        response = client.get(job_url(job))

    assert len(response.json()["results"]) == pairs


def test_the_job_body_has_exactly_the_fields_the_openapi_document_describes(world):
    from coursegate.api.enterprise.serializers.jobs import JobOutput, JobProgressOutput, JobResultOutput

    body = world.client("admin_a").get(job_url(job_of(world))).json()

    assert list(body) == list(JobOutput().fields)
    assert list(body["progress"]) == list(JobProgressOutput().fields)
    assert list(body["results"][0]) == list(JobResultOutput().fields)
