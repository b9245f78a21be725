"""Enterprise API — learner credit redemption (reference/learner_side.md §5.1–5.3; enterprise-access
``SubsidyAccessPolicyRedeemViewset``: ``credits_available``, ``can_redeem``, ``redeem``).

Callers: learners, admins and operators of the customer. A learner acts for itself only: an
``lms_user_id`` other than its own is 403 (Coursegate's decision, §2); admins and operators may
name any learner. Check order (§5.3): unknown policy 404 -> role 403 -> body 400 -> acting for
someone else 403 -> policy locked 429 -> refusal 422 with the reasons.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.permissions import ADMIN_ROLES, IsCustomerLearnerOrAdmin
from coursegate.api.enterprise.serializers.redemption import (
    CanRedeemElementOutput,
    CanRedeemQuery,
    CreditsAvailableOutput,
    CreditsAvailableQuery,
    PolicyOutput,
    RedeemInput,
    TransactionOutput,
)
from coursegate.api.enterprise.views.assignments import rendering_context
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.assignments import redemption_selectors as sel
from coursegate.assignments.exceptions import RedemptionRefusedError
from coursegate.assignments.reasons import LEARNER_NOT_IN_ENTERPRISE, customer_admin_emails, reason_entry
from coursegate.assignments.redemption import policy_redeem, redemption_evaluate, refusal_entries
from coursegate.assignments.selectors import policy_get
from coursegate.core.permissions import role_contexts
from coursegate.core.serializers import parse
from coursegate.enterprise.selectors import customer_get

NO_ACTIVE_POLICIES = "No active policies for this customer"
AUTH_RESPONSES = {
    401: OpenApiResponse(description="No token, or an invalid one"),
    403: OpenApiResponse(
        description="Not a learner or an admin of the customer, or a learner naming another lms_user_id"
    ),
}


class RedemptionApiView(EnterpriseApiView):
    permission_classes = [IsCustomerLearnerOrAdmin]

    def learner_for(self, customer_id, lms_user_id: int | None):
        """The learner the caller acts for: itself, or (admins and operators of the customer) the
        one named. A learner naming someone else: 403. An unknown id: None."""
        if lms_user_id is None or lms_user_id == self.request.user.pk:
            return self.request.user
        administered = role_contexts(self.request, ADMIN_ROLES)
        if administered is not None and str(customer_id) not in administered:
            self.permission_denied(self.request)
        return sel.user_for_lms_id(lms_user_id)

    def policy_context(self) -> dict:
        def redeem_url(policy) -> str:
            path = reverse("enterprise-policy-redeem", kwargs={"policy_uuid": str(policy.uuid)})
            return self.request.build_absolute_uri(path.rstrip("/") + "/")  # the slash is optional: shown

        return {"redeem_url": redeem_url}


class CreditsAvailableView(RedemptionApiView):
    """GET /enterprise/v1/policy-redemption/credits_available/?enterprise_customer_uuid=&lms_user_id=
    — 200 bare list of the customer's policies with credit for that learner, each with the
    learner's assignments; 400 a parameter missing or invalid; 401; 403 no role on the customer, or
    a learner asking for another lms_user_id."""

    @extend_schema(
        operation_id="enterprise_policy_credits_available",
        parameters=[CreditsAvailableQuery],
        responses={200: CreditsAvailableOutput(many=True), **AUTH_RESPONSES},
    )
    def get(self, request):
        query = parse(CreditsAvailableQuery, request.query_params)
        customer_uuid = query["enterprise_customer_uuid"]
        self.check_object_permissions(request, customer_uuid)  # known to this server or not
        learner = self.learner_for(customer_uuid, query["lms_user_id"])
        if learner is None:
            return Response([])
        found = sel.policies_with_credit(customer_id=customer_uuid, user=learner, now=_now())
        assignments = [a for _, mine in found for a in mine]
        context = {**self.policy_context(), **rendering_context(assignments),
                   "assignments": {policy.uuid: mine for policy, mine in found}}  # fmt: skip
        return Response(CreditsAvailableOutput([policy for policy, _ in found], many=True, context=context).data)


class CanRedeemView(RedemptionApiView):
    """GET /enterprise/v1/policy-redemption/enterprise-customer/{customer_uuid}/can-redeem/?content_key=
    — 200 bare list, one element per content key: its list price, the learner's redemptions,
    whether one succeeded, the policy it can be redeemed with (or the reasons why not); 400
    ``content_key`` missing or not a course run key; 401; 403 no role on the customer, or a learner
    naming another lms_user_id; 404 unknown customer, or no active policy for it."""

    @extend_schema(
        operation_id="enterprise_policy_can_redeem",
        parameters=[CanRedeemQuery],
        responses={
            200: CanRedeemElementOutput(many=True),
            404: OpenApiResponse(description='{"detail": "No active policies for this customer"}'),
            **AUTH_RESPONSES,
        },
    )
    def get(self, request, customer_uuid: str):
        customer = customer_get(uuid=customer_uuid)
        self.check_object_permissions(request, customer)
        query = parse(CanRedeemQuery, request.query_params)
        learner = self.learner_for(customer.pk, query.get("lms_user_id"))
        if learner is None:
            return Response({"detail": "Could not determine a value for lms_user_id"}, status=404)
        policies = sel.redeemable_policies(customer_id=customer.pk, now=_now())
        if not policies:
            return Response({"detail": NO_ACTIVE_POLICIES}, status=404)
        context = self.policy_context()
        return Response([self._element(key, policies, learner, context) for key in query["content_key"]])

    def _element(self, content_key: str, policies, learner, context) -> dict:
        now = _now()
        redemptions = sel.transactions_for_learner(policy_ids=[p.pk for p in policies], user=learner,
                                                   content_key=content_key)  # fmt: skip
        successful = any(txn.reversed_at is None for txn in redemptions)
        evaluations = [] if successful else [
            redemption_evaluate(policy=policy, user=learner, content_key=content_key, now=now) for policy in policies
        ]  # fmt: skip
        redeemable = next((e for e in evaluations if e.can_redeem), None)
        reasons = [] if successful or redeemable else refusal_entries(evaluations)
        # The price the learner would pay: its allocated assignment's, else the catalog's.
        priced = redeemable or next((e for e in evaluations if e.assignment is not None), None)
        if priced is not None:
            cents = priced.price_cents
        else:
            cents = sel.catalog_price_cents(*sel.content_items_for(content_key))
        return {
            "content_key": content_key,
            "list_price": {"usd": cents / 100, "usd_cents": cents},
            "redemptions": [TransactionOutput(txn).data for txn in redemptions],
            "has_successful_redemption": successful,
            "redeemable_subsidy_access_policy": (
                PolicyOutput(redeemable.policy, context=context).data if redeemable else None
            ),
            "can_redeem": redeemable is not None,
            "reasons": reasons,
            "display_reason": reasons[0] if reasons else None,
        }


class PolicyRedeemView(RedemptionApiView):
    """POST /enterprise/v1/policy-redemption/{policy_uuid}/redeem/ — 200 the transaction (an
    identical retry after success: the same transaction, nothing spent again); 400 bad body; 401;
    403 no role on the policy's customer, or a learner naming another lms_user_id; 404 unknown
    policy; 429 the policy is locked by another redemption; 422 the reasons it cannot be redeemed."""

    @extend_schema(
        operation_id="enterprise_policy_redeem",
        request=RedeemInput,
        responses={
            200: TransactionOutput,
            422: OpenApiResponse(description="[{reason, user_message, policy_uuids, metadata}]"),
            429: OpenApiResponse(
                description='{"detail": "Enrollment currently locked for this subsidy access policy."}'
            ),
            **AUTH_RESPONSES,
        },
    )
    def post(self, request, policy_uuid: str):
        policy = policy_get(policy_uuid=policy_uuid)
        self.check_object_permissions(request, policy)
        data = parse(RedeemInput, request.data)
        learner = self.learner_for(policy.customer_id, data["lms_user_id"])
        if learner is None:
            # An unknown learner cannot be in the enterprise: the reference's refusal.
            raise RedemptionRefusedError(
                [reason_entry(LEARNER_NOT_IN_ENTERPRISE, [policy.pk], customer_admin_emails(policy.customer_id))]
            )
        result = policy_redeem(policy_uuid=policy.pk, user=learner, content_key=data["content_key"],
                               metadata=data["metadata"], actor=request.user)  # fmt: skip
        return Response(TransactionOutput(result.transaction).data)


def _now():
    return timezone.now()
