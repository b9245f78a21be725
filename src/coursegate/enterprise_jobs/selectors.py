"""Bulk license enrollment job reads: a job, its progress and its per-row results (seed 003
"bulk-license-enrollment"; reference/enterprise.md §4.8, §5.3).

A job's progress is its rows: each (e-mail, course run) pair is ``queued`` until the job has
processed it, then ``success``, ``pending`` or ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict
from uuid import UUID

from django.db.models import Count, Q

from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise_jobs.exceptions import BulkEnrollmentJobCustomerMismatchError, BulkEnrollmentJobNotFoundError
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow

Result = BulkEnrollmentJobRow.Result


@dataclass(frozen=True)
class JobProgress:
    total: int
    processed: int
    succeeded: int
    pending: int
    failed: int


class JobResultRow(TypedDict):
    email: str
    course_run_key: str
    result: str
    notes: str


@dataclass(frozen=True)
class JobReport:
    """A job as it reads now: status, progress counts and every row's outcome in request order
    (``email``, ``course_run_key``, ``result``, ``notes``); ``error`` is None unless it failed."""

    job_id: UUID
    status: str
    progress: JobProgress
    results: list[JobResultRow]
    created: datetime
    finished: datetime | None
    error: str | None


def bulk_enrollment_job_get(*, job_uuid: UUID | str, customer: EnterpriseCustomer | None = None) -> BulkEnrollmentJob:
    """The job; when ``customer`` is given, it must be one of that customer's jobs.

    Raises BulkEnrollmentJobNotFoundError, BulkEnrollmentJobCustomerMismatchError.
    """
    job = BulkEnrollmentJob.objects.filter(pk=job_uuid).first()
    if job is None:
        raise BulkEnrollmentJobNotFoundError(job_uuid)
    if customer is not None and job.customer_id != customer.pk:
        raise BulkEnrollmentJobCustomerMismatchError(job_uuid)
    return job


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


def bulk_enrollment_job_results(*, job: BulkEnrollmentJob) -> list[JobResultRow]:
    """The job's rows in request order: ``email``, ``course_run_key``, ``result``, ``notes`` (one query)."""
    return list(
        BulkEnrollmentJobRow.objects.filter(job=job).order_by("id").values("email", "course_run_key", "result", "notes")
    )


def bulk_enrollment_job_report(*, job_uuid: UUID | str, customer: EnterpriseCustomer) -> JobReport:
    """One of ``customer``'s jobs with its progress and results (three queries, whatever its size).

    Raises BulkEnrollmentJobNotFoundError, BulkEnrollmentJobCustomerMismatchError.
    """
    job = bulk_enrollment_job_get(job_uuid=job_uuid, customer=customer)
    return JobReport(
        job_id=job.uuid,
        status=job.status,
        progress=bulk_enrollment_job_progress(job=job),
        results=bulk_enrollment_job_results(job=job),
        created=job.created,
        finished=job.finished,
        error=job.error or None,
    )


def bulk_enrollment_job_counts(*, now: datetime) -> dict[str, int]:
    """Jobs per status (every status present, 0 when none) plus ``stalled``: running jobs whose
    heartbeat stopped (the sweep hands them out again). For the metrics endpoint."""
    counts = dict.fromkeys(BulkEnrollmentJob.Status.values, 0)
    for row in BulkEnrollmentJob.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["stalled"] = BulkEnrollmentJob.objects.stalled(now=now).count()
    return counts
