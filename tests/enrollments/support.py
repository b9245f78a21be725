"""Small helpers shared by the enrollment service tests."""

from __future__ import annotations

from datetime import timedelta

from coursegate.enrollments.models import EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_upsert

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
RUN = "course-v1:edX+DemoX+Demo_Course"


def history(enrollment) -> list[tuple]:
    """(mode, is_active, actor id, source) of each change of ``enrollment``, oldest first."""
    return list(
        EnrollmentHistory.objects.filter(enrollment=enrollment).values_list("mode", "is_active", "actor", "source")
    )


def enroll(user, run, **kwargs):
    """enrollment_upsert through the Enrollment API's source unless ``source`` says otherwise."""
    return enrollment_upsert(user=user, course_run=run, source=kwargs.pop("source", Source.EDX_API), **kwargs)
