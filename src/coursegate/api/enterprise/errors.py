"""Domain exception -> Enterprise API answer, in one table (seed 003_daa74488a5860cfd.txt;
reference/enterprise.md; ARCHITECTURE.md "Where the specification and the reference services
disagree").

Bodies are negotiated like every Enterprise answer: XML by default, JSON on request. Unknown
objects are the shared table's 404 ``{"detail": "Not found."}`` (core/errors.py); another
customer's object is DRF's 403 from the object permission (permissions.py).
"""

from __future__ import annotations

from django.http import HttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coursegate.api.enterprise.serializers.contains import NO_KEYS, NoContentKeysError
from coursegate.assignments.exceptions import (
    AllocationRefusedError,
    AssignmentsNotActionableError,
    NoAssignmentsToActOnError,
    PolicyLockedError,
    RedemptionRefusedError,
)
from coursegate.core.errors import ErrorTable
from coursegate.enterprise_jobs.exceptions import (
    BulkEnrollmentJobCustomerMismatchError,
    BulkEnrollmentRequestInvalidError,
)
from coursegate.subscriptions.exceptions import (
    LicenseAssignInputError,
    LicenseFilterError,
    LicenseNotFoundError,
    LicenseRevocationFailure,
    LicenseRevokedError,
    LicenseRevokeInputError,
    LicenseShortageError,
    NoPendingLicensesError,
    RevokeAllCapError,
)


def _allocation_refused(exc: AllocationRefusedError) -> Response:
    body = dict(exc.entry)
    if exc.error_message:
        body["error_message"] = exc.error_message
    return Response([body], status=422)


def _not_actionable(exc: AssignmentsNotActionableError) -> Response:
    reminding = exc.action == "remind"
    label = "non_remindable_assignment_uuids" if reminding else "non_cancelable_assignment_uuids"
    return Response(
        {
            "detail": f"Nothing was changed: some assignments cannot be {'reminded' if reminding else 'cancelled'}.",
            "unknown_assignment_uuids": exc.unknown,
            label: exc.not_actionable,
        },
        status=422,
    )


def _revocation_failure(status: int):
    """The failing e-mails, each with its error (the shape of license-manager's per-e-mail
    failures, so admin portals written against it read it), under a one-line ``detail``."""

    def rule(exc: LicenseRevocationFailure) -> Response:
        return Response(
            {
                "detail": exc.message,
                "unsuccessful_revocations": [
                    {"user_email": email, "error": exc.message, "error_response_status": status} for email in exc.emails
                ],
            },
            status=status,
        )

    return rule


ERRORS: ErrorTable = {
    # Unknown catalogs, content, plans, policies, configurations: core.exceptions.NotFoundError,
    # answered by the shared table (404 {"detail": "Not found."}).
    # Subscriptions and licenses
    LicenseShortageError: lambda exc: Response({"detail": exc.message}, status=400),
    LicenseAssignInputError: lambda exc: Response({"non_field_errors": [exc.message]}, status=400),
    LicenseRevokeInputError: lambda exc: Response({"non_field_errors": [exc.message]}, status=400),
    LicenseFilterError: lambda exc: Response({"filters": [exc.message]}, status=400),
    LicenseNotFoundError: _revocation_failure(404),
    LicenseRevocationFailure: _revocation_failure(400),  # cap reached, any other failure
    # The learner's and the admin's license endpoints (reference/learner_side.md §3.1, §4.6)
    LicenseRevokedError: lambda exc: Response({"detail": exc.message}, status=422),
    RevokeAllCapError: lambda exc: Response({"detail": exc.message}, status=422),
    NoPendingLicensesError: lambda exc: Response({"detail": exc.message}, status=404),
    # contains_content_items without any key: the reference's bare list (learner_side.md §6.1)
    NoContentKeysError: lambda exc: Response([NO_KEYS], status=400),
    # Policies and assignments
    AllocationRefusedError: _allocation_refused,
    AssignmentsNotActionableError: _not_actionable,
    # remind-all / cancel-all with nothing to act on: the reference's empty 404 (learner_side.md §5.4)
    NoAssignmentsToActOnError: lambda exc: HttpResponse(status=404),
    # Learner credit redemption (learner_side.md §5.3): the reasons list; the lock is retryable.
    RedemptionRefusedError: lambda exc: Response(exc.entries, status=422),
    PolicyLockedError: lambda exc: Response({"detail": exc.message}, status=429),
    # Bulk license enrollment jobs
    BulkEnrollmentRequestInvalidError: lambda exc: Response(exc.errors, status=400),
    # A job read through another customer than its own: DRF's 403 body, as an object permission's.
    BulkEnrollmentJobCustomerMismatchError: lambda exc: Response(
        {"detail": PermissionDenied.default_detail}, status=403
    ),
}
