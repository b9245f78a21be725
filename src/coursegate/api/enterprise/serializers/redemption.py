"""Shapes of learner credit redemption (reference/learner_side.md §5.1–5.3; enterprise-access
``SubsidyAccessPolicyRedeemRequestSerializer``, ``...CreditsAvailable...``, ``...CanRedeem...``).

Outputs are declared as serializers (they describe the OpenAPI document) and built directly by
the render helpers below: the view passes what they need in the context."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.api.enterprise.serializers.assignments import AssignmentOutput
from coursegate.assignments.models import RedemptionTransaction, SubsidyAccessPolicy
from coursegate.catalogs.contains import restore_plus
from coursegate.core.course_keys import is_course_run_key

_iso = serializers.DateTimeField().to_representation
POLICY_TYPE = "AssignedLearnerCreditAccessPolicy"
ACCESS_METHOD = "assigned"


class ContentKeyField(serializers.CharField):
    """A course run key (either form); anything else: ``Invalid content_key: X`` (the reference's
    ``ContentKeyField``). A ``+`` a query string decoded to a space is turned back."""

    def __init__(self, **kwargs):
        super().__init__(max_length=None, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(f"Invalid content_key: {data}")
        key = restore_plus(data)
        if not is_course_run_key(key):
            raise serializers.ValidationError(f"Invalid content_key: {data}")
        return key


class LmsUserIdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class CreditsAvailableQuery(serializers.Serializer):
    enterprise_customer_uuid = serializers.UUIDField()
    lms_user_id = LmsUserIdField()


class _RepeatedKeys(serializers.ListField):
    """``?content_key=a&content_key=b``."""

    def get_value(self, dictionary):
        values = dictionary.getlist(self.field_name) if hasattr(dictionary, "getlist") else []
        return values or serializers.empty


class CanRedeemQuery(serializers.Serializer):
    content_key = _RepeatedKeys(child=ContentKeyField(), allow_empty=False, max_length=100,
                                help_text="Course run keys (repeatable; send + as %2B)")  # fmt: skip
    lms_user_id = LmsUserIdField(required=False, help_text="Admins and operators only; default: the caller")


@extend_schema_field(OpenApiTypes.OBJECT)
class _JsonObject(serializers.Field):
    def to_internal_value(self, data) -> dict:
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return data

    def to_representation(self, value):
        return value


class RedeemInput(serializers.Serializer):
    lms_user_id = LmsUserIdField()
    content_key = ContentKeyField()
    metadata = _JsonObject(required=False, default=dict)


class ReversalOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    state = serializers.CharField()
    quantity = serializers.IntegerField(help_text="The price given back, cents")
    unit = serializers.CharField()
    created = serializers.DateTimeField()


class TransactionOutput(serializers.Serializer):
    """A redemption transaction (reference §5.3's body)."""

    uuid = serializers.UUIDField()
    state = serializers.CharField()
    idempotency_key = serializers.CharField()
    lms_user_id = serializers.IntegerField()
    content_key = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Minus the price in cents")
    unit = serializers.CharField()
    reference_id = serializers.CharField()
    reference_type = serializers.CharField()
    subsidy_access_policy_uuid = serializers.UUIDField()
    metadata = _JsonObject()
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()
    reversals = ReversalOutput(many=True)

    def to_representation(self, txn: RedemptionTransaction) -> dict:
        reversals = []
        if txn.reversed_at is not None:
            reversals.append({"uuid": str(txn.reversal_uuid), "state": txn.state, "quantity": -txn.quantity,
                              "unit": txn.unit, "created": _iso(txn.reversed_at)})  # fmt: skip
        return {
            "uuid": str(txn.uuid),
            "state": txn.state,
            "idempotency_key": txn.idempotency_key,
            "lms_user_id": txn.lms_user_id,
            "content_key": txn.content_key,
            "quantity": txn.quantity,
            "unit": txn.unit,
            "reference_id": txn.reference_id,
            "reference_type": txn.reference_type,
            "subsidy_access_policy_uuid": str(txn.policy_id),
            "metadata": txn.metadata,
            "created": _iso(txn.created),
            "modified": _iso(txn.modified),
            "reversals": reversals,
        }


class PolicyOutput(serializers.Serializer):
    """A subsidy access policy as the redemption endpoints show it. Context: ``redeem_url``
    (policy -> its redeem URL)."""

    uuid = serializers.UUIDField()
    policy_type = serializers.CharField()
    enterprise_customer_uuid = serializers.UUIDField()
    display_name = serializers.CharField()
    description = serializers.CharField()
    active = serializers.BooleanField()
    retired = serializers.BooleanField()
    catalog_uuid = serializers.UUIDField()
    subsidy_uuid = serializers.UUIDField(allow_null=True)
    access_method = serializers.CharField()
    spend_limit = serializers.IntegerField(help_text="Cents")
    per_learner_enrollment_limit = serializers.IntegerField(allow_null=True)
    per_learner_spend_limit = serializers.IntegerField(allow_null=True)
    assignment_configuration = serializers.UUIDField()
    subsidy_expiration_date = serializers.DateTimeField()
    policy_redemption_url = serializers.URLField()
    is_late_redemption_allowed = serializers.BooleanField()

    def to_representation(self, policy: SubsidyAccessPolicy) -> dict:
        return {
            "uuid": str(policy.uuid),
            "policy_type": POLICY_TYPE,
            "enterprise_customer_uuid": str(policy.customer_id),
            "display_name": policy.description,
            "description": policy.description,
            "active": policy.active,
            "retired": policy.retired,
            "catalog_uuid": str(policy.catalog_id),
            "subsidy_uuid": None,  # Coursegate keeps the subsidy on the policy (no subsidy service)
            "access_method": ACCESS_METHOD,
            "spend_limit": policy.spend_limit,
            "per_learner_enrollment_limit": None,
            "per_learner_spend_limit": None,
            "assignment_configuration": str(policy.assignment_configuration_id),
            "subsidy_expiration_date": _iso(policy.subsidy_expiration),
            "policy_redemption_url": self.context["redeem_url"](policy),
            "is_late_redemption_allowed": False,
        }


class CreditsAvailableOutput(PolicyOutput):
    """A policy with credit for the learner. Context: PolicyOutput's, ``assignments`` (policy uuid
    -> the learner's assignments in it) and AssignmentOutput's (``actions``, ``enroll_by``)."""

    remaining_balance_per_user = serializers.IntegerField(allow_null=True)
    remaining_balance = serializers.IntegerField(help_text="Cents")
    learner_content_assignments = AssignmentOutput(many=True)
    learner_requests = serializers.ListField(child=serializers.DictField())
    group_associations = serializers.ListField(child=serializers.UUIDField())

    def to_representation(self, policy: SubsidyAccessPolicy) -> dict:
        render = AssignmentOutput(context=self.context).to_representation
        return {
            **super().to_representation(policy),
            "remaining_balance_per_user": None,
            "remaining_balance": policy.subsidy_balance_cents,
            "learner_content_assignments": [
                {**render(a), "learner_acknowledged": False} for a in self.context["assignments"][policy.uuid]
            ],
            "learner_requests": [],
            "group_associations": [],
        }


class ListPriceOutput(serializers.Serializer):
    usd = serializers.FloatField()
    usd_cents = serializers.IntegerField()


class ReasonOutput(serializers.Serializer):
    reason = serializers.CharField()
    user_message = serializers.CharField(allow_null=True)
    policy_uuids = serializers.ListField(child=serializers.UUIDField())
    metadata = _JsonObject()


class CanRedeemElementOutput(serializers.Serializer):
    """One element of can-redeem's list (built by the view, rendered as it is)."""

    content_key = serializers.CharField()
    list_price = ListPriceOutput()
    redemptions = TransactionOutput(many=True)
    has_successful_redemption = serializers.BooleanField()
    redeemable_subsidy_access_policy = PolicyOutput(allow_null=True)
    can_redeem = serializers.BooleanField()
    reasons = ReasonOutput(many=True)
    display_reason = ReasonOutput(allow_null=True)
