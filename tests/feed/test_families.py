"""The feed after one enrollment change through each family (issue 14 §2): Enrollment API,
Appsembler bulk enroll and code redemption, an Enterprise bulk job, a policy redemption,
`coursegate import enrollments` and the admin's unenroll action. Each change is read back
through GET /api/events/getSinceEvent with the demo events_reader's token."""

from __future__ import annotations

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from coursegate.accounts.models import User
from coursegate.courses.models import CourseRun
from coursegate.demo.loading import CUSTOMER_A, POLICY_A
from coursegate.enrollments.models import Enrollment
from coursegate.enrollments.services import enrollment_upsert
from coursegate.feed.models import GenericEvent
from tests.feed.support import client_of, cursor, feed_since

FIH = "course-v1:HarvardX+FIH+3T2023"
SPORT = "course-v1:MyUni+Sport101x"
TR1012 = "course-v1:edx+tr1012+1T2021"
API101 = "course-v1:edx+api101+1T2025"


def _enrollment_event(event: dict, *, type: str, user: str, course_id: str, mode: str, active: bool, source: str):
    enrollment = Enrollment.objects.get(user__username=user, course_run__key=course_id)
    assert event["type"] == f"coursegate.enrollment.{type}"
    assert (event["resourceType"], event["resourceId"]) == ("enrollment", str(enrollment.pk))
    payload = event["payload"]
    assert payload == {"user": user, "user_id": enrollment.user_id, "course_id": course_id, "mode": mode,
                       "is_active": active, "source": source, "time": payload["time"]}  # fmt: skip
    assert datetime.fromisoformat(payload["time"]) == enrollment.modified


def test_enrollment_api_post_creates_then_deactivates_and_a_repeat_appends_nothing(demo):
    staff, start = client_of(demo, "staff"), cursor()
    body = {"user": "audit", "mode": "audit", "course_details": {"course_id": FIH}}

    assert staff.post("/api/enrollment/v1/enrollment", body, format="json").status_code == 200
    assert staff.post("/api/enrollment/v1/enrollment", body, format="json").status_code == 200  # unchanged
    [created] = feed_since(demo, start)
    _enrollment_event(created, type="created", user="audit", course_id=FIH, mode="audit", active=True,
                      source="edx_api")  # fmt: skip

    assert staff.post("/api/enrollment/v1/enrollment", {**body, "is_active": False}, format="json").status_code == 200
    [again, deactivated] = feed_since(demo, start)
    assert again == created and deactivated["id"] > created["id"]
    _enrollment_event(deactivated, type="deactivated", user="audit", course_id=FIH, mode="audit", active=False,
                      source="edx_api")  # fmt: skip


def test_appsembler_bulk_enroll(demo, make_user):
    make_user("newcomer")
    start = cursor()
    response = client_of(demo, "staff").post(
        "/appsembler_api/v0/bulk-enrollment/bulk-enroll",
        {"action": "enroll", "auto_enroll": True, "identifiers": "newcomer", "courses": SPORT, "email_students": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    [event] = feed_since(demo, start)
    _enrollment_event(event, type="created", user="newcomer", course_id=SPORT, mode="audit", active=True,
                      source="appsembler")  # fmt: skip


def test_appsembler_code_redemption(demo, make_user):
    make_user("newcomer")
    start = cursor()
    response = client_of(demo, "staff").post(
        "/appsembler_api/v0/enrollment-codes/enroll-user",
        {"email": "newcomer@example.com", "enrollment_code": "V5QBQMN6"},
        format="json",
    )
    assert response.json() == {"success": "true"}, response.content
    [event] = feed_since(demo, start)
    run = CourseRun.objects.get(key="course-v1:edX+DemoX+Demo_Course")
    mode = Enrollment.objects.get(user__username="newcomer", course_run=run).mode
    _enrollment_event(event, type="created", user="newcomer", course_id=run.key, mode=mode, active=True,
                      source="enrollment_code")  # fmt: skip


def test_enterprise_bulk_license_enrollment_job(demo, django_capture_on_commit_callbacks):
    start = cursor()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(demo, "enterprise_admin", jwt=True).post(
            f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}",
            {"emails": ["honor@example.com"], "course_run_keys": [TR1012], "notify": False},
            format="json",
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code in (200, 201), response.content
    [event] = feed_since(demo, start)
    mode = Enrollment.objects.get(user__username="honor", course_run__key=TR1012).mode
    _enrollment_event(event, type="created", user="honor", course_id=TR1012, mode=mode, active=True,
                      source="enterprise")  # fmt: skip


def test_policy_redemption_enrolls_and_accepts_the_assignment(demo):
    honor, start = User.objects.get(username="honor"), cursor()
    response = client_of(demo, "learner", jwt=True).post(
        f"/enterprise/v1/policy-redemption/{POLICY_A}/redeem/",
        {"lms_user_id": honor.pk, "content_key": API101},
        format="json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code in (200, 201), response.content
    enrolled, accepted = feed_since(demo, start)
    mode = Enrollment.objects.get(user=honor, course_run__key=API101).mode
    _enrollment_event(enrolled, type="created", user="honor", course_id=API101, mode=mode, active=True,
                      source="enterprise")  # fmt: skip
    assert (accepted["type"], accepted["resourceType"]) == ("coursegate.assignment.accepted", "assignment")
    payload = accepted["payload"]
    assert payload["uuid"] == accepted["resourceId"] and payload["policy_uuid"] == POLICY_A
    assert (payload["email"], payload["user"], payload["user_id"], payload["state"]) == (
        "honor@example.com",
        "honor",
        honor.pk,
        "accepted",
    )


def test_import_enrollments_command(demo, tmp_path):
    rows = tmp_path / "enrollments.jsonl"
    rows.write_text(f'{{"username": "audit", "course_run_key": "{SPORT}"}}\n')
    start = cursor()
    call_command("import", "enrollments", str(rows), stdout=StringIO(), stderr=StringIO())
    [event] = feed_since(demo, start)
    _enrollment_event(event, type="created", user="audit", course_id=SPORT, mode="audit", active=True,
                      source="admin")  # fmt: skip


def test_admin_unenroll_action(demo, client):
    client.force_login(User.objects.get(username="staff"))  # the demo's staff is a superuser
    enrollment = Enrollment.objects.get(user__username="verified", course_run__key="course-v1:edX+DemoX+Demo_Course")
    start = cursor()
    response = client.post(reverse("admin:enrollments_enrollment_changelist"),
                           {"action": "unenroll", "_selected_action": [str(enrollment.pk)]})  # fmt: skip
    assert response.status_code == 302
    [event] = feed_since(demo, start)
    _enrollment_event(event, type="deactivated", user="verified", course_id=enrollment.course_run.key,
                      mode="verified", active=False, source="admin")  # fmt: skip


def test_a_rolled_back_change_leaves_no_event(demo):
    audit, run, start = User.objects.get(username="audit"), CourseRun.objects.get(key=SPORT), cursor()
    with pytest.raises(RuntimeError), transaction.atomic():
        enrollment_upsert(user=audit, course_run=run, source="edx_api")
        raise RuntimeError("the request failed after the enrollment")
    assert not GenericEvent.objects.filter(id__gte=start).exists()
    assert not Enrollment.objects.filter(user=audit, course_run=run).exists()


def test_the_feed_switch_off_appends_nothing(demo, settings):
    settings.COURSEGATE_FEED_ENABLED = False
    start = cursor()
    enrollment_upsert(user=User.objects.get(username="audit"), course_run=CourseRun.objects.get(key=SPORT),
                      source="edx_api")  # fmt: skip
    assert Enrollment.objects.filter(user__username="audit", course_run__key=SPORT).exists()
    assert not GenericEvent.objects.filter(id__gte=start).exists()
