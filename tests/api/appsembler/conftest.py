"""Fixtures, constants and helpers shared by the Appsembler API contract tests (tokens are real).

The test modules import the constants and plain helpers from here. Sections: the seed's course
runs, bulk enrollment (test_bulk_enroll*.py), analytics (test_analytics*.py) and enrollment codes
(test_codes_*.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from coursegate.accounts.models import User
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import codes_generate
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_allowed_upsert, enrollment_upsert

DEMO_COURSE = "course-v1:edX+DemoX+Demo_Course"
APP_COURSE = "course-v1:Appsembler+APP101+1Q2016"


@pytest.fixture
def staff_client(staff, client_for):
    """An APIClient sending a real bearer token of the staff user."""
    return client_for(staff)


@pytest.fixture
def demo_run(make_run):
    """The seed's course run, course-v1:edX+DemoX+Demo_Course, offering audit."""
    return make_run(DEMO_COURSE, modes=("audit",))


@pytest.fixture
def app101(make_run):
    """The seed's second course run, course-v1:Appsembler+APP101+1Q2016, offering audit."""
    return make_run(APP_COURSE)


# --- Bulk enrollment (test_bulk_enroll*.py) ---------------------------------------------------------

BULK_ENROLL = "/appsembler_api/v0/bulk-enrollment/bulk-enroll"


def state(enrollment=False, allowed=False, user=False, auto_enroll=False) -> dict:
    return {"enrollment": enrollment, "allowed": allowed, "user": user, "auto_enroll": auto_enroll}


NOTHING = state()
INVITED = state(allowed=True, auto_enroll=True)
INVITED_NO_AUTO = state(allowed=True)
ACCOUNT = state(user=True)
ENROLLED = state(enrollment=True, user=True)


def row(identifier: str, before: dict, after: dict) -> dict:
    return {"identifier": identifier, "after": after, "before": before}


def answer(action: str, results_by_course: dict, *, auto_enroll: bool = False, email_students: bool = False) -> dict:
    return {
        "action": action,
        "courses": {
            key: {"action": action, "results": results, "auto_enroll": auto_enroll}
            for key, results in results_by_course.items()
        },
        "email_students": email_students,
        "auto_enroll": auto_enroll,
    }


@pytest.fixture
def post(staff_client):
    """post(body, **extra) -> the staff user's POST to bulk-enroll; bytes are sent as they are."""

    def send(body, **extra):
        if isinstance(body, bytes):
            return staff_client.post(BULK_ENROLL, body, content_type="application/json", **extra)
        return staff_client.post(BULK_ENROLL, body, format="json", **extra)

    return send


def active_pairs() -> set[tuple[str, str]]:
    return set(Enrollment.objects.filter(is_active=True).values_list("user__username", "course_run__key"))


def invitations() -> set[tuple[str, str, bool]]:
    return set(EnrollmentAllowed.objects.values_list("email", "course_run__key", "auto_enroll"))


def snapshot() -> tuple:
    return (
        sorted(Enrollment.objects.values_list("user_id", "course_run_id", "mode", "is_active", "modified")),
        sorted(EnrollmentAllowed.objects.values_list("email", "course_run_id", "auto_enroll")),
        EnrollmentHistory.objects.count(),
    )


@pytest.fixture
def unenroll_setup(demo_run, learner, other_learner):
    """honor enrolled in DEMO_COURSE, invited@example.com invited to DEMO_COURSE, audit neither."""
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    enrollment_allowed_upsert(email="invited@example.com", course_run=demo_run, auto_enroll=True)


# --- Analytics (test_analytics*.py) -----------------------------------------------------------------

ACCOUNTS = {
    "appsembler": "/appsembler_api/v0/analytics/accounts/batch",
    "jitterbit": "/api/jitterbit/v1/accounts/batch",
}
ENROLLMENTS = {
    "appsembler": "/appsembler_api/v0/analytics/enrollment/batch",
    "jitterbit": "/api/jitterbit/v1/enrollment/batch",
}

ACCOUNT_KEYS = ["username", "date_joined", "is_active", "id", "email"]
DATE_MESSAGE = "Enter a valid date (YYYY-MM-DD) or ISO 8601 date-time (e.g. 2015-12-09T00:00:00Z)."


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(params=["appsembler", "jitterbit"])
def family(request) -> str:
    return request.param


def body_of(response) -> bytes:
    assert response.streaming is True, "the batch endpoints stream their body"
    return b"".join(response.streaming_content)


@pytest.fixture
def fetch(staff_client):
    """fetch(url, **headers) -> (status, parsed body); a 200 must be a streamed JSON array."""

    def get(url: str, **headers):
        response = staff_client.get(url, **headers)
        if response.status_code != 200:
            assert response.streaming is False
            return response.status_code, response.json()
        return 200, json.loads(body_of(response))

    return get


def set_joined(username: str, when: datetime) -> None:
    User.objects.filter(username=username).update(date_joined=when)


def set_created(enrollment: Enrollment, when: datetime) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(created=when)


@pytest.fixture
def accounts(staff, make_user):
    """staff, honor, audit and an inactive 'gone', joined at known instants."""
    make_user("honor")
    make_user("audit")
    gone = make_user("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    set_joined("staff", utc(2016, 12, 17, 23, 45, 47))
    set_joined("honor", utc(2016, 12, 17, 23, 55, 27, 765000))
    set_joined("audit", utc(2016, 12, 18, 1, 2, 3))
    set_joined("gone", utc(2016, 12, 19, 0, 0, 0))
    return {u.username: u.pk for u in User.objects.all()}


@pytest.fixture
def enrollments(staff, make_user, make_run):
    """honor in DEMO_COURSE and APP_COURSE, audit in DEMO_COURSE (then unenrolled), created at known instants."""
    honor, audit = make_user("honor"), make_user("audit")
    demo, app = make_run(DEMO_COURSE), make_run(APP_COURSE)
    rows = {
        ("honor", DEMO_COURSE): enrollment_upsert(user=honor, course_run=demo, source=Source.ADMIN).enrollment,
        ("audit", DEMO_COURSE): enrollment_upsert(user=audit, course_run=demo, source=Source.ADMIN).enrollment,
        ("honor", APP_COURSE): enrollment_upsert(user=honor, course_run=app, source=Source.ADMIN).enrollment,
    }
    enrollment_upsert(user=audit, course_run=demo, is_active=False, source=Source.ADMIN, privileged=True)
    set_created(rows[("honor", DEMO_COURSE)], utc(2016, 5, 23, 16, 17, 7, 585000))
    set_created(rows[("audit", DEMO_COURSE)], utc(2016, 5, 23, 16, 17, 11))
    set_created(rows[("honor", APP_COURSE)], utc(2016, 6, 1, 8, 0, 0))
    return rows


def enrollment_item(rows, username: str, course_id: str, date_enrolled: str) -> dict:
    enrollment = rows[(username, course_id)]
    return {
        "username": username,
        "course_id": course_id,
        "user_id": enrollment.user_id,
        "enrollment_id": enrollment.pk,
        "date_enrolled": date_enrolled,
    }


# --- Enrollment codes (test_codes_*.py) -------------------------------------------------------------

ENROLL = "/appsembler_api/v0/enrollment-codes/enroll-user"
STATUS = "/appsembler_api/v0/enrollment-codes/status"

SUCCESS = {"success": "true"}
CODE_ERROR = {"success": "false", "reason": "Enrollment code error."}


def post_enroll_user(client, email, code):
    return client.post(ENROLL, {"email": email, "enrollment_code": code}, format="json")


def post_status(client, code, action):
    return client.post(STATUS, {"enrollment_code": code, "action": action}, format="json")


def new_code(run) -> str:
    [stored] = codes_generate(course_run=run, count=1)
    return stored.code


def code_row(code: str) -> EnrollmentCode:
    return EnrollmentCode.objects.get(code=code)


def enrollment_of(user, run) -> tuple[str, bool] | None:
    found = Enrollment.objects.filter(user=user, course_run=run).values_list("mode", "is_active").first()
    return tuple(found) if found else None


def is_unused(code: str) -> bool:
    stored = code_row(code)
    return stored.status == EnrollmentCode.Status.VALID and stored.redeemed_by_id is None and stored.redeemed_at is None
