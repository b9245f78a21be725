"""Single-use enrollment codes for a course run."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EnrollmentCode(models.Model):
    """A code that enrolls one learner in ``course_run`` once.

    ``redeemed_by`` is set while the code is used up; cancelling or restoring a redeemed code
    unenrolls that learner and clears it (seed 001, "Enrollment Code Status").
    """

    class Status(models.TextChoices):
        VALID = "valid"
        CANCELLED = "cancelled"

    code = models.CharField(max_length=32, unique=True)
    course_run = models.ForeignKey("courses.CourseRun", on_delete=models.CASCADE, related_name="enrollment_codes")
    mode = models.CharField(max_length=100, blank=True, help_text="Mode to enroll in; empty: the run's default")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALID)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="redeemed_codes"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["course_run", "status"])]

    def __str__(self) -> str:
        return self.code
