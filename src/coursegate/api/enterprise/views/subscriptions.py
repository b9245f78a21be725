"""Enterprise API — subscription plans and their licenses (seed 003_daa74488a5860cfd.txt
"subscriptions", "licenses/assign", "licenses/bulk-revoke"; reference/enterprise.md §4.5–4.7).

Decisions where the seed and the reference services differ (ARCHITECTURE.md, issue 4):
``revocations`` is the seed's ``{"total", "used", "remaining"}`` (null without a cap); bulk revoke
is atomic as the seed says (204, or 404/400 naming the e-mails with nothing revoked) and accepts
both filter shapes; an unknown plan is 404 and another customer's plan 403 (the reference
answers 403 for both); no 423 "locked" answer: concurrent assigns wait for the plan's row lock.
"""

from __future__ import annotations

import uuid as uuid_lib

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import SubscriptionPagination
from coursegate.api.enterprise.permissions import administered_customers, parse_uuid, require_admin_of
from coursegate.api.enterprise.serializers_subscriptions import (
    LicenseAssignInput,
    LicenseAssignOutput,
    LicenseBulkRevokeInput,
    SubscriptionListQuery,
    SubscriptionPlanOutput,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.subscriptions.selectors import (
    plan_current,
    plan_get,
    plan_summaries,
    plans_for_customer,
    plans_for_customers,
)
from coursegate.subscriptions.services import licenses_assign, licenses_bulk_revoke


def _parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _admin_plan(request, plan_uuid: str):
    """The plan named in the path, for an admin of its customer (or an operator). Callers with no
    admin role at all get 403 whatever the plan; then unknown plan 404, another customer's 403."""
    if administered_customers(request) == set():
        raise exceptions.PermissionDenied()
    plan = plan_get(parse_uuid(plan_uuid))
    if plan is None:
        raise exceptions.NotFound()
    require_admin_of(request, plan.customer_id)
    return plan


def _valid_uuids(values) -> set[uuid_lib.UUID]:
    """Role contexts that are customer uuids (anything else in a token names no customer)."""
    uuids = set()
    for value in values:
        try:
            uuids.add(uuid_lib.UUID(value))
        except ValueError:
            continue
    return uuids


class SubscriptionListView(EnterpriseApiView):
    """GET /enterprise/v1/subscriptions — 200 page of plans; 400 bad uuid or ``current`` without a
    customer; 403 no admin role, or another customer named; 404 page out of range."""

    @extend_schema(
        operation_id="enterprise_subscriptions_list",
        parameters=[
            OpenApiParameter(
                "enterprise_customer_uuid", OpenApiTypes.UUID, description="Only this customer's active plans"
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("current", OpenApiTypes.BOOL, description="true: at most one plan, the one in force now"),
        ],
        responses={200: SubscriptionPlanOutput(many=True)},
    )
    def get(self, request):
        customers = administered_customers(request)
        if customers == set():
            raise exceptions.PermissionDenied()
        raw_customer = request.query_params.get("enterprise_customer_uuid", "").strip()
        current = _parse(SubscriptionListQuery, {"current": request.query_params.get("current") or "false"})["current"]
        customer_uuid = parse_uuid(raw_customer, not_found=False) if raw_customer else None
        if customer_uuid is not None:
            require_admin_of(request, customer_uuid)
        if current:
            if customer_uuid is None:
                raise exceptions.ValidationError(
                    {"detail": "current=true needs enterprise_customer_uuid: the current plan is a customer's."}
                )
            plan = plan_current(customer_uuid=customer_uuid)
            plans = [plan] if plan is not None else []
        elif customer_uuid is not None:
            plans = plans_for_customer(customer_uuid=customer_uuid)
        else:
            plans = plans_for_customers(customer_uuids=None if customers is None else _valid_uuids(customers))
        paginator = SubscriptionPagination()
        page = paginator.paginate_queryset(plans, request, view=self)
        return paginator.get_paginated_response(SubscriptionPlanOutput(plan_summaries(page), many=True).data)


class LicenseAssignView(EnterpriseApiView):
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
        plan = _admin_plan(request, plan_uuid)
        data = _parse(LicenseAssignInput, request.data)
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


class LicenseBulkRevokeView(EnterpriseApiView):
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
        plan = _admin_plan(request, plan_uuid)
        data = _parse(LicenseBulkRevokeInput, request.data)
        licenses_bulk_revoke(
            plan=plan, user_emails=data.get("user_emails"), filters=data.get("filters"), actor=request.user
        )
        return HttpResponse(status=204)  # no body at all (a JSON renderer would write "null")
