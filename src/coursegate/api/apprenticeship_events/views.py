"""Apprenticeship Events API, /api/events/apprenticeships (seed 004_2ed8256fba468e57.txt;
reference/events_and_clients.md Part 1; issue 6 decides where they differ).

Permissions come from the token's roles: ``StoreApprenticeshipEvent`` to write,
``ReadApprenticeshipEvent`` to read (our JWTs' ``roles`` claim, a trusted issuer's ``roles`` or
space-separated ``data`` claim, or role assignments for opaque tokens). Missing permission: 403.
"""

from __future__ import annotations

import decimal
import json
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from coursegate.api.apprenticeship_events.serializers import (
    EventInput,
    EventOutput,
    event_as_dict,
    event_row_as_dict,
)
from coursegate.core.errors import family_exception_handler
from coursegate.events.exceptions import EventInvalidError, EventQueryInvalidError
from coursegate.events.selectors import event_query_from_params, events_page
from coursegate.events.services import event_store, events_store

STORE, READ = "StoreApprenticeshipEvent", "ReadApprenticeshipEvent"

exception_handler = family_exception_handler(
    {
        EventInvalidError: lambda exc: Response(exc.errors, status=400),
        EventQueryInvalidError: lambda exc: Response(exc.errors, status=400),
    }
)


def _holds(role: str):
    class HoldsRole(BasePermission):
        """403 with the foundation's body when the token lacks ``role``."""

        def has_permission(self, request, view) -> bool:
            credential = request.auth
            return bool(request.user and request.user.is_authenticated and credential is not None
                        and credential.has_role(role))  # fmt: skip

    HoldsRole.__name__ = f"Holds{role}"
    return HoldsRole


class ExactJSONParser(JSONParser):
    """JSON with numbers kept exact (costs are decimals); a malformed body is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json.load(stream, parse_float=decimal.Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class EventsApiView(APIView):
    parser_classes = [ExactJSONParser]

    def get_exception_handler(self):
        return exception_handler

    def get_permissions(self):
        return [_holds(READ if self.request.method in ("GET", "HEAD", "OPTIONS") else STORE)()]


def _location(request, first_id: int, count: int) -> str:
    query = urlencode({"fromEventId": first_id, "pageSize": max(count, 1)})
    return request.build_absolute_uri(f"/api/events/apprenticeships?{query}")


class ApprenticeshipEventsView(EventsApiView):
    """GET (ReadApprenticeshipEvent): a page of events, a bare JSON array, with a Link rel="next"
    header when a further page exists; 400 for a bad parameter.
    POST (StoreApprenticeshipEvent): store one event; 201 with the event and a Location; 400 naming
    every field that breaks a rule."""

    @extend_schema(
        operation_id="apprenticeship_events_list",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="yyyyMMddHHmmss (UTC), inclusive; alias fromDate"),
            OpenApiParameter("to", OpenApiTypes.STR, description="yyyyMMddHHmmss (UTC), exclusive; alias toDate"),
            OpenApiParameter("fromDate", OpenApiTypes.STR),
            OpenApiParameter("toDate", OpenApiTypes.STR),
            OpenApiParameter("fromEventId", OpenApiTypes.INT, description="Inclusive; wins over dates"),
            OpenApiParameter("pageSize", OpenApiTypes.INT, description="1..10000, default 1000"),
            OpenApiParameter("pageNumber", OpenApiTypes.INT, description="1-based, default 1"),
        ],
        responses={200: EventOutput(many=True), 400: OpenApiResponse(description="{parameter: [message]}")},
    )
    def get(self, request):
        query = event_query_from_params(request.query_params)
        events = events_page(query)
        response = Response([event_row_as_dict(row) for row in events])
        if len(events) == query.page_size:
            params = request.query_params.copy()
            if query.from_event_id > 0:  # keyset: continue after the last id
                params["fromEventId"] = str(events[-1][0] + 1)
                params["pageNumber"] = "1"
            else:
                params["pageNumber"] = str(query.page_number + 1)
            response["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
        return response

    @extend_schema(
        operation_id="apprenticeship_events_store",
        request=EventInput,
        responses={201: EventOutput, 400: OpenApiResponse(description="{field: [message]}")},
    )
    def post(self, request):
        event = event_store(body=request.data)
        response = Response(event_as_dict(event), status=201)
        response["Location"] = _location(request, event.id, 1)
        return response


class ApprenticeshipEventsBulkView(EventsApiView):
    """POST /bulk (StoreApprenticeshipEvent): a JSON array of events stored in one transaction —
    all or none; 201 with the stored events; 400 with one error map per event."""

    @extend_schema(
        operation_id="apprenticeship_events_store_bulk",
        request=EventInput(many=True),
        responses={201: EventOutput(many=True), 400: OpenApiResponse(description="[{field: [message]}, ...]")},
    )
    def post(self, request):
        if not isinstance(request.data, list):
            return Response({"non_field_errors": ["Expected a JSON array of events."]}, status=400)
        events = events_store(bodies=request.data)
        response = Response([event_as_dict(e) for e in events], status=201)
        if events:
            response["Location"] = _location(request, events[0].id, len(events))
        return response
