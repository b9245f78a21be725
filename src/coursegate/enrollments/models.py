"""Enrollments of users in course runs, their change history, and allowed-enrollments for
e-mail addresses that have no account yet."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    """Which surface asked for a change; kept in the history for the audit trail."""

    EDX_API = "edx_api", "Open edX Enrollment API"
    APPSEMBLER = "appsembler", "Appsembler API"
    ENROLLMENT_CODE = "enrollment_code", "Enrollment code"
    ENTERPRISE = "enterprise", "Enterprise API"
    ALLOWED = "allowed", "Allowed-enrollment applied at account creation"
    ADMIN = "admin", "Admin"
    DEMO = "demo", "Demo data"


class Enrollment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    course_run = models.ForeignKey("courses.CourseRun", on_delete=models.PROTECT, related_name="enrollments")
    mode = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(db_index=True)
    modified = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course_run"], name="enrollments_one_per_user_and_run")]
        indexes = [models.Index(fields=["course_run", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_run_id} ({self.mode}, {'active' if self.is_active else 'inactive'})"


class EnrollmentHistory(models.Model):
    """One row per change of an enrollment: its state after the change, who asked and through what."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="history")
    mode = models.CharField(max_length=100)
    is_active = models.BooleanField()
    changed_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=32, choices=Source.choices)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "enrollment history"

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.mode}, {'active' if self.is_active else 'inactive'} ({self.source})"


class EnrollmentAllowed(models.Model):
    """An invitation for an e-mail address: lets it into an invite-only run and, with
    ``auto_enroll``, enrolls the account created for it later. ``email`` is stored lower-cased."""

    email = models.EmailField(max_length=254)
    course_run = models.ForeignKey("courses.CourseRun", on_delete=models.CASCADE, related_name="allowed")
    auto_enroll = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account that took up this invitation.",
    )

    class Meta:
        verbose_name_plural = "allowed enrollments"
        constraints = [
            models.UniqueConstraint(fields=["email", "course_run"], name="enrollments_allowed_unique"),
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower("email")), name="enrollments_allowed_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.course_run_id}"
