"""Domain exception -> Open edX Enrollment API answer, in one table.

Bodies are ``{"message": ...}`` as the reference's hand-written errors (reference/edx_appsembler.md
§1.6 step 13). DRF's own request errors (unparseable JSON, unsupported media type) are given the
same shape; authentication, permission and throttling keep DRF's ``{"detail": ...}``, which are
the seeds' bodies.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from coursegate.api.edx_enrollment.serializers import CourseDetailsOutput, EnrollmentPostError
from coursegate.core.errors import family_exception_handler
from coursegate.courses.selectors import course_run_get
from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)


def _contract_error(exc: EnrollmentPostError) -> Response:
    return Response(exc.body, status=exc.status)


def _mode_unavailable(exc: CourseModeUnavailableError) -> Response:
    run = course_run_get(exc.course_id)
    body = {
        "message": f"The [{exc.mode}] course mode is expired or otherwise unavailable for course run "
        f"[{exc.course_id}].",
    }
    if run is not None:
        body["course_details"] = CourseDetailsOutput(run, context={"now": timezone.now()}).data
    return Response(body, status=400)


def _refused(error_code: str):
    # Contract: closed and full answer the same generic message; ``error_code`` tells them apart.
    def rule(exc) -> Response:
        return Response(
            {
                "message": "An error occurred while creating the new course enrollment for user "
                f"'{exc.username}' in course '{exc.course_id}'",
                "error_code": error_code,
            },
            status=400,
        )

    return rule


def _mode_mismatch(exc: EnrollmentModeMismatchError) -> Response:
    return Response(
        {
            "message": f"Enrollment mode mismatch: active mode={exc.active_mode}, "
            f"requested mode={exc.requested_mode}. Won't deactivate."
        },
        status=400,
    )


# Authentication, permission and throttling keep DRF's {"detail": ...} (the seeds' bodies).
_DETAIL_ERRORS = (
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
    exceptions.Throttled,
)


def _request_error(exc, context):
    """Any other DRF error (bad JSON, unsupported media type, method not allowed, bad cursor)
    answers in this family's {"message": ...} shape, with DRF's status and headers."""
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, _DETAIL_ERRORS):
        detail = exc.detail if isinstance(exc.detail, str) else "Invalid request."
        response = Response({"message": str(detail)}, status=exc.status_code)
        if isinstance(exc, exceptions.MethodNotAllowed):
            response["Allow"] = ", ".join(context["view"].allowed_methods)
        return response
    return None


ERRORS = {
    EnrollmentPostError: _contract_error,
    CourseModeUnavailableError: _mode_unavailable,
    InvitationRequiredError: _refused("invitation_required"),
    EnrollmentClosedError: _refused("enrollment_closed"),
    CourseFullError: _refused("course_full"),
    EnrollmentModeMismatchError: _mode_mismatch,
}

exception_handler = family_exception_handler(ERRORS, fallback=_request_error)
