"""Apprenticeship Events API, /api/events/apprenticeships (seed 004_2ed8256fba468e57.txt;
reference/events_and_clients.md Part 1; issue 6 decides where they differ).

Permissions come from the token's roles: ``StoreApprenticeshipEvent`` to write,
``ReadApprenticeshipEvent`` to read (permissions.py). Missing permission: 403. Bodies and query
strings are parsed by the input serializers (serializers.py); domain errors are answered by the
family's table (errors.py).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.apprenticeship_events.errors import ERRORS
from coursegate.api.apprenticeship_events.parsers import ExactJSONParser
from coursegate.api.apprenticeship_events.permissions import (
    CanReadApprenticeshipEvents,
    CanStoreApprenticeshipEvents,
    permission_for,
)
from coursegate.api.apprenticeship_events.serializers import (
    EventBulkInput,
    EventInput,
    EventOutput,
    EventQueryInput,
)
from coursegate.core.api import FamilyApiView
from coursegate.core.permissions import HasRole
from coursegate.core.serializers import parse
from coursegate.events.selectors import EventQuery, events_page
from coursegate.events.services import event_store, events_store


class EventsApiView(FamilyApiView):
    """The family's base view: one kind's reading and writing permissions, the exact JSON parser,
    the family's error table."""

    parser_classes = [ExactJSONParser]
    error_table = ERRORS
    read_permission: ClassVar[type[HasRole]] = CanReadApprenticeshipEvents
    write_permission: ClassVar[type[HasRole]] = CanStoreApprenticeshipEvents

    def get_permissions(self):
        return [permission_for(self.request.method, self.read_permission, self.write_permission)()]


def _location(request, first_id: int, count: int, path: str = "/api/events/apprenticeships") -> str:
    """Where a reader finds what was stored: the page by id starting at it."""
    query = urlencode({"fromEventId": first_id, "pageSize": max(count, 1)})
    return request.build_absolute_uri(f"{path}?{query}")


def page_response(request, query: EventQuery, rows: list[tuple], answered: list[dict]) -> Response:
    """A page as a bare JSON array, with a ``Link: <...>; rel="next"`` header when the page is
    full: by id the next page continues after the last id (keyset), by date it is the next
    page number."""
    response = Response(answered)
    if len(rows) == query.page_size:
        params = request.query_params.copy()
        if query.from_event_id > 0 or query.by_id:  # keyset: continue after the last id
            params["fromEventId"] = str(rows[-1][0] + 1)
            params["pageNumber"] = "1"
        else:
            params["pageNumber"] = str(query.page_number + 1)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
    return response


class ApprenticeshipEventsView(EventsApiView):
    """GET (ReadApprenticeshipEvent): a page of events, a bare JSON array, with a Link rel="next"
    header when a further page exists; 400 for a bad parameter.
    POST (StoreApprenticeshipEvent): store one event; 201 with the event and a Location; 400 naming
    every field that breaks a rule."""

    @extend_schema(
        operation_id="apprenticeship_events_list",
        parameters=[EventQueryInput],
        responses={200: EventOutput(many=True), 400: OpenApiResponse(description="{parameter: [message]}")},
    )
    def get(self, request):
        query = parse(EventQueryInput, request.query_params)
        events = events_page(query)
        return page_response(request, query, events, EventOutput(events, many=True).data)

    @extend_schema(
        operation_id="apprenticeship_events_store",
        request=EventInput,
        responses={201: EventOutput, 400: OpenApiResponse(description="{field: [message]}")},
    )
    def post(self, request):
        event = event_store(event=parse(EventInput, request.data))
        response = Response(EventOutput(event).data, status=201)
        response["Location"] = _location(request, event.id, 1)
        return response


class ApprenticeshipEventsBulkView(EventsApiView):
    """POST /bulk (StoreApprenticeshipEvent): a JSON array of events stored in one transaction —
    all or none; 201 with the stored events; 400 with one error map per event."""

    @extend_schema(
        operation_id="apprenticeship_events_store_bulk",
        request=EventBulkInput,
        responses={201: EventOutput(many=True), 400: OpenApiResponse(description="[{field: [message]}, ...]")},
    )
    def post(self, request):
        events = events_store(events=EventBulkInput.as_read(request.data))
        response = Response(EventOutput(events, many=True).data, status=201)
        if events:
            response["Location"] = _location(request, events[0].id, len(events))
        return response
