"""Enterprise customers, their learners, and the enrollments made through them (with the progress
data the learner summary reports). Bulk enrollment jobs are the ``enterprise_jobs`` app's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class EnterpriseCustomer(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    contact_email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.uuid})"


class EnterpriseLearner(models.Model):
    """The link of a learner to a customer: an account, or a pending e-mail without one yet."""

    customer = models.ForeignKey(EnterpriseCustomer, on_delete=models.CASCADE, related_name="learners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="enterprise_links"
    )
    email = models.EmailField(max_length=254, help_text="Lower-cased")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="enterprise_learner_unique_email"),
            models.UniqueConstraint(
                fields=["customer", "user"],
                condition=models.Q(user__isnull=False),
                name="enterprise_learner_unique_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.customer_id}"


class EnterpriseEnrollment(models.Model):
    """An enrollment made under a customer (e.g. through a license), with its progress data."""

    class ProgressStatus(models.TextChoices):
        IN_PROGRESS = "in_progress", "In Progress"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    customer = models.ForeignKey(EnterpriseCustomer, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(EnterpriseLearner, on_delete=models.CASCADE, related_name="enrollments")
    enrollment = models.OneToOneField(
        "enrollments.Enrollment", on_delete=models.CASCADE, related_name="enterprise_enrollment"
    )
    source = models.CharField(max_length=32, default="subscription_license")
    license_uuid = models.UUIDField(null=True, blank=True)
    is_consent_granted = models.BooleanField(default=True)
    current_grade = models.FloatField(null=True, blank=True)
    letter_grade = models.CharField(max_length=32, blank=True)
    has_passed = models.BooleanField(default=False)
    passed_date = models.DateTimeField(null=True, blank=True)
    last_activity_date = models.DateTimeField(null=True, blank=True)
    progress_status = models.CharField(
        max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.IN_PROGRESS
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-last_activity_date"]),
        ]

    def __str__(self) -> str:
        return f"enterprise enrollment {self.enrollment_id} of {self.customer_id}"
