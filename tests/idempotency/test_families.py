"""Every API family's state-changing POST, replayed with its Idempotency-Key (issue 14 §4): the same
status, body and kept headers, ``Idempotent-Replayed: true``, and the database changed once.

The Jitterbit family has no POST (its two endpoints are GET lists). Refusals of a key are in each
family's error shape (the Enterprise family's XML by default).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.events.models import ApprenticeshipEvent
from tests.api.enterprise.jobs_support import BODY as JOB_BODY
from tests.api.enterprise.jobs_support import POST_A, license_world
from tests.idempotency.conftest import REPLAYED, keyed
from tests.idempotency.support import EVENT, post_event

EDX_ENROLL = "/api/enrollment/v1/enrollment"
COURSE = "course-v1:Org+Num+Run"
ACCOUNT = {"username": "staff55", "password": "edx", "email": "staff55@example.com", "name": "stafftest"}
CREATE_ACCOUNT = "/appsembler_api/v0/accounts/create"


def assert_replayed(first, again) -> None:
    assert REPLAYED not in first
    assert again[REPLAYED] == "true"
    assert (again.status_code, again.content, again["Content-Type"]) == (
        first.status_code, first.content, first["Content-Type"],
    )  # fmt: skip


def test_edx_enrollment_post_is_replayed_without_running_again(client_for, learner, make_run):
    make_run(COURSE)
    client = client_for(learner)
    body = {"course_details": {"course_id": COURSE}}
    first = client.post(EDX_ENROLL, body, format="json", **keyed("enroll-honor-1"))
    assert first.status_code == 200
    # Changed behind the key's back: a handler that ran again would answer (and store) the new state.
    Enrollment.objects.filter(user=learner).update(is_active=False)

    again = client.post(EDX_ENROLL, body, format="json", **keyed("enroll-honor-1"))

    assert_replayed(first, again)
    assert again.json()["is_active"] is True
    assert Enrollment.objects.get(user=learner).is_active is False
    assert EnrollmentHistory.objects.filter(enrollment__user=learner).count() == 1


def test_appsembler_account_creation_is_replayed(staff, client_for):
    client = client_for(staff)
    first = client.post(CREATE_ACCOUNT, ACCOUNT, format="json", **keyed("create-staff55"))
    assert first.status_code == 200

    again = client.post(CREATE_ACCOUNT, ACCOUNT, format="json", **keyed("create-staff55"))

    assert_replayed(first, again)
    assert User.objects.filter(username="staff55").count() == 1
    # Without the key the same request runs, and the contract's 409 says the account exists.
    assert client.post(CREATE_ACCOUNT, ACCOUNT, format="json").status_code == 409


@pytest.fixture
def jobs_world(enterprise_world, make_run, make_user):
    return license_world(enterprise_world, make_run, make_user)


def test_enterprise_bulk_license_enrollment_is_replayed(jobs_world):
    client = jobs_world.client("admin_a")
    first = client.post(POST_A, JOB_BODY, format="json", **keyed("job-2024-06-01"))
    assert first.status_code == 201

    again = client.post(POST_A, JOB_BODY, format="json", **keyed("job-2024-06-01"))

    assert_replayed(first, again)
    assert BulkEnrollmentJob.objects.count() == 1
    assert again.json()["job_id"] == str(BulkEnrollmentJob.objects.get().uuid)


def test_enterprise_xml_answer_is_replayed_as_xml(jobs_world):
    client = jobs_world.client("admin_a", accept=None)
    first = client.post(POST_A, JOB_BODY, format="json", **keyed("job-xml"))
    assert first.status_code == 201 and "xml" in first["Content-Type"]

    again = client.post(POST_A, JOB_BODY, format="json", **keyed("job-xml"))

    assert_replayed(first, again)
    assert BulkEnrollmentJob.objects.count() == 1


def test_apprenticeship_event_is_stored_once_and_its_location_replayed(events_writer):
    first = post_event(events_writer, "event-444-1")
    assert first.status_code == 201

    again = post_event(events_writer, "event-444-1")

    assert_replayed(first, again)
    assert again["Location"] == first["Location"]
    assert ApprenticeshipEvent.objects.count() == 1


@pytest.mark.parametrize("path", ["/api/events/engagements", "/api/events/create"])
def test_other_event_kinds_accept_the_key(client_for_roles, path):
    client = client_for_roles("StoreAgreementEvent", "WriteGenericEvent")
    body = _kind_body(path)
    first = post_event(client, "kind-1", body, path=path)
    assert first.status_code == 201, first.content

    again = post_event(client, "kind-1", body, path=path)

    assert_replayed(first, again)


def _kind_body(path: str) -> dict:
    if path.endswith("create"):
        return {"type": "demo.ping", "resourceType": "demo", "resourceId": "1", "payload": "{}"}
    return {"event": "Agreement signed", "providerId": "10005077", "contractType": "ProviderAgreement"}


# --- the key's own refusals, in each family's shape ------------------------------------------------


def test_bad_key_is_a_400_in_the_edx_shape(client_for, learner, make_run):
    make_run(COURSE)
    response = client_for(learner).post(
        EDX_ENROLL, {"course_details": {"course_id": COURSE}}, format="json", **keyed("x" * 256)
    )

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["Must be 1 to 255 printable ASCII characters."]}
    assert not Enrollment.objects.exists()


def test_reused_key_is_a_422_in_the_edx_shape(client_for, learner, make_run):
    make_run(COURSE)
    client = client_for(learner)
    client.post(EDX_ENROLL, {"course_details": {"course_id": COURSE}}, format="json", **keyed("k"))

    response = client.post(
        EDX_ENROLL, {"course_details": {"course_id": COURSE}, "mode": "honor"}, format="json", **keyed("k")
    )

    assert response.status_code == 422
    assert set(response.json()) == {"message"}


def test_refusals_are_xml_by_default_in_the_enterprise_family(jobs_world):
    client = jobs_world.client("admin_a", accept=None)
    bad = client.post(POST_A, JOB_BODY, format="json", **keyed("bad\x01key"))
    assert bad.status_code == 400
    assert "xml" in bad["Content-Type"]
    ET.fromstring(bad.content)  # well-formed
    client.post(POST_A, JOB_BODY, format="json", **keyed("job-a"))

    reused = client.post(POST_A, {**JOB_BODY, "notify": True}, format="json", **keyed("job-a"))

    assert reused.status_code == 422
    assert ET.fromstring(reused.content).find("detail") is not None
    assert BulkEnrollmentJob.objects.count() == 1


def test_refusals_are_detail_bodies_in_the_events_family(events_writer):
    post_event(events_writer, "k")

    response = post_event(events_writer, "k", {**EVENT, "apprenticeshipId": 445})

    assert response.status_code == 422
    assert set(response.json()) == {"detail"}
    assert ApprenticeshipEvent.objects.count() == 1


def test_webhook_subscription_creation_is_replayed(staff, client_for, settings):
    from coursegate.webhooks.models import WebhookSubscription

    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = True
    client = client_for(staff)
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["coursegate.enrollment.created"]}
    first = client.post("/api/webhooks/v1/subscriptions", body, format="json", **keyed("subscribe-1"))
    assert first.status_code == 201, first.content

    again = client.post("/api/webhooks/v1/subscriptions", body, format="json", **keyed("subscribe-1"))

    assert_replayed(first, again)
    assert WebhookSubscription.objects.count() == 1
