"""Webhooks API, /api/webhooks/v1/ (issue 14 §3): staff manage the subscriptions that receive the
change feed (delivery: coursegate/webhooks/delivery.py; user guide: docs/webhooks.md).

Every endpoint is for staff users (401 without or with a bad token, 403 for anyone else). Errors:
the family's one table, errors.ERRORS (400 ``{field: [message]}`` for a subscription that breaks
the rules, or a list query the document does not allow; 404 ``{"detail": "Not found."}`` for an
unknown uuid or a page past the last).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from coursegate.api.webhooks.errors import ERRORS
from coursegate.api.webhooks.permissions import IsWebhooksStaff
from coursegate.api.webhooks.serializers import (
    MAX_PAGE_SIZE,
    PingOutput,
    SubscriptionCreatedOutput,
    SubscriptionCreateInput,
    SubscriptionOutput,
    SubscriptionPageInput,
    SubscriptionPageOutput,
)
from coursegate.core.api import FamilyApiView
from coursegate.core.serializers import parse
from coursegate.webhooks.selectors import subscription_get, subscriptions_list
from coursegate.webhooks.services import subscription_create, subscription_delete, subscription_ping

TAGS = ["Webhooks"]
PAGE_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="From 1; past the last page: 404"),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                     description=f"1 to {MAX_PAGE_SIZE} (default 100)"),
]  # fmt: skip
UUID_PARAMETER = OpenApiParameter("subscription_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
UNKNOWN = OpenApiResponse(_DETAIL, description='No subscription with this uuid: {"detail": "Not found."}')


class SubscriptionPagination(PageNumberPagination):
    """DRF's page-number paging (its links keep ``page_size``), fed the page and size the view has
    already parsed (SubscriptionPageInput) instead of reading the query string again."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def __init__(self, query: dict):
        self.query = query

    def get_page_size(self, request) -> int:
        return self.query.get("page_size", self.page_size)

    def get_page_number(self, request, paginator) -> int:
        return self.query.get("page", 1)


class WebhooksApiView(FamilyApiView):
    permission_classes = [IsWebhooksStaff]
    error_table = ERRORS


class SubscriptionListView(WebhooksApiView):
    """GET, POST /api/webhooks/v1/subscriptions — 200 a page of subscriptions (400 a page or
    page_size out of range or repeated; 404 a page past the last); 201 the new one with its secret
    (shown once); 400 a field that breaks the rules, or an unknown one."""

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_subscriptions_list",
        summary="List the webhook subscriptions",
        parameters=PAGE_PARAMETERS,
        responses={
            200: SubscriptionPageOutput,
            400: OpenApiResponse(
                description="A page or page_size the document does not allow, or given twice: "
                '{"page": ["Must be at least 1."]}'
            ),
            404: OpenApiResponse(_DETAIL, description='A page past the last: {"detail": "Invalid page."}'),
        },
    )
    def get(self, request):
        paginator = SubscriptionPagination(parse(SubscriptionPageInput, request.query_params))
        page = paginator.paginate_queryset(subscriptions_list(), request, view=self)
        return paginator.get_paginated_response(SubscriptionOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_subscriptions_create",
        summary="Create a webhook subscription (its secret is shown once)",
        request=SubscriptionCreateInput,
        responses={
            201: SubscriptionCreatedOutput,
            400: OpenApiResponse(
                description="{field: [message, ...]}: a field that breaks the rules, an unknown "
                "field, or a receiver on a private network (the SSRF guard)"
            ),
        },
    )
    def post(self, request):
        data = parse(SubscriptionCreateInput, request.data)
        subscription = subscription_create(
            url=data["url"], event_types=data["event_types"], secret=data.get("secret"), actor=request.user
        )
        return Response(SubscriptionCreatedOutput(subscription).data, status=201)


class SubscriptionDetailView(WebhooksApiView):
    """GET, DELETE /api/webhooks/v1/subscriptions/{uuid} — 200 the subscription; 204 deleted; 404 unknown."""

    @extend_schema(
        tags=TAGS, operation_id="webhooks_subscriptions_read", summary="A webhook subscription",
        parameters=[UUID_PARAMETER], responses={200: SubscriptionOutput, 404: UNKNOWN},
    )  # fmt: skip
    def get(self, request, subscription_uuid: str):
        return Response(SubscriptionOutput(subscription_get(subscription_uuid=subscription_uuid)).data)

    @extend_schema(
        tags=TAGS, operation_id="webhooks_subscriptions_delete", summary="Delete a webhook subscription",
        parameters=[UUID_PARAMETER], responses={204: None, 404: UNKNOWN},
    )  # fmt: skip
    def delete(self, request, subscription_uuid: str):
        subscription_delete(subscription=subscription_get(subscription_uuid=subscription_uuid))
        return HttpResponse(status=204)  # no body at all (a JSON renderer would write "null")


class SubscriptionPingView(WebhooksApiView):
    """POST /api/webhooks/v1/subscriptions/{uuid}/ping — 200 {delivered, status_code, error,
    duration_ms}: a test event sent now, and what the receiver answered; 404 unknown."""

    @extend_schema(
        tags=TAGS, operation_id="webhooks_subscriptions_ping", summary="Send a test event to the receiver now",
        parameters=[UUID_PARAMETER], request=None,
        responses={200: PingOutput, 404: UNKNOWN},
    )  # fmt: skip
    def post(self, request, subscription_uuid: str):
        outcome = subscription_ping(subscription=subscription_get(subscription_uuid=subscription_uuid))
        return Response(PingOutput(outcome).data)
