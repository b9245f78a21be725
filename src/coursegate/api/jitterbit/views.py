"""Jitterbit analytics API, /api/jitterbit/v1/ (seed 000_2b9586f1c01a88bb.txt; reference §3).

The same analytics as the Appsembler family, on another path: accounts by join date and
enrollments by creation date (``course_id`` filter, no ``username``), streamed as one JSON array
(or CSV / NDJSON). Staff only. The seed's URL line for enrollments repeats the accounts path;
its example calls show the real one, enrollment/batch.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from coursegate.core.errors import family_exception_handler
from coursegate.core.permissions import IsStaff
from coursegate.core.streaming import StreamFormatNegotiation, streamed_queryset
from coursegate.reporting.filters import InvalidFilterError, analytics_filter_from_params
from coursegate.reporting.selectors import (
    ACCOUNT_FIELDS,
    ENROLLMENT_FIELDS,
    accounts_joined_between,
    enrollments_created_between,
)

exception_handler = family_exception_handler(
    {InvalidFilterError: lambda exc: Response({exc.param: [exc.message]}, status=400)}
)

PARAMS = [
    OpenApiParameter("updated_min", OpenApiTypes.STR, description="YYYY-MM-DD or ISO 8601, inclusive"),
    OpenApiParameter("updated_max", OpenApiTypes.STR, description="Exclusive; a date-only value covers that day"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Keyset page size (1..10000)"),
    OpenApiParameter("after_id", OpenApiTypes.INT, description="Only rows with a larger id"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "ndjson"]),
]


class JitterbitApiView(APIView):
    permission_classes = [IsStaff]
    content_negotiation_class = StreamFormatNegotiation

    def get_exception_handler(self):
        return exception_handler


class AccountsBatchView(JitterbitApiView):
    """GET accounts/batch — [{username, date_joined, is_active, id, email}], streamed."""

    @extend_schema(
        operation_id="jitterbit_accounts_batch",
        parameters=PARAMS,
        responses={200: OpenApiResponse(description="Array of accounts")},
    )
    def get(self, request):
        f = analytics_filter_from_params(request.query_params, allow_username=False, allow_course=False)
        return streamed_queryset(
            request, accounts_joined_between(f), fields=ACCOUNT_FIELDS, id_field="id", limit=f.limit
        )


class EnrollmentBatchView(JitterbitApiView):
    """GET enrollment/batch — [{username, course_id, user_id, enrollment_id, date_enrolled}], streamed."""

    @extend_schema(
        operation_id="jitterbit_enrollment_batch",
        parameters=[OpenApiParameter("course_id", OpenApiTypes.STR), *PARAMS],
        responses={200: OpenApiResponse(description="Array of enrollments")},
    )
    def get(self, request):
        f = analytics_filter_from_params(request.query_params, allow_username=False)
        return streamed_queryset(
            request, enrollments_created_between(f), fields=ENROLLMENT_FIELDS, id_field="enrollment_id", limit=f.limit
        )
