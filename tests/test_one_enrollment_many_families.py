"""One learner, one course run, four API families: one Enrollment row whose history names each.

The same enrollment service stands behind every family (ARCHITECTURE.md, "The idea in one
picture"; STYLE.md §5 "A test drives the same input through two families"). Against the demo data,
with the demo clients' real tokens, a new learner is enrolled through the Open edX Enrollment API,
unenrolled by Appsembler bulk-enroll, enrolled again with an Appsembler enrollment code, unenrolled
again, and enrolled in the licensed mode by an Enterprise bulk license enrollment job; the
Enrollment API then reads the result.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import license_activate

RUN = "course-v1:HarvardX+FIH+3T2023"  # in customer A's catalog; offers audit and verified
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
LEARNER = {"username": "crossfamily", "password": "edx", "email": "crossfamily@example.com", "name": "Cross Family"}


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo data set, and an APIClient per demo role holding that client's real token."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    credentials = json.loads(out.getvalue())

    def client(role: str, *, scheme: str = "Bearer", **extra) -> APIClient:
        c = credentials[role]
        form = {"grant_type": "client_credentials", "client_id": c["client_id"], "client_secret": c["client_secret"]}
        response = APIClient().post("/oauth2/access_token", {**form, **extra})
        assert response.status_code == 200, response.content
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"{scheme} {response.json()['access_token']}")
        return api

    return client


def test_one_enrollment_carries_the_history_of_every_family_that_changed_it(demo, django_capture_on_commit_callbacks):
    staff = demo("staff")
    admin = demo("enterprise_admin", scheme="JWT", token_type="jwt")

    # Appsembler: the account.
    response = staff.post("/appsembler_api/v0/accounts/create", LEARNER, format="json")
    assert response.status_code == 200, response.content

    # Open edX Enrollment API: staff enrolls the learner (audit, the run's default).
    body = {"course_details": {"course_id": RUN}, "user": LEARNER["username"]}
    response = staff.post("/api/enrollment/v1/enrollment", body, format="json")
    assert (response.status_code, response.json()["mode"], response.json()["is_active"]) == (200, "audit", True)

    # Appsembler bulk-enroll: unenroll by e-mail.
    bulk = {"action": "unenroll", "identifiers": LEARNER["email"], "courses": RUN}
    response = staff.post("/appsembler_api/v0/bulk-enrollment/bulk-enroll", bulk, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["courses"][RUN]["results"][0]["after"]["enrollment"] is False

    # Appsembler enrollment code: a fresh code enrolls the learner again.
    response = staff.post(
        "/appsembler_api/v0/enrollment-codes/generate",
        {"course_id": RUN, "total_registration_codes": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    code = response.json()["codes"][0]
    response = staff.post(
        "/appsembler_api/v0/enrollment-codes/enroll-user",
        {"email": LEARNER["email"], "enrollment_code": code},
        format="json",
    )
    assert (response.status_code, response.json()) == (200, {"success": "true"})

    # Appsembler bulk-enroll again: unenrolled once more.
    response = staff.post("/appsembler_api/v0/bulk-enrollment/bulk-enroll", bulk, format="json")
    assert response.json()["courses"][RUN]["results"][0]["after"]["enrollment"] is False

    # Enterprise: customer A's admin assigns a license; the learner activates it (no API for that
    # yet); a bulk license enrollment job enrolls the learner in the mode the license pays for.
    response = admin.post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/assign",
        {"user_emails": [LEARNER["email"]], "notify_users": False},
        format="json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    license = License.objects.get(plan_id=PLAN_A, user_email=LEARNER["email"])
    learner = Enrollment.objects.get(user__username=LEARNER["username"]).user
    license_activate(license=license, user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}",
            {"emails": [LEARNER["email"]], "course_run_keys": [RUN], "notify": False},
            format="json",
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201, response.content
    job_id = response.json()["job_id"]
    response = admin.get(
        f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={job_id}",
        HTTP_ACCEPT="application/json",
    )
    assert [row["status"] for row in response.json()["results"]] == ["success"]

    # One row, and its history tells the whole story.
    enrollment = Enrollment.objects.get(user__username=LEARNER["username"])
    assert (enrollment.course_run.key, enrollment.mode, enrollment.is_active) == (RUN, "verified", True)
    assert Enrollment.objects.filter(user=enrollment.user).count() == 1
    history = list(EnrollmentHistory.objects.filter(enrollment=enrollment).values_list("mode", "is_active", "source"))
    assert history == [
        ("audit", True, Source.EDX_API),
        ("audit", False, Source.APPSEMBLER),
        ("audit", True, Source.ENROLLMENT_CODE),
        ("audit", False, Source.APPSEMBLER),
        ("verified", True, Source.ENTERPRISE),
    ]

    # The Enrollment API reads the same row.
    response = staff.get(f"/api/enrollment/v1/enrollment/{LEARNER['username']},{RUN}")
    assert (response.status_code, response.json()["mode"], response.json()["is_active"]) == (200, "verified", True)
