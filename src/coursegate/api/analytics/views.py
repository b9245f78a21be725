"""GET accounts/batch and enrollment/batch: the analytics lists, streamed (ARCHITECTURE.md
"Analytics"; seeds 001 and 000; reference/edx_appsembler.md §2-3).

Written once; each mounting family keeps a thin subclass that derives from its own base view
(permissions: staff only; its error table) and from one of these, and carries its own
``extend_schema`` (operation ids and parameters of its contract). Bodies are streamed with flat
memory: one JSON array by default, CSV or NDJSON by ``?format=`` or the Accept header; with
``limit``, one keyset page and a ``Link: <...>; rel="next"`` header when more rows follow.
Whole lists on PostgreSQL come already formatted by the database (reporting/formatted.py); pages,
and every list on SQLite, are rendered from rows here (core/streaming.py): the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from coursegate.api.analytics.serializers import MAX_LIMIT, AccountsQueryInput, EnrollmentsQueryInput
from coursegate.core.api import FamilyApiView
from coursegate.core.permissions import IsStaff
from coursegate.core.serializers import parse
from coursegate.core.streaming import (
    FORMATS,
    RECORDS,
    SEPARATORS,
    StreamFormatNegotiation,
    negotiate_format,
    streamed_chunks,
    streamed_queryset,
)
from coursegate.reporting.formatted import formats_rows_in_database
from coursegate.reporting.selectors import (
    ACCOUNT_FIELDS,
    ENROLLMENT_FIELDS,
    accounts_formatted,
    accounts_joined_between,
    enrollments_created_between,
    enrollments_formatted,
)

# The documented parameters (the query serializers are the parsers; ``update_min`` is accepted
# but, as in the seeds' own parameter lists, not documented).
_BOUND = {
    "type": "string",
    "description": "YYYY-MM-DD or an ISO 8601 date-time; empty: no bound",
    "anyOf": [{"format": "date"}, {"format": "date-time"}, {"maxLength": 0}],
}
PARAMETERS = [
    OpenApiParameter("updated_min", _BOUND, description="Inclusive; YYYY-MM-DD or ISO 8601 (update_min too)"),
    OpenApiParameter("updated_max", _BOUND, description="Exclusive; a date-only value covers that day"),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        description="Keyset page size; a Link rel=next header names the next page",
    ),
    OpenApiParameter("after_id", {"type": "integer", "minimum": 0}, description="Only rows with a larger id"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=list(FORMATS),
        description="json (default), csv or ndjson; or Accept: text/csv / application/x-ndjson",
    ),
]
COURSE_ID = OpenApiParameter("course_id", OpenApiTypes.STR)
USERNAME = OpenApiParameter("username", OpenApiTypes.STR)


class BatchView(FamilyApiView):
    """A streamed list: ``query_input`` parses the query string, ``select`` reads the rows
    (``select_formatted`` reads them already formatted, on PostgreSQL)."""

    permission_classes = [IsStaff]  # the mounting family's base view sets its own (staff only too)
    content_negotiation_class = StreamFormatNegotiation

    query_input: ClassVar[type[serializers.Serializer]]
    select: Callable  # a selector of coursegate.reporting, as a staticmethod
    select_formatted: Callable  # its formatting twin (reporting.selectors.*_formatted), as a staticmethod
    fields: ClassVar[Sequence[str]]
    id_field: ClassVar[str]

    def get(self, request):
        data = parse(self.query_input, request.query_params)
        if data["limit"] is None and formats_rows_in_database():
            fmt = negotiate_format(request)
            chunks = self.select_formatted(data["query"], record=RECORDS[fmt], separator=SEPARATORS[fmt])
            return streamed_chunks(chunks, fields=self.fields, fmt=fmt)
        rows = self.select(data["query"])
        return streamed_queryset(request, rows, fields=self.fields, id_field=self.id_field, limit=data["limit"])


class AccountsBatchView(BatchView):
    """GET accounts/batch — [{username, date_joined, is_active, id, email}], every account (inactive
    included) filtered on ``date_joined``; 400 {param: [message]} for a bad parameter."""

    query_input = AccountsQueryInput
    select = staticmethod(accounts_joined_between)
    select_formatted = staticmethod(accounts_formatted)
    fields = ACCOUNT_FIELDS
    id_field = "id"


class EnrollmentBatchView(BatchView):
    """GET enrollment/batch — [{username, course_id, user_id, enrollment_id, date_enrolled}], active
    and inactive enrollments filtered on their creation; 400 {param: [message]} for a bad parameter."""

    query_input = EnrollmentsQueryInput
    select = staticmethod(enrollments_created_between)
    select_formatted = staticmethod(enrollments_formatted)
    fields = ENROLLMENT_FIELDS
    id_field = "enrollment_id"
