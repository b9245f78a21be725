"""Domain exception -> Appsembler API answer, in one table (seed 001; reference §2)."""

from __future__ import annotations

from rest_framework.response import Response

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.codes.exceptions import (
    AlreadyEnrolledError,
    EnrollmentCodeNotFoundError,
    EnrollmentCodeUnusableError,
    EnrollmentCodeUserNotFoundError,
)
from coursegate.core.errors import family_exception_handler
from coursegate.enrollments.exceptions import CourseFullError, CourseModeUnavailableError, EnrollmentClosedError
from coursegate.reporting.filters import InvalidFilterError


def _code_failure(reason: str):
    # Contract: the seed's bodies carry "success" as the string "false".
    return lambda exc: Response({"success": "false", "reason": reason}, status=400)


ERRORS = {
    AccountInvalidError: lambda exc: Response(
        {"user_message": "Wrong parameters on user creation", "field_errors": exc.field_errors}, status=400
    ),
    AccountExistsError: lambda exc: Response({"user_message": "User already exists"}, status=409),
    EnrollmentCodeUnusableError: _code_failure("Enrollment code error."),
    CourseModeUnavailableError: _code_failure("Enrollment code error."),
    EnrollmentCodeUserNotFoundError: _code_failure("User not found."),
    EnrollmentClosedError: _code_failure("Enrollment closed."),
    CourseFullError: _code_failure("Course full."),
    AlreadyEnrolledError: _code_failure("Already enrolled."),
    EnrollmentCodeNotFoundError: lambda exc: Response(
        {"success": "false", "reason": f"The enrollment code ({exc.code}) was not found"}, status=400
    ),
    InvalidFilterError: lambda exc: Response({exc.param: [exc.message]}, status=400),
}

exception_handler = family_exception_handler(ERRORS)
