"""Constants and small helpers shared by the Enrollment API contract tests."""

from __future__ import annotations

from coursegate.enrollments.models import Enrollment, EnrollmentHistory

E = "/api/enrollment/v1"
C = "course-v1:Org+Num+Run"
LEGACY = "Org/Num/Run"
ENROLL = {"course_details": {"course_id": C}}


def enrollment_body(**extra) -> dict:
    """A POST body enrolling in course C, with ``extra`` fields."""
    return {"course_details": {"course_id": C}, **extra}


def post_enrollment(client, body):
    return client.post(f"{E}/enrollment", body, format="json")


def stored(user, run) -> tuple[str, bool] | None:
    """(mode, is_active) of the stored enrollment of ``user`` in ``run``, or None."""
    row = Enrollment.objects.filter(user=user, course_run=run).values_list("mode", "is_active").first()
    return tuple(row) if row else None


def history_count(user=None) -> int:
    qs = EnrollmentHistory.objects.all()
    if user is not None:
        qs = qs.filter(enrollment__user=user)
    return qs.count()
