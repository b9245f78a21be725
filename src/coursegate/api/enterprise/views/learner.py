"""Enterprise API — the learner's licenses (reference/learner_side.md §3; license-manager's
``license-activation`` and ``learner-licenses``).

A learner acts on its own licenses only: they are found by its account's e-mail (or the account
they were activated by), so another learner's activation key is a 404 like an unknown one. The
customer's learners, admins and operators may call; anyone else gets 403. Check order (§2): the
license or customer named, then the role, then the rest of the query, then the license's state.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import LearnerLicensePagination
from coursegate.api.enterprise.permissions import IsCustomerLearnerOrAdmin
from coursegate.api.enterprise.serializers.learner import (
    ActivationQuery,
    LearnerCustomerQuery,
    LearnerLicenseOutput,
    LearnerLicensesQuery,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.core.serializers import parse
from coursegate.enterprise_jobs.activation import license_activate_and_release_rows
from coursegate.subscriptions.learner import (
    customer_agreement,
    learner_license_get,
    learner_licenses,
)
from coursegate.subscriptions.selectors import plan_summaries

AUTH_RESPONSES = {
    401: OpenApiResponse(description="No token, or an invalid one"),
    403: OpenApiResponse(description="Not a learner or an admin of the customer (nor an operator)"),
}


def render_licenses(licenses, agreement: dict | None) -> list:
    """Learner license objects, each with its plan: the plans' summaries in two queries."""
    plans = {license.plan_id: license.plan for license in licenses}
    summaries = {summary.plan.uuid: summary for summary in plan_summaries(plans.values())}
    context = {"summaries": summaries, "agreement": agreement}
    return LearnerLicenseOutput(licenses, many=True, context=context).data


class LicenseActivationView(EnterpriseApiView):
    """POST /enterprise/v1/license-activation/?activation_key=<uuid> — 200 the license, activated
    (activating it again changes nothing); 400 key missing or not a uuid; 401; 403 no learner or
    admin role on the license's customer; 404 no license with that key for the caller's e-mail in
    a plan active now; 422 the license is revoked."""

    permission_classes = [IsCustomerLearnerOrAdmin]

    @extend_schema(
        operation_id="enterprise_license_activation",
        parameters=[ActivationQuery],
        request=None,
        responses={
            200: LearnerLicenseOutput,
            400: OpenApiResponse(description='{"detail": "activation_key is a required parameter"} or not a uuid'),
            404: OpenApiResponse(description='{"detail": "Not found."}: no such key for the caller'),
            422: OpenApiResponse(description='{"detail": "Cannot activate a revoked license."}'),
            **AUTH_RESPONSES,
        },
    )
    def post(self, request):
        key = parse(ActivationQuery, request.query_params)["activation_key"]
        license = learner_license_get(user=request.user, activation_key=key)
        self.check_object_permissions(request, license)
        license = license_activate_and_release_rows(license=license, user=request.user)
        agreement = customer_agreement(customer_uuid=license.plan.customer_id)
        return Response(render_licenses([license], agreement)[0])


class LearnerLicensesView(EnterpriseApiView):
    """GET /enterprise/v1/learner-licenses/?enterprise_customer_uuid=<uuid> — 200 page {count,
    next, previous, num_pages, current_page, start, results, customer_agreement} of the caller's
    licenses in the customer's plans (active, current, not revoked by default); 400 customer
    missing or not a uuid, a bad flag or page size; 401; 403 not a learner or admin of that
    customer; 404 page out of range."""

    permission_classes = [IsCustomerLearnerOrAdmin]
    pagination_class = LearnerLicensePagination

    @extend_schema(
        operation_id="enterprise_learner_licenses",
        parameters=[LearnerLicensesQuery],
        responses={200: LearnerLicenseOutput(many=True), **AUTH_RESPONSES},
    )
    def get(self, request):
        customer_uuid = parse(LearnerCustomerQuery, request.query_params)["enterprise_customer_uuid"]
        self.check_object_permissions(request, customer_uuid)  # known to this server or not
        query = parse(LearnerLicensesQuery, request.query_params)
        licenses = learner_licenses(
            user=request.user,
            customer_uuid=customer_uuid,
            active_plans_only=query["active_plans_only"],
            current_plans_only=query["current_plans_only"],
            include_revoked=query["include_revoked"],
            search=query["search"].strip(),
            ordering=query["ordering"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(licenses, request, view=self)
        paginator.customer_agreement = agreement = customer_agreement(customer_uuid=customer_uuid)
        return paginator.get_paginated_response(render_licenses(page, agreement))
