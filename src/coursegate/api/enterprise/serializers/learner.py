"""Request and response shapes of the learner's license endpoints (reference/learner_side.md §3):
``license-activation`` and ``learner-licenses``."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.api.enterprise.serializers.license_fields import CommaList, PagedQuery, required_uuid_detail


class ActivationQuery(serializers.Serializer):
    """``activation_key``: required, a uuid; errors as the reference's ParseError, ``{"detail"}``."""

    activation_key = serializers.UUIDField(help_text="The key of the assignment e-mail and of learner-licenses")

    def to_internal_value(self, data) -> dict:
        key = required_uuid_detail(
            data,
            "activation_key",
            missing="activation_key is a required parameter",
            invalid="{value} is not a valid activation key.",
        )
        return {"activation_key": key}


class LearnerCustomerQuery(serializers.Serializer):
    """The customer of ``learner-licenses``, read before the caller's roles are checked."""

    enterprise_customer_uuid = serializers.UUIDField()

    def to_internal_value(self, data) -> dict:
        customer = required_uuid_detail(
            data,
            "enterprise_customer_uuid",
            missing="missing enterprise_customer_uuid query param",
            invalid="{value} is not a valid uuid.",
        )
        return {"enterprise_customer_uuid": customer}


class LearnerLicensesQuery(PagedQuery):
    enterprise_customer_uuid = serializers.UUIDField(help_text="Required: the customer whose plans are listed")
    active_plans_only = serializers.BooleanField(required=False, default=True)
    current_plans_only = serializers.BooleanField(required=False, default=True)
    include_revoked = serializers.BooleanField(required=False, default=False)
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    ordering = CommaList(
        required=False, default=list, help_text="user_email, status, activation_date, last_remind_date; - descending"
    )


class CustomerAgreementOutput(serializers.Serializer):
    """The customer's agreement as license-manager names it; Coursegate keeps no agreement object,
    so only the customer's keys have values (reference/learner_side.md §3.2 decision)."""

    uuid = serializers.UUIDField(allow_null=True)
    enterprise_customer_uuid = serializers.UUIDField()
    enterprise_customer_slug = serializers.CharField()
    default_enterprise_catalog_uuid = serializers.UUIDField(allow_null=True)
    disable_expiration_notifications = serializers.BooleanField(allow_null=True)
    net_days_until_expiration = serializers.IntegerField(allow_null=True)
    subscription_for_auto_applied_licenses = serializers.UUIDField(allow_null=True)
    available_subscription_catalogs = serializers.ListField(child=serializers.UUIDField(), allow_null=True)


class MinimalPlanOutput(serializers.Serializer):
    """A plan as a learner's license carries it (license-manager MinimalSubscriptionPlanSerializer);
    the source is a selectors.PlanSummary."""

    title = serializers.CharField(source="plan.title")
    uuid = serializers.UUIDField(source="plan.uuid")
    start_date = serializers.DateTimeField(source="plan.start_date")
    expiration_date = serializers.DateTimeField(source="plan.expiration_date")
    enterprise_customer_uuid = serializers.UUIDField(source="plan.customer_id")
    enterprise_catalog_uuid = serializers.UUIDField(source="plan.catalog_id")
    is_active = serializers.BooleanField(source="plan.is_active")
    is_current = serializers.SerializerMethodField()
    is_revocation_cap_enabled = serializers.BooleanField(source="plan.is_revocation_cap_enabled")
    days_until_expiration = serializers.IntegerField()
    days_until_expiration_including_renewals = serializers.IntegerField()
    is_locked_for_renewal_processing = serializers.BooleanField(source="plan.is_locked_for_renewal_processing")
    should_auto_apply_licenses = serializers.BooleanField(source="plan.should_auto_apply_licenses")
    created = serializers.DateTimeField(source="plan.created")
    plan_type = serializers.CharField(source="plan.plan_type")
    salesforce_opportunity_line_item = serializers.CharField(source="plan.salesforce_opportunity_line_item")

    def get_is_current(self, summary) -> bool:
        plan = summary.plan
        return plan.start_date <= timezone.now() <= plan.expiration_date


class LicenseOutput(serializers.Serializer):
    """A license as license-manager's LicenseSerializer shows it (the admin's list, reference §4.1):
    an unassigned license has no e-mail and no key (``null``)."""

    uuid = serializers.UUIDField()
    status = serializers.CharField()
    user_email = serializers.SerializerMethodField()
    activation_date = serializers.DateTimeField(allow_null=True)
    last_remind_date = serializers.DateTimeField(allow_null=True)
    subscription_plan_uuid = serializers.UUIDField(source="plan_id")
    revoked_date = serializers.DateTimeField(allow_null=True)
    activation_key = serializers.UUIDField(allow_null=True)

    def get_user_email(self, license) -> str | None:
        return license.user_email or None


class LearnerLicenseOutput(LicenseOutput):
    """A learner's own license (reference §3.2), with its plan and its customer's agreement; the
    context holds ``summaries`` (plan uuid -> PlanSummary) and ``agreement`` (a dict)."""

    customer_agreement = serializers.SerializerMethodField()
    subscription_plan = serializers.SerializerMethodField()

    @extend_schema_field(CustomerAgreementOutput)
    def get_customer_agreement(self, license) -> dict:
        return self.context["agreement"]

    @extend_schema_field(MinimalPlanOutput)
    def get_subscription_plan(self, license) -> dict:
        return MinimalPlanOutput(self.context["summaries"][license.plan_id]).data
