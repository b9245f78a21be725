"""Request and response shapes of the Enterprise API's subscriptions and licenses endpoints
(seed 003_daa74488a5860cfd.txt "subscriptions", "licenses/assign", "licenses/bulk-revoke")."""

from __future__ import annotations

import uuid as uuid_lib

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.subscriptions.models import License

TEXT_MAX_LENGTH = 5000  # greeting / closing of the assignment e-mail


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "uuid"}, {"maxLength": 0}], "description": "A uuid; empty: no customer"}
)
class _StrippedText(serializers.Field):
    """A query value as text, surrounding blanks removed (SubscriptionListQuery reads it as a uuid)."""

    def to_internal_value(self, data) -> str:
        return str(data).strip()


class SubscriptionListQuery(serializers.Serializer):
    """Query of the subscriptions list: ``{"customer_uuid": UUID | None, "current": bool}``.

    ``current``: a boolean; blank or absent is false. ``enterprise_customer_uuid``: blank or absent
    names no customer. Contract (this family, issue 4): a malformed customer uuid and
    ``current=true`` without a customer are 400 ``{"detail": ...}``, not field errors, and come
    after ``current``'s own field error."""

    enterprise_customer_uuid = _StrippedText(required=False, help_text="Only this customer's active plans")
    current = serializers.BooleanField(
        required=False, default=False, help_text="true: at most one plan, the one in force now"
    )

    def to_internal_value(self, data) -> dict:
        # Raised here rather than in validate(), whose errors DRF reshapes into field lists.
        values = super().to_internal_value(data)
        raw = values.get("enterprise_customer_uuid", "")
        try:
            customer_uuid = uuid_lib.UUID(raw) if raw else None
        except ValueError:
            raise serializers.ValidationError({"detail": f"{raw} is not a valid uuid."}) from None
        if values["current"] and customer_uuid is None:
            raise serializers.ValidationError(
                {"detail": "current=true needs enterprise_customer_uuid: the current plan is a customer's."}
            )
        return {"customer_uuid": customer_uuid, "current": values["current"]}


class LicenseAssignInput(serializers.Serializer):
    user_emails = serializers.ListField(child=serializers.EmailField(max_length=254), allow_empty=False)
    user_sfids = serializers.ListField(
        child=serializers.CharField(
            max_length=License._meta.get_field("user_sfid").max_length, allow_blank=True, allow_null=True
        ),
        required=False,
        allow_empty=False,
        error_messages={"empty": "No Salesforce Ids provided."},
    )
    greeting = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)
    closing = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)
    notify_users = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs):
        sfids = attrs.get("user_sfids")
        if sfids is not None and len(sfids) != len(attrs["user_emails"]):
            # Reference (license-manager LicenseAdminAssignActionSerializer): same message.
            raise serializers.ValidationError("Number of Salesforce IDs did not match number of provided user emails.")
        return attrs


class LicenseBulkRevokeInput(serializers.Serializer):
    user_emails = serializers.ListField(child=serializers.EmailField(max_length=254), allow_empty=False, required=False)
    filters = serializers.ListField(child=serializers.DictField(), allow_empty=False, required=False)

    def validate(self, attrs):
        given = [name for name in ("user_emails", "filters") if name in attrs]
        if not given:
            raise serializers.ValidationError("Either user_emails or filters must be provided.")
        if len(given) == 2:
            raise serializers.ValidationError("Either user_emails or filters must be provided, but not both.")
        return attrs


class LicenseAssignmentOutput(serializers.Serializer):
    user_email = serializers.CharField()
    license = serializers.UUIDField(source="license_uuid")


class LicenseAssignOutput(serializers.Serializer):
    num_successful_assignments = serializers.IntegerField()
    num_already_associated = serializers.IntegerField()
    license_assignments = LicenseAssignmentOutput(source="assignments", many=True)


class LicenseCountsOutput(serializers.Serializer):
    activated = serializers.IntegerField()
    assigned = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    revoked = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Licenses that are not revoked")
    allocated = serializers.IntegerField(help_text="assigned + activated")


class RevocationsOutput(serializers.Serializer):
    total = serializers.IntegerField(help_text="Revocations the cap allows: ceil(total x revoke_max_percentage / 100)")
    used = serializers.IntegerField(help_text="Activated licenses revoked so far")
    remaining = serializers.IntegerField()


class _SeedDateTime(serializers.DateTimeField):
    """Seed 003's renewal dates: "2021-01-01 00:00:00+00:00" (space, explicit offset)."""

    def to_representation(self, value):
        return str(self.enforce_timezone(value))


class PriorRenewalOutput(serializers.Serializer):
    prior_subscription_plan_id = serializers.UUIDField(source="prior_plan_id")
    prior_subscription_plan_start_date = _SeedDateTime(source="prior_plan_start_date")
    renewed_subscription_plan_id = serializers.UUIDField(source="renewed_plan_id")
    renewed_subscription_plan_start_date = _SeedDateTime(source="renewed_plan_start_date")


class SubscriptionPlanOutput(serializers.Serializer):
    """One plan, with every field of the seed's example response, in its order."""

    title = serializers.CharField(source="plan.title")
    uuid = serializers.UUIDField(source="plan.uuid")
    start_date = serializers.DateTimeField(source="plan.start_date")
    expiration_date = serializers.DateTimeField(source="plan.expiration_date")
    enterprise_customer_uuid = serializers.UUIDField(source="plan.customer_id")
    enterprise_catalog_uuid = serializers.UUIDField(source="plan.catalog_id")
    is_active = serializers.BooleanField(source="plan.is_active")
    is_revocation_cap_enabled = serializers.BooleanField(source="plan.is_revocation_cap_enabled")
    days_until_expiration = serializers.IntegerField()
    days_until_expiration_including_renewals = serializers.IntegerField()
    is_locked_for_renewal_processing = serializers.BooleanField(source="plan.is_locked_for_renewal_processing")
    should_auto_apply_licenses = serializers.BooleanField(source="plan.should_auto_apply_licenses")
    licenses = LicenseCountsOutput()
    revocations = RevocationsOutput(allow_null=True, help_text="null when the plan has no revocation cap")
    prior_renewals = PriorRenewalOutput(many=True)
