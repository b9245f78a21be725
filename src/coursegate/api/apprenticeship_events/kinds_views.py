"""The rest of the events service (reference/events_and_clients.md §1.2-1.8; issue 14 §1):
agreement events (/api/events/engagements), account events (/api/events/accounts), generic
events (/api/events/create, getSinceEvent, getByDateRange, getByResourceId) and
/api/HealthCheck.

The apprenticeship events' rules throughout (views.py): a kind's reading and writing roles
(permissions.py; 401 without a valid token, 403 without the role), bodies and query strings parsed
by the input serializers (kinds_serializers.py: 400 ``{field: [message]}``), pages as bare JSON
arrays with a ``Link rel="next"`` when full, 201 with the stored event and a ``Location`` that
reads it back.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from coursegate.api.apprenticeship_events.kinds_serializers import (
    AccountEventInput,
    AccountEventOutput,
    AgreementEventInput,
    AgreementEventOutput,
    GenericDateRangeInput,
    GenericEventInput,
    GenericEventOutput,
    GenericResourceInput,
    GenericSinceInput,
)
from coursegate.api.apprenticeship_events.permissions import (
    CanReadAccountEvents,
    CanReadAgreementEvents,
    CanReadGenericEvents,
    CanStoreAccountEvents,
    CanStoreAgreementEvents,
    CanWriteGenericEvents,
)
from coursegate.api.apprenticeship_events.serializers import EventQueryInput
from coursegate.api.apprenticeship_events.views import EventsApiView, _location, page_response
from coursegate.core.serializers import parse
from coursegate.events.selectors import (
    account_events_page,
    agreement_events_page,
    generic_events_page,
)
from coursegate.events.services import account_event_store, agreement_event_store, generic_event_store

BAD_QUERY = OpenApiResponse(description="{parameter: [message]}")
BAD_BODY = OpenApiResponse(description="{field: [message]}")
ENGAGEMENTS, ACCOUNTS, SINCE = "/api/events/engagements", "/api/events/accounts", "/api/events/getSinceEvent"


def _stored(request, stored, output, path: str) -> Response:
    response = Response(output(stored).data, status=201)
    response["Location"] = _location(request, stored.id, 1, path)
    return response


class AgreementEventsView(EventsApiView):
    """GET (ReadAgreementEvent): a page of agreement events, as apprenticeship events are paged.
    POST (StoreAgreementEvent): store one; 201 with it and a Location; 400 naming every bad field."""

    read_permission = CanReadAgreementEvents
    write_permission = CanStoreAgreementEvents

    @extend_schema(
        operation_id="events_agreement_list",
        parameters=[EventQueryInput],
        responses={200: AgreementEventOutput(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse(EventQueryInput, request.query_params)
        rows = agreement_events_page(query)
        return page_response(request, query, rows, AgreementEventOutput(rows, many=True).data)

    @extend_schema(
        operation_id="events_agreement_store",
        request=AgreementEventInput,
        responses={201: AgreementEventOutput, 400: BAD_BODY},
    )
    def post(self, request):
        stored = agreement_event_store(event=parse(AgreementEventInput, request.data))
        return _stored(request, stored, AgreementEventOutput, ENGAGEMENTS)


class AccountEventsView(EventsApiView):
    """GET (ReadAccountEvent): a page of account events, as apprenticeship events are paged.
    POST (StoreAccountEvent): store one; 201 with it and a Location; 400 naming every bad field."""

    read_permission = CanReadAccountEvents
    write_permission = CanStoreAccountEvents

    @extend_schema(
        operation_id="events_account_list",
        parameters=[EventQueryInput],
        responses={200: AccountEventOutput(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse(EventQueryInput, request.query_params)
        rows = account_events_page(query)
        return page_response(request, query, rows, AccountEventOutput(rows, many=True).data)

    @extend_schema(
        operation_id="events_account_store",
        request=AccountEventInput,
        responses={201: AccountEventOutput, 400: BAD_BODY},
    )
    def post(self, request):
        stored = account_event_store(event=parse(AccountEventInput, request.data))
        return _stored(request, stored, AccountEventOutput, ACCOUNTS)


class GenericEventView(EventsApiView):
    read_permission = CanReadGenericEvents
    write_permission = CanWriteGenericEvents


class GenericEventCreateView(GenericEventView):
    """POST /create (WriteGenericEvent): append one generic event; 201 with it (the reference
    echoes the posted object) and a Location reading it through getSinceEvent; 400 naming every
    bad field."""

    @extend_schema(
        operation_id="events_generic_create",
        request=GenericEventInput,
        responses={201: GenericEventOutput, 400: BAD_BODY},
    )
    def post(self, request):
        stored = generic_event_store(event=parse(GenericEventInput, request.data))
        return _stored(request, stored, GenericEventOutput, SINCE)


class GenericSinceEventView(GenericEventView):
    """GET /getSinceEvent (ReadGenericEvent): events with ``id >= fromEventId`` in id order,
    optionally of one ``eventType`` — the feed's cursor: ids are committed in order, so a reader
    continuing from its last id + 1 (the Link header) never skips an event."""

    @extend_schema(
        operation_id="events_generic_since",
        parameters=[GenericSinceInput],
        responses={200: GenericEventOutput(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse(GenericSinceInput, request.query_params)
        rows = generic_events_page(query)
        return page_response(request, query, rows, GenericEventOutput(rows, many=True).data)


class GenericByDateRangeView(GenericEventView):
    """GET /getByDateRange (ReadGenericEvent): events created in ``[fromDate, toDate)``,
    optionally of one ``eventType``, in creation order."""

    @extend_schema(
        operation_id="events_generic_by_date_range",
        parameters=[GenericDateRangeInput],
        responses={200: GenericEventOutput(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse(GenericDateRangeInput, request.query_params)
        rows = generic_events_page(query)
        return page_response(request, query, rows, GenericEventOutput(rows, many=True).data)


class GenericByResourceView(GenericEventView):
    """GET /getByResourceId (ReadGenericEvent): the events of one resource (``resourceType`` and
    ``resourceId``, both required), optionally within ``[fromDate, toDate)``, in creation order."""

    @extend_schema(
        operation_id="events_generic_by_resource",
        parameters=[GenericResourceInput],
        responses={200: GenericEventOutput(many=True), 400: BAD_QUERY},
    )
    def get(self, request):
        query = parse(GenericResourceInput, request.query_params)
        rows = generic_events_page(query)
        return page_response(request, query, rows, GenericEventOutput(rows, many=True).data)


class HealthCheckView(APIView):
    """GET /api/HealthCheck: 200 with an empty body, no token needed (reference §1.2: the
    events service's own probe; /health and /health/ready are the server's)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="events_health_check", auth=[], responses={200: OpenApiResponse(description="empty")})
    def get(self, request):
        return HttpResponse(status=200, content_type="text/plain")  # no body at all (a renderer would write null)
