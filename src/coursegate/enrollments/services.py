"""Enrollment writes: the one enrollment service every API family calls.

This module is the app's public write interface; every name other apps use is importable from
here. The code lives by feature:
- enrollments/batch.py: ``enrollment_upsert``, ``enrollments_bulk_upsert`` and
  ``enrollments_bulk_deactivate``, one set-based pass holding every rule (modes, enrollment
  window, invitations, capacity; seed 002, reference/edx_appsembler.md §1.6) and the one
  deactivation path, at a constant number of queries per batch;
- enrollments/bulk_change.py: ``enrollments_bulk_change``, enrolling or unenrolling usernames and
  e-mail addresses in many runs (Appsembler bulk-enroll) in resolve / plan / apply / report steps;
- under both: enrollments/sql.py, the set-based statements (each a single statement whatever the
  number of rows, issue 10), and enrollments/bulk_rows.py, the cheap rows of a pass;
- here: allowed-enrollments (invitations for e-mail addresses), applied when an account is created.
"""

from __future__ import annotations

import logging

from django.db import transaction

from coursegate.accounts.models import User
from coursegate.courses.models import CourseRun
from coursegate.enrollments.batch import (
    EnrollmentRequest,
    EnrollmentResult,
    Outcome,
    enrollment_upsert,
    enrollments_bulk_deactivate,
    enrollments_bulk_upsert,
)
from coursegate.enrollments.bulk_change import IdentifierOutcome, IdentifierState, enrollments_bulk_change
from coursegate.enrollments.models import EnrollmentAllowed, Source

__all__ = [
    "EnrollmentRequest",
    "EnrollmentResult",
    "IdentifierOutcome",
    "IdentifierState",
    "Outcome",
    "enrollment_allowed_upsert",
    "enrollment_upsert",
    "enrollments_allowed_apply",
    "enrollments_bulk_change",
    "enrollments_bulk_deactivate",
    "enrollments_bulk_upsert",
]

log = logging.getLogger(__name__)


def enrollment_allowed_upsert(*, email: str, course_run: CourseRun, auto_enroll: bool) -> EnrollmentAllowed:
    """Invite an e-mail address into a run (idempotent; ``auto_enroll`` is updated).

    The address is stored stripped and lower-cased (a database constraint holds the case).
    """
    allowed, _ = EnrollmentAllowed.objects.update_or_create(
        email=email.strip().lower(), course_run=course_run, defaults={"auto_enroll": auto_enroll}
    )
    return allowed


@transaction.atomic
def enrollments_allowed_apply(*, user: User) -> list[EnrollmentResult]:
    """Link a new account to the invitations for its e-mail and enroll it where ``auto_enroll``.

    Every pending invitation is linked to the account (it admits the learner to invite-only runs
    later); window and capacity still apply to the auto-enrollments, and a refused one is logged
    rather than failing account creation: nothing is raised. An account without e-mail has no
    invitation.
    """
    if not user.email:
        return []
    pending = list(
        EnrollmentAllowed.objects.select_related("course_run")
        .prefetch_related("course_run__modes")
        .filter(email=user.email.lower(), user__isnull=True)
    )
    if not pending:
        return []
    EnrollmentAllowed.objects.filter(pk__in=[a.pk for a in pending]).update(user=user)
    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=a.course_run) for a in pending if a.auto_enroll],
        actor=user,
        source=Source.ALLOWED,
    )
    for result in results:
        if result.error is not None:
            log.warning("auto-enrollment of %s in %s refused: %s", user.pk, result.request.course_run.key, result.error)
    return results
