"""Exception -> Open edX Enrollment API answer, in one table (``ERRORS``).

Bodies are ``{"message": ...}`` as the reference's hand-written errors (reference/edx_appsembler.md
§1.6 step 13), with the few exceptions the reference has: an empty 404 when a learner names
another user, the staff listing's ``field_errors``. The input serializers (serializers.py) shape
their own errors as the contract's body. DRF's own request errors (unparseable JSON, unsupported
media type, method not allowed, bad cursor) are given the ``{"message": ...}`` shape;
authentication, permission and throttling keep DRF's ``{"detail": ...}``, which are the seeds' bodies.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from coursegate.api.edx_enrollment.serializers import CourseDetailsOutput
from coursegate.core.errors import ErrorTable
from coursegate.core.exceptions import NotFoundError
from coursegate.courses.selectors import course_run_get
from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)

# --- What this contract answers that the domain does not know -----------------------------------


class OtherUserHiddenError(NotFoundError):
    """A learner named another user (reference §1.1 "Who may act for other users")."""

    def __init__(self, name: str):
        super().__init__("user", name)


class ModeNeedsStaffError(Exception):
    """A learner asked for a mode other than audit or honor (reference §1.6 step 5)."""

    def __init__(self, mode: str):
        super().__init__(mode)
        self.mode = mode


class UserNotFoundError(NotFoundError):
    """Staff named a username that has no account (reference §1.6 step 6)."""

    def __init__(self, username: str):
        super().__init__("user", username)


class EmailNotFoundError(NotFoundError):
    """Staff named an e-mail address that has no account (reference §1.6 step 4)."""

    def __init__(self, email: str):
        super().__init__("user with e-mail", email)


class CourseNotFoundError(NotFoundError):
    """Course details of an unknown or malformed course run id (reference §1.4)."""

    def __init__(self, course_id: str):
        super().__init__("course run", course_id)


class EnrollmentCourseNotFoundError(NotFoundError):
    """An enrollment into a course run that does not exist (reference §1.6 step 13)."""

    def __init__(self, course_id: str):
        super().__init__("course run", course_id)


# --- The rules -----------------------------------------------------------------------------------


def _message(status: int, text):
    """A rule answering ``{"message": text(exc)}`` with ``status``."""

    def rule(exc) -> Response:
        return Response({"message": text(exc)}, status=status)

    return rule


def _hidden(exc: OtherUserHiddenError) -> HttpResponse:
    # Contract: 404 with an empty body, not 403, so another user's enrollments are not revealed (OX-V).
    return HttpResponse(status=404)


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


ERRORS: ErrorTable = {
    OtherUserHiddenError: _hidden,
    ModeNeedsStaffError: _message(
        403, lambda exc: f"User does not have permission to create enrollment with mode [{exc.mode}]."
    ),
    UserNotFoundError: _message(406, lambda exc: f"The user {exc.key} does not exist."),
    EmailNotFoundError: _message(406, lambda exc: f"The user with the email address {exc.key} does not exist."),
    CourseNotFoundError: _message(400, lambda exc: f"No course found for course ID '{exc.key}'"),
    EnrollmentCourseNotFoundError: _message(400, lambda exc: f"No course '{exc.key}' found for enrollment"),
    CourseModeUnavailableError: _mode_unavailable,
    InvitationRequiredError: _refused("invitation_required"),
    EnrollmentClosedError: _refused("enrollment_closed"),
    CourseFullError: _refused("course_full"),
    EnrollmentModeMismatchError: _message(
        400,
        lambda exc: (
            f"Enrollment mode mismatch: active mode={exc.active_mode}, "
            f"requested mode={exc.requested_mode}. Won't deactivate."
        ),
    ),
}

# Authentication, permission and throttling keep DRF's {"detail": ...} (the seeds' bodies).
_DETAIL_ERRORS = (
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
    exceptions.Throttled,
)


def request_error(exc, context) -> Response | None:
    """DRF's own request errors, in this family's shapes, with DRF's status and headers: an input
    serializer's errors are already the contract's body; any other error (bad JSON, unsupported
    media type, method not allowed, bad cursor) answers ``{"message": ...}``."""
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        return Response(exc.detail, status=exc.status_code)
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, _DETAIL_ERRORS):
        detail = exc.detail if isinstance(exc.detail, str) else "Invalid request."
        response = Response({"message": str(detail)}, status=exc.status_code)
        if isinstance(exc, exceptions.MethodNotAllowed):
            response["Allow"] = ", ".join(context["view"].allowed_methods)
        return response
    return None
