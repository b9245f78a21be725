"""Jitterbit analytics API, /api/jitterbit/v1/ (seed 000_2b9586f1c01a88bb.txt; reference/edx_appsembler.md §3).

The same analytics as the Appsembler family (written once in api/analytics), on another path:
accounts by join date and enrollments by creation date (``course_id`` filter, no ``username``),
streamed as one JSON array (or CSV / NDJSON). Staff only. The seed's URL line for enrollments
repeats the accounts path; its example calls show the real one, enrollment/batch. Errors: the
family's one table, errors.ERRORS.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from coursegate.api.analytics import schemas as analytics_schemas
from coursegate.api.analytics import views as analytics
from coursegate.api.jitterbit.errors import ERRORS
from coursegate.api.jitterbit.permissions import IsJitterbitStaff
from coursegate.api.jitterbit.serializers import AccountsQueryInput, EnrollmentsQueryInput
from coursegate.core.api import FamilyApiView


class JitterbitApiView(FamilyApiView):
    permission_classes = [IsJitterbitStaff]
    error_table = ERRORS


@extend_schema_view(
    get=extend_schema(
        operation_id="jitterbit_accounts_batch",
        parameters=analytics.PARAMETERS,
        responses=analytics_schemas.batch_responses(analytics_schemas.AccountRowOutput),
        examples=[analytics_schemas.ACCOUNTS_EXAMPLE],
    )
)
class AccountsBatchView(JitterbitApiView, analytics.AccountsBatchView):
    """GET accounts/batch — [{username, date_joined, is_active, id, email}], streamed."""

    query_input = AccountsQueryInput


@extend_schema_view(
    get=extend_schema(
        operation_id="jitterbit_enrollment_batch",
        parameters=[analytics.COURSE_ID, *analytics.PARAMETERS],
        responses=analytics_schemas.batch_responses(analytics_schemas.EnrollmentRowOutput),
        examples=[analytics_schemas.ENROLLMENTS_EXAMPLE],
    )
)
class EnrollmentBatchView(JitterbitApiView, analytics.EnrollmentBatchView):
    """GET enrollment/batch — [{username, course_id, user_id, enrollment_id, date_enrolled}], streamed."""

    query_input = EnrollmentsQueryInput
