"""Appsembler API, /appsembler_api/v0/ (seed 001_5eba60f39cd742d9.txt; reference/edx_appsembler.md §2).

Server-to-server integration endpoints: every one needs a staff token (others get 403). The
seed's bodies are kept, including its quirks, with ARCHITECTURE.md's decisions: account creation
answers both ``user_id`` and the legacy ``"user_id "`` (trailing space); enrollment codes are
single-use; the analytics lists are streamed.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coursegate.accounts.exceptions import AccountInvalidError
from coursegate.accounts.selectors import user_get_by_username
from coursegate.accounts.services import user_create
from coursegate.api.appsembler import errors
from coursegate.api.appsembler.serializers import (
    AccountCreateInput,
    BulkEnrollInput,
    CodeStatusInput,
    EnrollWithCodeInput,
    GenerateCodesInput,
)
from coursegate.codes.services import code_redeem, code_set_status, codes_generate
from coursegate.core.parsers import LenientJSONParser
from coursegate.core.permissions import IsStaff
from coursegate.core.streaming import StreamFormatNegotiation, streamed_queryset
from coursegate.courses.selectors import course_run_get, course_runs_by_key
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollments_bulk_change
from coursegate.reporting.filters import analytics_filter_from_params
from coursegate.reporting.selectors import (
    ACCOUNT_FIELDS,
    ENROLLMENT_FIELDS,
    accounts_joined_between,
    enrollments_created_between,
)

SUCCESS = {"success": "true"}  # Contract (appsembler v0): "true" as a string, as the seed shows


def _text(data, name: str) -> str:
    value = data.get(name) if hasattr(data, "get") else None
    return value.strip() if isinstance(value, str) else ""


class AppsemblerApiView(APIView):
    permission_classes = [IsStaff]
    # The seed's bulk-enroll sample has line breaks inside JSON strings: accept them.
    parser_classes = [LenientJSONParser, FormParser, MultiPartParser]

    def get_exception_handler(self):
        return errors.exception_handler


class AccountCreateView(AppsemblerApiView):
    """POST accounts/create — 200 {"user_id", "user_id "}; 400 wrong parameters; 409 exists."""

    @extend_schema(
        operation_id="appsembler_account_create",
        request=AccountCreateInput,
        responses={
            200: OpenApiResponse(description='{"user_id": 65, "user_id ": 65}'),
            400: OpenApiResponse(description='{"user_message": "Wrong parameters on user creation", "field_errors"}'),
            409: OpenApiResponse(description='{"user_message": "User already exists"}'),
        },
    )
    def post(self, request):
        data = request.data
        missing = {
            name: ["This field is required."]
            for name in ("username", "password", "email", "name")
            if not _text(data, name)
        }
        if missing:
            raise AccountInvalidError(missing)
        user = user_create(
            username=_text(data, "username"),
            email=_text(data, "email"),
            password=data.get("password"),
            name=_text(data, "name"),
        )
        # Contract (appsembler v0): legacy key "user_id " with a trailing space, beside the canonical one.
        return Response({"user_id": user.pk, "user_id ": user.pk})


class AccountGetView(AppsemblerApiView):
    """GET accounts/get-user/{username} — 200 {"id", "user_id", "user_id "} (the username); 404."""

    @extend_schema(
        operation_id="appsembler_account_get",
        responses={
            200: OpenApiResponse(description='{"id": 7, "user_id": "honor", "user_id ": "honor"}'),
            404: OpenApiResponse(description="No such user"),
        },
    )
    def get(self, request, username: str):
        user = user_get_by_username(username)
        if user is None:
            return Response({"user_message": "User does not exist"}, status=404)
        return Response({"id": user.pk, "user_id": user.username, "user_id ": user.username})


class CodesGenerateView(AppsemblerApiView):
    """POST enrollment-codes/generate — 200 {course_id, codes, course_url}; 400 bad count; 404 course."""

    @extend_schema(
        operation_id="appsembler_codes_generate",
        request=GenerateCodesInput,
        responses={200: OpenApiResponse(description="course_id, codes, course_url")},
    )
    def post(self, request):
        data = GenerateCodesInput(data=request.data)
        data.is_valid(raise_exception=True)
        course_id = data.validated_data["course_id"].strip()
        run = course_run_get(course_id)
        if run is None:
            return Response({"detail": "Not found."}, status=404)
        codes = codes_generate(
            course_run=run, count=data.validated_data["total_registration_codes"], actor=request.user
        )
        return Response(
            {
                "course_id": run.key,
                "codes": [code.code for code in codes],
                "course_url": f"/courses/{run.key}/about",
            }
        )


class CodeEnrollUserView(AppsemblerApiView):
    """POST enrollment-codes/enroll-user — 200 {"success": "true"}; 400 {"success": "false", "reason"}."""

    @extend_schema(
        operation_id="appsembler_codes_enroll_user",
        request=EnrollWithCodeInput,
        responses={
            200: OpenApiResponse(description='{"success": "true"}'),
            400: OpenApiResponse(description='{"success": "false", "reason": "Course full."}'),
        },
    )
    def post(self, request):
        code_redeem(code=_text(request.data, "enrollment_code"), email=_text(request.data, "email"), actor=request.user)
        return Response(SUCCESS)


class CodeStatusView(AppsemblerApiView):
    """POST enrollment-codes/status — action cancel|restore; 200 {"success": "true"}; 400 unknown code."""

    @extend_schema(
        operation_id="appsembler_codes_status",
        request=CodeStatusInput,
        responses={
            200: OpenApiResponse(description='{"success": "true"}'),
            400: OpenApiResponse(description="Unknown code or action"),
        },
    )
    def post(self, request):
        action = _text(request.data, "action")
        if action not in ("cancel", "restore"):
            return Response({"success": "false", "reason": "The action must be 'cancel' or 'restore'."}, status=400)
        code_set_status(code=_text(request.data, "enrollment_code"), action=action, actor=request.user)
        return Response(SUCCESS)


class BulkEnrollView(AppsemblerApiView):
    """POST bulk-enrollment/bulk-enroll — 200 per course, per identifier before/after states;
    400 validation errors (DRF shape); 404 {"detail": "Not found"} for an unknown course."""

    @extend_schema(
        operation_id="appsembler_bulk_enroll",
        request=BulkEnrollInput,
        responses={200: OpenApiResponse(description="The seed's action/courses/results structure")},
    )
    def post(self, request):
        data = BulkEnrollInput(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        runs = course_runs_by_key(params["courses"])
        if len(runs) != len(params["courses"]):
            return Response({"detail": "Not found"}, status=404)
        ordered_runs = [runs[key] for key in params["courses"]]
        outcomes = enrollments_bulk_change(
            action=params["action"],
            identifiers=params["identifiers"],
            course_runs=ordered_runs,
            auto_enroll=params["auto_enroll"],
            actor=request.user,
            source=Source.APPSEMBLER,
            notify=params["email_students"],
        )
        courses = {
            key: {
                "action": params["action"],
                "results": [_result_row(row) for row in rows],
                "auto_enroll": params["auto_enroll"],
            }
            for key, rows in outcomes.items()
        }
        return Response(
            {
                "action": params["action"],
                "courses": courses,
                "email_students": params["email_students"],
                "auto_enroll": params["auto_enroll"],
            }
        )


def _state(state) -> dict:
    return {
        "enrollment": state.enrollment,
        "allowed": state.allowed,
        "user": state.user,
        "auto_enroll": state.auto_enroll,
    }


def _result_row(row) -> dict:
    if row.invalid:
        return {"identifier": row.identifier, "invalidIdentifier": True}
    if row.error:
        return {"identifier": row.identifier, "error": True}
    return {"identifier": row.identifier, "after": _state(row.after), "before": _state(row.before)}


ANALYTICS_PARAMS = [
    OpenApiParameter("updated_min", OpenApiTypes.STR, description="YYYY-MM-DD or ISO 8601, inclusive"),
    OpenApiParameter("updated_max", OpenApiTypes.STR, description="Exclusive; a date-only value covers that day"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Keyset page size (1..10000)"),
    OpenApiParameter("after_id", OpenApiTypes.INT, description="Only rows with a larger id"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv", "ndjson"],
        description="Or Accept: text/csv / application/x-ndjson",
    ),
]


class AccountsBatchView(AppsemblerApiView):
    """GET analytics/accounts/batch — every account (filtered on date_joined), a streamed array."""

    content_negotiation_class = StreamFormatNegotiation

    @extend_schema(
        operation_id="appsembler_analytics_accounts",
        parameters=ANALYTICS_PARAMS,
        responses={200: OpenApiResponse(description="[{username, date_joined, is_active, id, email}]")},
    )
    def get(self, request):
        f = analytics_filter_from_params(request.query_params, allow_username=False, allow_course=False)
        return streamed_queryset(
            request, accounts_joined_between(f), fields=ACCOUNT_FIELDS, id_field="id", limit=f.limit
        )


class EnrollmentBatchView(AppsemblerApiView):
    """GET analytics/enrollment/batch — enrollments, active or not (filtered on creation), streamed."""

    content_negotiation_class = StreamFormatNegotiation

    @extend_schema(
        operation_id="appsembler_analytics_enrollments",
        parameters=[
            OpenApiParameter("course_id", OpenApiTypes.STR),
            OpenApiParameter("username", OpenApiTypes.STR),
            *ANALYTICS_PARAMS,
        ],
        responses={200: OpenApiResponse(description="[{username, course_id, user_id, enrollment_id, date_enrolled}]")},
    )
    def get(self, request):
        f = analytics_filter_from_params(request.query_params, allow_username=True)
        return streamed_queryset(
            request, enrollments_created_between(f), fields=ENROLLMENT_FIELDS, id_field="enrollment_id", limit=f.limit
        )
