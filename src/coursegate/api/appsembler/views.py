"""Appsembler API, /appsembler_api/v0/ (seed 001_5eba60f39cd742d9.txt; reference/edx_appsembler.md §2).

Server-to-server integration endpoints: every one needs a staff token (others get 403). The
seed's bodies are kept, including its quirks, with ARCHITECTURE.md's decisions: account creation
answers both ``user_id`` and the legacy ``"user_id "`` (trailing space); enrollment codes are
single-use; the analytics lists (written once in api/analytics, shared with the Jitterbit family)
are streamed. Errors: the family's one table, errors.ERRORS.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.response import Response

from coursegate.accounts.selectors import user_require_by_username
from coursegate.api.analytics import schemas as analytics_schemas
from coursegate.api.analytics import views as analytics
from coursegate.api.appsembler import schemas
from coursegate.api.appsembler.errors import ERRORS
from coursegate.api.appsembler.permissions import IsAppsemblerStaff
from coursegate.api.appsembler.serializers import (
    AccountCreatedOutput,
    AccountCreateInput,
    AccountOutput,
    BulkEnrollInput,
    CodesGeneratedOutput,
    CodeStatusInput,
    EnrollmentsByUserQueryInput,
    EnrollWithCodeInput,
    GenerateCodesInput,
)
from coursegate.codes.services import code_redeem, code_set_status, codes_generate
from coursegate.core.api import FamilyApiView
from coursegate.core.parsers import ControlCharactersJSONParser, StrictFormParser, StrictMultiPartParser
from coursegate.core.serializers import parse
from coursegate.courses.selectors import course_run_require, course_runs_require
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollments_bulk_change
from coursegate.enterprise.registration import user_register

SUCCESS = {"success": "true"}  # Contract (appsembler v0): "true" as a string, as the seed shows


class AppsemblerApiView(FamilyApiView):
    permission_classes = [IsAppsemblerStaff]
    error_table = ERRORS


class AccountCreateView(AppsemblerApiView):
    """POST accounts/create — 200 {"user_id", "user_id "}; 400 wrong parameters; 409 exists.
    Pending allowed-enrollments of the e-mail address are applied to the new account."""

    @extend_schema(
        operation_id="appsembler_account_create",
        request=AccountCreateInput,
        responses={
            200: schemas.ACCOUNT_CREATED,
            400: OpenApiResponse(description='{"user_message": "Wrong parameters on user creation", "field_errors"}'),
            409: OpenApiResponse(description='{"user_message": "User already exists"}'),
        },
    )
    def post(self, request):
        data = parse(AccountCreateInput, request.data)
        user = user_register(**data)
        return Response(AccountCreatedOutput(user).data)


class AccountGetView(AppsemblerApiView):
    """GET accounts/get-user/{username} — 200 {"id", "user_id", "user_id "} (the username); 404."""

    @extend_schema(
        operation_id="appsembler_account_get",
        responses={
            200: schemas.ACCOUNT,
            404: OpenApiResponse(description='{"user_message": "User does not exist"}'),
        },
    )
    def get(self, request, username: str):
        return Response(AccountOutput(user_require_by_username(username)).data)


class CodesGenerateView(AppsemblerApiView):
    """POST enrollment-codes/generate — 200 {course_id, codes, course_url}; 400 bad count; 404 course."""

    @extend_schema(
        operation_id="appsembler_codes_generate",
        request=GenerateCodesInput,
        responses={200: CodesGeneratedOutput},
    )
    def post(self, request):
        data = parse(GenerateCodesInput, request.data)
        run = course_run_require(data["course_id"].strip())
        codes = codes_generate(course_run=run, count=data["total_registration_codes"], actor=request.user)
        return Response(CodesGeneratedOutput({"course_run": run, "codes": codes}).data)


class CodeEnrollUserView(AppsemblerApiView):
    """POST enrollment-codes/enroll-user — 200 {"success": "true"}; 400 {"success": "false", "reason"}."""

    @extend_schema(
        operation_id="appsembler_codes_enroll_user",
        request=EnrollWithCodeInput,
        responses={
            200: schemas.SUCCESS,
            400: schemas.CODE_REFUSED,
        },
    )
    def post(self, request):
        data = parse(EnrollWithCodeInput, request.data)
        code_redeem(code=data["enrollment_code"], email=data["email"], actor=request.user)
        return Response(SUCCESS)


class CodeStatusView(AppsemblerApiView):
    """POST enrollment-codes/status — action cancel|restore; 200 {"success": "true"}; 400 unknown
    code or action."""

    @extend_schema(
        operation_id="appsembler_codes_status",
        request=CodeStatusInput,
        responses={
            200: schemas.SUCCESS,
            400: schemas.CODE_REFUSED,
        },
    )
    def post(self, request):
        data = parse(CodeStatusInput, request.data)
        code_set_status(code=data["enrollment_code"], action=data["action"], actor=request.user)
        return Response(SUCCESS)


class BulkEnrollView(AppsemblerApiView):
    """POST bulk-enrollment/bulk-enroll — 200 per course, per identifier before/after states;
    400 validation errors (DRF shape); 404 {"detail": "Not found"} for an unknown course."""

    # Contract (seed 001): its bulk-enroll sample has raw line breaks inside JSON strings.
    parser_classes = [ControlCharactersJSONParser, StrictFormParser, StrictMultiPartParser]

    @extend_schema(
        operation_id="appsembler_bulk_enroll",
        request=BulkEnrollInput,
        responses={200: schemas.BULK_ENROLLED},
    )
    def post(self, request):
        params = parse(BulkEnrollInput, request.data)
        outcomes = enrollments_bulk_change(
            action=params["action"],
            identifiers=params["identifiers"],
            course_runs=course_runs_require(params["courses"]),
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


# --- Analytics (api/analytics, mounted here and in the Jitterbit family) ----------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="appsembler_analytics_accounts",
        parameters=analytics.PARAMETERS,
        responses=analytics_schemas.batch_responses(analytics_schemas.AccountRowOutput),
        examples=[analytics_schemas.ACCOUNTS_EXAMPLE],
    )
)
class AccountsBatchView(AppsemblerApiView, analytics.AccountsBatchView):
    """GET analytics/accounts/batch — every account (filtered on date_joined), a streamed array."""


@extend_schema_view(
    get=extend_schema(
        operation_id="appsembler_analytics_enrollments",
        parameters=[analytics.COURSE_ID, analytics.USERNAME, *analytics.PARAMETERS],
        responses=analytics_schemas.batch_responses(analytics_schemas.EnrollmentRowOutput),
        examples=[analytics_schemas.ENROLLMENTS_EXAMPLE],
    )
)
class EnrollmentBatchView(AppsemblerApiView, analytics.EnrollmentBatchView):
    """GET analytics/enrollment/batch — enrollments, active or not (filtered on creation), streamed;
    filtered on ``username`` too (an Appsembler filter only)."""

    query_input = EnrollmentsByUserQueryInput
