"""Enrollment-code writes: generate, redeem (through the shared enrollment service), cancel, restore.

Codes are 8 characters drawn with ``secrets`` from letters and digits without vowels and the
look-alikes 1/l (Appsembler's alphabet, reference/edx_appsembler.md §2.8): 50^8 ≈ 3.9e13 codes.
Codes are single-use (ARCHITECTURE.md: the reference's multi-redemption is a kept bug we do not
keep), and redemption is race-free: the code is claimed with one conditional UPDATE inside the
transaction that enrolls, so of many concurrent redemptions exactly one claims it, and a refused
enrollment rolls the claim back.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from coursegate.accounts.selectors import user_get_by_email
from coursegate.codes.exceptions import (
    AlreadyEnrolledError,
    EnrollmentCodeNotFoundError,
    EnrollmentCodeUnusableError,
    EnrollmentCodeUserNotFoundError,
)
from coursegate.codes.models import EnrollmentCode
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import Outcome, enrollment_upsert, enrollments_bulk_deactivate

CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXYZ023456789bcdfghjkmnpqrstvwxyz"
CODE_LENGTH = 8
MAX_CODES_PER_REQUEST = 10_000


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def codes_generate(*, course_run: CourseRun, count: int, actor=None, mode: str = "") -> list[EnrollmentCode]:
    """Create ``count`` (1..10000) new valid codes for the run, in one insert (retried on the
    astronomically rare collision with an existing code)."""
    if not 1 <= count <= MAX_CODES_PER_REQUEST:
        raise ValueError(f"count must be between 1 and {MAX_CODES_PER_REQUEST}")
    for _attempt in range(5):
        codes: set[str] = set()
        while len(codes) < count:
            codes.add(_new_code())
        rows = [EnrollmentCode(code=c, course_run=course_run, mode=mode, created_by=actor) for c in codes]
        try:
            with transaction.atomic():
                return EnrollmentCode.objects.bulk_create(rows)
        except IntegrityError:
            continue
    raise RuntimeError("could not generate unique enrollment codes")


@transaction.atomic
def code_redeem(*, code: str, email: str, actor=None):
    """Enroll the account with ``email`` in the code's run and use the code up.

    Raises EnrollmentCodeUnusableError (unknown, cancelled or used code), EnrollmentCodeUserNotFoundError,
    AlreadyEnrolledError, or the enrollment service's EnrollmentClosedError / CourseFullError /
    CourseModeUnavailableError. On any error nothing changes.
    """
    row = EnrollmentCode.objects.select_related("course_run").filter(code=code).first()
    if row is None or row.status != EnrollmentCode.Status.VALID or row.redeemed_by_id is not None:
        raise EnrollmentCodeUnusableError(code)
    user = user_get_by_email(email) if email else None  # a blank e-mail never names an account
    if user is None:
        raise EnrollmentCodeUserNotFoundError(email)
    now = timezone.now()
    claimed = EnrollmentCode.objects.filter(
        pk=row.pk, status=EnrollmentCode.Status.VALID, redeemed_by__isnull=True
    ).update(redeemed_by=user, redeemed_at=now)
    if claimed != 1:  # another request claimed it first
        raise EnrollmentCodeUnusableError(code)
    run = CourseRun.objects.prefetch_related("modes").get(pk=row.course_run_id)
    result = enrollment_upsert(
        user=user, course_run=run, mode=row.mode or None, actor=actor, source=Source.ENROLLMENT_CODE
    )
    if result.outcome == Outcome.UNCHANGED:
        raise AlreadyEnrolledError(email)
    return result


@transaction.atomic
def code_set_status(*, code: str, action: str, actor=None) -> EnrollmentCode:
    """``cancel``: the code can no longer be used; ``restore``: it can be used again. Either way,
    a learner who redeemed it is unenrolled and the code is freed (seed 001, "Enrollment Code Status").
    Raises EnrollmentCodeNotFoundError for an unknown code, ValueError for another action."""
    if action not in ("cancel", "restore"):
        raise ValueError(action)
    row = (
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to redeemed_by.
        EnrollmentCode.objects.select_for_update(of=("self",))
        .select_related("course_run", "redeemed_by")
        .filter(code=code)
        .first()
    )
    if row is None:
        raise EnrollmentCodeNotFoundError(code)
    redeemer = row.redeemed_by
    row.redeemed_by, row.redeemed_at = None, None
    row.status = EnrollmentCode.Status.CANCELLED if action == "cancel" else EnrollmentCode.Status.VALID
    row.save(update_fields=["redeemed_by", "redeemed_at", "status"])
    if redeemer is not None:
        # Last: the unenrollment appends to the change feed, whose lock is then held until commit.
        enrollments_bulk_deactivate(pairs=[(redeemer, row.course_run)], actor=actor, source=Source.ENROLLMENT_CODE)
    return row


def code_ensure(*, code: str, course_run: CourseRun) -> EnrollmentCode:
    """A code with a chosen value (the demo data's seed examples); left as it is if it exists."""
    row, _ = EnrollmentCode.objects.get_or_create(code=code, defaults={"course_run": course_run})
    return row
