"""Domain exception -> Appsembler API answer, in one table (seed 001; reference §2).

Installed by the family's base view (views.AppsemblerApiView). Exceptions not listed here fall
to the shared table (core/errors.py: an unknown object is 404 {"detail": "Not found."}), then to
DRF (authentication and permission errors, and input serializers' validation errors in DRF's
shape {field: [message]}, which is the seed's for bulk-enroll and the analytics lists).
"""

from __future__ import annotations

from rest_framework.response import Response

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError, UserNotFoundError
from coursegate.api.appsembler.serializers import AccountParametersError, CodeStatusError
from coursegate.codes.exceptions import (
    AlreadyEnrolledError,
    EnrollmentCodeNotFoundError,
    EnrollmentCodeUnusableError,
    EnrollmentCodeUserNotFoundError,
)
from coursegate.core.errors import ErrorTable
from coursegate.courses.exceptions import CourseRunsNotFoundError
from coursegate.enrollments.exceptions import CourseFullError, CourseModeUnavailableError, EnrollmentClosedError

WRONG_PARAMETERS = "Wrong parameters on user creation"


def _wrong_parameters(field_errors) -> Response:
    return Response({"user_message": WRONG_PARAMETERS, "field_errors": field_errors}, status=400)


def _code_failure(reason: str):
    # Contract: the seed's bodies carry "success" as the string "false".
    return lambda exc: Response({"success": "false", "reason": reason}, status=400)


def _code_status_refused(exc: CodeStatusError) -> Response:
    [reason] = exc.detail["action"]
    return Response({"success": "false", "reason": str(reason)}, status=400)


ERRORS: ErrorTable = {
    # accounts/create, accounts/get-user
    AccountParametersError: lambda exc: _wrong_parameters(exc.detail),
    AccountInvalidError: lambda exc: _wrong_parameters(exc.field_errors),
    AccountExistsError: lambda exc: Response({"user_message": "User already exists"}, status=409),
    UserNotFoundError: lambda exc: Response({"user_message": "User does not exist"}, status=404),
    # enrollment-codes/enroll-user, enrollment-codes/status
    EnrollmentCodeUnusableError: _code_failure("Enrollment code error."),
    CourseModeUnavailableError: _code_failure("Enrollment code error."),
    EnrollmentCodeUserNotFoundError: _code_failure("User not found."),
    EnrollmentClosedError: _code_failure("Enrollment closed."),
    CourseFullError: _code_failure("Course full."),
    AlreadyEnrolledError: _code_failure("Already enrolled."),
    EnrollmentCodeNotFoundError: lambda exc: Response(
        {"success": "false", "reason": f"The enrollment code ({exc.code}) was not found"}, status=400
    ),
    CodeStatusError: _code_status_refused,
    # bulk-enrollment/bulk-enroll. Contract (seed 001, "Bulk Enrollment" error response): the body is
    # {"detail": "Not found"} without the period of the shared 404 (which enrollment-codes/generate
    # answers for its one unknown course).
    CourseRunsNotFoundError: lambda exc: Response({"detail": "Not found"}, status=404),
}
