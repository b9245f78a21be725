"""Subscription plans of enterprise customers and their licenses.

License states: unassigned -> assigned (an admin gives it to an e-mail) -> activated (the learner
accepts) -> revoked (terminal); assigned -> revoked too. A revoked license is replaced by a new
unassigned one, so a plan's total stays constant (reference/enterprise.md §5.2).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SubscriptionPlan(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    title = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "enterprise.EnterpriseCustomer", on_delete=models.CASCADE, related_name="subscription_plans"
    )
    catalog = models.ForeignKey("catalogs.EnterpriseCatalog", on_delete=models.PROTECT, related_name="plans")
    start_date = models.DateTimeField()
    expiration_date = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    is_revocation_cap_enabled = models.BooleanField(default=False)
    revoke_max_percentage = models.PositiveSmallIntegerField(default=5)
    num_revocations_applied = models.PositiveIntegerField(default=0)
    should_auto_apply_licenses = models.BooleanField(default=False)
    is_locked_for_renewal_processing = models.BooleanField(default=False)
    plan_type = models.CharField(max_length=64, default="Standard Paid")
    salesforce_opportunity_line_item = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("expiration_date")), name="subscriptions_plan_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.uuid})"


class SubscriptionPlanRenewal(models.Model):
    prior_plan = models.ForeignKey(SubscriptionPlan, on_delete=models.CASCADE, related_name="renewals_from")
    renewed_plan = models.ForeignKey(SubscriptionPlan, on_delete=models.CASCADE, related_name="renewals_into")
    effective_date = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.prior_plan_id} -> {self.renewed_plan_id}"


class License(models.Model):
    class Status(models.TextChoices):
        UNASSIGNED = "unassigned"
        ASSIGNED = "assigned"
        ACTIVATED = "activated"
        REVOKED = "revoked"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    plan = models.ForeignKey(SubscriptionPlan, on_delete=models.CASCADE, related_name="licenses")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNASSIGNED)
    user_email = models.EmailField(max_length=254, blank=True, help_text="Lower-cased")
    lms_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="licenses"
    )
    activation_key = models.UUIDField(null=True, blank=True)
    user_sfid = models.CharField(max_length=64, blank=True)
    assigned_date = models.DateTimeField(null=True, blank=True)
    activation_date = models.DateTimeField(null=True, blank=True)
    last_remind_date = models.DateTimeField(null=True, blank=True)
    revoked_date = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["plan", "status"]),
            models.Index(fields=["plan", "user_email"]),
            models.Index(fields=["user_email", "status"]),
        ]
        constraints = [
            # One live (assigned or activated) license per e-mail and plan.
            models.UniqueConstraint(
                fields=["plan", "user_email"],
                condition=models.Q(status__in=["assigned", "activated"]),
                name="subscriptions_one_live_license_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"license {self.uuid} ({self.status})"
