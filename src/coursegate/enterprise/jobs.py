"""Bulk license enrollment jobs: their domain errors and reads (the writes are at the end of
enterprise/services.py).

A job's progress is its rows: each (e-mail, course run) pair is ``queued`` until the job has
processed it, then ``success``, ``pending`` or ``failed`` (seed 003, "bulk-license-enrollment";
reference/enterprise.md §4.8, §5.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from coursegate.enterprise.models import BulkEnrollmentJob, BulkEnrollmentJobRow

Result = BulkEnrollmentJobRow.Result


class BulkEnrollmentJobError(Exception):
    """Base class: a bulk license enrollment request the rules refuse."""


class BulkEnrollmentRequestInvalidError(BulkEnrollmentJobError):
    """The request names invalid e-mails or course run keys, or is too large; nothing was recorded.

    ``errors`` maps an input name (``emails``, ``course_run_keys``, ``subscription_uuid``,
    ``non_field_errors``) to a list of messages.
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


@dataclass(frozen=True)
class JobProgress:
    total: int
    processed: int
    succeeded: int
    pending: int
    failed: int


def bulk_enrollment_job_get(*, job_uuid) -> BulkEnrollmentJob | None:
    return BulkEnrollmentJob.objects.filter(pk=job_uuid).first()


def bulk_enrollment_job_progress(*, job: BulkEnrollmentJob) -> JobProgress:
    """Counts of the job's rows by outcome (one query)."""
    counts = BulkEnrollmentJobRow.objects.filter(job=job).aggregate(
        total=Count("id"),
        queued=Count("id", filter=Q(result=Result.QUEUED)),
        succeeded=Count("id", filter=Q(result=Result.SUCCESS)),
        pending=Count("id", filter=Q(result=Result.PENDING)),
        failed=Count("id", filter=Q(result=Result.FAILED)),
    )
    return JobProgress(
        total=counts["total"],
        processed=counts["total"] - counts["queued"],
        succeeded=counts["succeeded"],
        pending=counts["pending"],
        failed=counts["failed"],
    )


def bulk_enrollment_job_results(*, job: BulkEnrollmentJob) -> list[dict]:
    """The job's rows in request order: ``email``, ``course_run_key``, ``result``, ``notes`` (one query)."""
    return list(
        BulkEnrollmentJobRow.objects.filter(job=job).order_by("id").values("email", "course_run_key", "result", "notes")
    )
