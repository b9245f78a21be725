"""Enterprise API — learner credit redemption (reference/learner_side.md §5.1–5.3).
Skeleton: the routes exist; the views are being built (issue 12)."""

from __future__ import annotations

from coursegate.api.enterprise.views.base import EnterpriseApiView


class CreditsAvailableView(EnterpriseApiView):
    """GET /enterprise/v1/policy-redemption/credits_available/ (to be built)."""


class CanRedeemView(EnterpriseApiView):
    """GET /enterprise/v1/policy-redemption/enterprise-customer/{customer_uuid}/can-redeem/ (to be built)."""


class PolicyRedeemView(EnterpriseApiView):
    """POST /enterprise/v1/policy-redemption/{policy_uuid}/redeem/ (to be built)."""
