"""Webhooks API, /api/webhooks/v1/ (issue 14 §3): staff manage the subscriptions that receive the
change feed (delivery: coursegate/webhooks/delivery.py; user guide: docs/webhooks.md).

Every endpoint is for staff users (401 without or with a bad token, 403 for anyone else). Errors:
the family's one table, errors.ERRORS (400 ``{field: [message]}`` for a subscription that breaks
the rules; 404 ``{"detail": "Not found."}`` for an unknown uuid).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from coursegate.api.webhooks.errors import ERRORS
from coursegate.api.webhooks.permissions import IsWebhooksStaff
from coursegate.api.webhooks.serializers import (
    PingOutput,
    SubscriptionCreatedOutput,
    SubscriptionCreateInput,
    SubscriptionOutput,
    SubscriptionPageOutput,
)
from coursegate.core.api import FamilyApiView
from coursegate.core.serializers import parse
from coursegate.webhooks.selectors import subscription_get, subscriptions_list
from coursegate.webhooks.services import subscription_create, subscription_delete, subscription_ping

TAGS = ["Webhooks"]


class SubscriptionPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class WebhooksApiView(FamilyApiView):
    permission_classes = [IsWebhooksStaff]
    error_table = ERRORS


class SubscriptionListView(WebhooksApiView):
    """GET, POST /api/webhooks/v1/subscriptions — 200 a page of subscriptions; 201 the new one with
    its secret (shown once); 400 a field that breaks the rules."""

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_subscriptions_list",
        summary="List the webhook subscriptions",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={200: SubscriptionPageOutput},
    )
    def get(self, request):
        paginator = SubscriptionPagination()
        page = paginator.paginate_queryset(subscriptions_list(), request, view=self)
        return paginator.get_paginated_response(SubscriptionOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_subscriptions_create",
        summary="Create a webhook subscription (its secret is shown once)",
        request=SubscriptionCreateInput,
        responses={201: SubscriptionCreatedOutput, 400: OpenApiResponse(description="{field: [message, ...]}")},
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
        responses={200: SubscriptionOutput},
    )  # fmt: skip
    def get(self, request, subscription_uuid: str):
        return Response(SubscriptionOutput(subscription_get(subscription_uuid=subscription_uuid)).data)

    @extend_schema(
        tags=TAGS, operation_id="webhooks_subscriptions_delete", summary="Delete a webhook subscription",
        responses={204: None},
    )  # fmt: skip
    def delete(self, request, subscription_uuid: str):
        subscription_delete(subscription=subscription_get(subscription_uuid=subscription_uuid))
        return Response(status=204)


class SubscriptionPingView(WebhooksApiView):
    """POST /api/webhooks/v1/subscriptions/{uuid}/ping — 200 {delivered, status_code, error,
    duration_ms}: a test event sent now, and what the receiver answered; 404 unknown."""

    @extend_schema(
        tags=TAGS, operation_id="webhooks_subscriptions_ping", summary="Send a test event to the receiver now",
        request=None, responses={200: PingOutput},
    )  # fmt: skip
    def post(self, request, subscription_uuid: str):
        outcome = subscription_ping(subscription=subscription_get(subscription_uuid=subscription_uuid))
        return Response(PingOutput(outcome).data)
