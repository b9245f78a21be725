"""Subsidy access policies (assigned learner credit), their assignment configurations and the
learner content assignments admins allocate against them (reference/enterprise.md §4.1–4.4, §5.1).

Assignment states: allocated -> accepted | cancelled | errored | expired; accepted -> reversed;
cancelled | errored | expired | reversed -> allocated again when an admin re-allocates.
``content_quantity`` is the negative price in cents, as the reference stores it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models

# An allocation lapses 90 days after it was (last) made (reference §4.1, ``earliest_possible_expiration``).
ALLOCATION_TIMEOUT = timedelta(days=90)


class AssignmentConfiguration(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        "enterprise.EnterpriseCustomer", on_delete=models.CASCADE, related_name="assignment_configurations"
    )
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"assignment configuration {self.uuid}"


class SubsidyAccessPolicy(models.Model):
    """An assigned-learner-credit policy: admins allocate content to learners up to ``spend_limit``,
    paid from a subsidy with ``subsidy_balance_cents`` until ``subsidy_expiration``."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey("enterprise.EnterpriseCustomer", on_delete=models.CASCADE, related_name="policies")
    catalog = models.ForeignKey("catalogs.EnterpriseCatalog", on_delete=models.PROTECT, related_name="policies")
    assignment_configuration = models.OneToOneField(
        AssignmentConfiguration, on_delete=models.PROTECT, related_name="policy"
    )
    description = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    retired = models.BooleanField(default=False)
    spend_limit = models.PositiveBigIntegerField(help_text="Cents")
    subsidy_balance_cents = models.PositiveBigIntegerField(help_text="What the subsidy still holds, cents")
    subsidy_active_from = models.DateTimeField(null=True, blank=True)
    subsidy_expiration = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "subsidy access policies"

    def __str__(self) -> str:
        return f"policy {self.uuid}"


class LearnerContentAssignment(models.Model):
    class State(models.TextChoices):
        ALLOCATED = "allocated"
        ACCEPTED = "accepted"
        CANCELLED = "cancelled"
        ERRORED = "errored"
        EXPIRED = "expired"
        REVERSED = "reversed"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    assignment_configuration = models.ForeignKey(
        AssignmentConfiguration, on_delete=models.CASCADE, related_name="assignments"
    )
    learner_email = models.EmailField(max_length=254, help_text="Lower-cased")
    lms_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_key = models.CharField(max_length=255)
    parent_content_key = models.CharField(max_length=255, null=True, blank=True)
    is_assigned_course_run = models.BooleanField(default=False)
    content_title = models.CharField(max_length=255, blank=True)
    content_quantity = models.BigIntegerField(help_text="Minus the price in cents")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ALLOCATED)
    transaction_uuid = models.UUIDField(null=True, blank=True)
    allocation_batch_id = models.UUIDField(null=True, blank=True)
    allocated_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    errored_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment_configuration", "learner_email", "content_key"],
                name="assignments_one_per_learner_and_content",
            )
        ]
        indexes = [models.Index(fields=["assignment_configuration", "state"])]

    def __str__(self) -> str:
        return f"assignment {self.uuid} ({self.state})"


class LearnerContentAssignmentAction(models.Model):
    class Type(models.TextChoices):
        LEARNER_LINKED = "learner_linked"
        NOTIFIED = "notified"
        REMINDED = "reminded"
        REDEEMED = "redeemed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"
        REVERSED = "reversed"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    assignment = models.ForeignKey(LearnerContentAssignment, on_delete=models.CASCADE, related_name="actions")
    action_type = models.CharField(max_length=32, choices=Type.choices)
    completed_at = models.DateTimeField(null=True, blank=True)
    error_reason = models.CharField(max_length=64, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.action_type} of {self.assignment_id}"


class RedemptionTransaction(models.Model):
    """A learner's redemption of assigned credit (reference/learner_side.md §5.3): the spend of one
    assignment's price from the policy's subsidy, the enrollment it paid for (``reference_id``),
    and, once reversed, when. ``idempotency_key`` is unique: the last defence against a double
    spend when identical redeems race (assignments/redemption.py)."""

    class State(models.TextChoices):
        COMMITTED = "committed"

    UNIT_USD_CENTS = "usd_cents"
    REFERENCE_ENTERPRISE_ENROLLMENT = "enterprise_enrollment"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    state = models.CharField(max_length=16, choices=State.choices, default=State.COMMITTED)
    idempotency_key = models.CharField(max_length=255, unique=True)
    policy = models.ForeignKey(SubsidyAccessPolicy, on_delete=models.PROTECT, related_name="transactions")
    assignment = models.ForeignKey(
        LearnerContentAssignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="transactions"
    )
    lms_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_key = models.CharField(max_length=255, help_text="The course run redeemed")
    quantity = models.BigIntegerField(help_text="Minus the price in cents")
    unit = models.CharField(max_length=16, default=UNIT_USD_CENTS)
    reference_id = models.CharField(max_length=64, blank=True, help_text="The enrollment's id")
    reference_type = models.CharField(max_length=32, default=REFERENCE_ENTERPRISE_ENROLLMENT)
    metadata = models.JSONField(default=dict, blank=True)
    reversal_uuid = models.UUIDField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["policy", "lms_user", "content_key"])]

    def __str__(self) -> str:
        return f"transaction {self.uuid} ({self.content_key})"
