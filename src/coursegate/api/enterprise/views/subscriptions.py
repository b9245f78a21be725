"""Enterprise API — subscription plans and their licenses (seed 003_daa74488a5860cfd.txt
"subscriptions", "licenses/assign", "licenses/bulk-revoke"; reference/enterprise.md §4.5–4.7).

Decisions where the seed and the reference services differ (ARCHITECTURE.md, issue 4):
``revocations`` is the seed's ``{"total", "used", "remaining"}`` (null without a cap); bulk revoke
is atomic as the seed says (204, or 404/400 naming the e-mails with nothing revoked) and accepts
both filter shapes; an unknown plan is 404 and another customer's plan 403 (the reference
answers 403 for both); no 423 "locked" answer: concurrent assigns wait for the plan's row lock.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import SubscriptionPagination
from coursegate.api.enterprise.permissions import IsAnyCustomerAdmin, administered_customers
from coursegate.api.enterprise.serializers.subscriptions import (
    LicenseAssignInput,
    LicenseAssignOutput,
    LicenseBulkRevokeInput,
    SubscriptionListQuery,
    SubscriptionPlanOutput,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.core.serializers import parse
from coursegate.subscriptions.selectors import (
    plan_current,
    plan_get,
    plan_summaries,
    plans_for_customer,
    plans_for_customers,
)
from coursegate.subscriptions.services import licenses_assign, licenses_bulk_revoke


class SubscriptionApiView(EnterpriseApiView):
    """Callers who administer no customer at all get 403 before anything is looked up."""

    permission_classes = [IsAnyCustomerAdmin]

    def get_plan(self, plan_uuid: str):
        """The plan named in the path: 404 unknown (or malformed), 403 another customer's."""
        plan = plan_get(plan_uuid=plan_uuid)
        self.check_object_permissions(self.request, plan)
        return plan


class SubscriptionListView(SubscriptionApiView):
    """GET /enterprise/v1/subscriptions — 200 page of plans; 400 bad uuid or ``current`` without a
    customer; 403 no admin role, or another customer named; 404 page out of range."""

    pagination_class = SubscriptionPagination

    @extend_schema(
        operation_id="enterprise_subscriptions_list",
        parameters=[SubscriptionListQuery, OpenApiParameter("page", OpenApiTypes.INT)],
        responses={200: SubscriptionPlanOutput(many=True)},
    )
    def get(self, request):
        query = parse(SubscriptionListQuery, request.query_params)
        customer_uuid = query["customer_uuid"]
        if customer_uuid is not None:
            self.check_object_permissions(request, customer_uuid)  # known to this server or not
        if query["current"]:
            plan = plan_current(customer_uuid=customer_uuid)
            plans = [plan] if plan is not None else []
        elif customer_uuid is not None:
            plans = plans_for_customer(customer_uuid=customer_uuid)
        else:
            plans = plans_for_customers(customer_uuids=administered_customers(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(plans, request, view=self)
        return paginator.get_paginated_response(SubscriptionPlanOutput(plan_summaries(page), many=True).data)


class LicenseAssignView(SubscriptionApiView):
    """POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/assign — 200 {num_successful_assignments,
    num_already_associated, license_assignments}; 400 bad body or not enough licenses (nothing
    assigned); 403 not an admin of the plan's customer; 404 unknown plan."""

    @extend_schema(
        operation_id="enterprise_licenses_assign",
        request=LicenseAssignInput,
        responses={
            200: LicenseAssignOutput,
            400: OpenApiResponse(description="Field errors, or {detail} when the plan has too few unassigned licenses"),
        },
    )
    def post(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        data = parse(LicenseAssignInput, request.data)
        result = licenses_assign(
            plan=plan,
            emails=data["user_emails"],
            user_sfids=data.get("user_sfids"),
            greeting=data["greeting"],
            closing=data["closing"],
            notify=data["notify_users"],
            actor=request.user,
        )
        return Response(LicenseAssignOutput(result).data)


class LicenseBulkRevokeView(SubscriptionApiView):
    """POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/bulk-revoke — 204 all revoked; 404 an
    e-mail without an assigned/activated license, 400 bad body, revocation cap reached or any other
    failure (both bodies name the e-mails; nothing revoked); 403 not an admin; 404 unknown plan."""

    @extend_schema(
        operation_id="enterprise_licenses_bulk_revoke",
        request=LicenseBulkRevokeInput,
        responses={
            204: OpenApiResponse(description="Every license revoked"),
            400: OpenApiResponse(
                description="{detail, unsuccessful_revocations: [{user_email, error, error_response_status}]}"
            ),
            404: OpenApiResponse(description="{detail, unsuccessful_revocations: [...]}: e-mails without a license"),
        },
    )
    def post(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        data = parse(LicenseBulkRevokeInput, request.data)
        licenses_bulk_revoke(
            plan=plan, user_emails=data.get("user_emails"), filters=data.get("filters"), actor=request.user
        )
        return HttpResponse(status=204)  # no body at all (a JSON renderer would write "null")
