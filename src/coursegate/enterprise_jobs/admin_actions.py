"""Re-running failed bulk enrollment jobs: the admin's "Re-run" action (issue 13).

The sweep (dispatch.py) re-queues jobs whose worker died, but a job that *failed* (an error while
running it, or out of attempts) stays failed: its unprocessed rows were marked failed with it, and
rows that failed on their own (no license yet, an unknown run) keep that answer. After the cause is
fixed, an operator re-runs it: the job goes back to ``pending`` with a fresh count of attempts, its
failed rows are queued again, and it is handed out as a new job is. Rows that succeeded (or wait for
a license activation) are left alone, so nothing that succeeded is done twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from uuid import UUID

from django.db import transaction
from django.db.models import Count

from coursegate.enterprise_jobs.dispatch import bulk_enrollment_job_dispatch
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow

Status = BulkEnrollmentJob.Status
Result = BulkEnrollmentJobRow.Result


@transaction.atomic
def bulk_enrollment_jobs_retry(*, job_uuids: Iterable[UUID | str]) -> dict[UUID, int]:
    """Put the failed jobs among ``job_uuids`` back in the queue; returns {job uuid: rows queued
    again}. Jobs in another status are left as they are (a pending or running job is already in
    hand, a succeeded one has nothing to redo). Constant statements whatever the number of jobs or
    rows: lock the failed jobs, one UPDATE of their failed rows, one count of their queued rows, one
    UPDATE of the jobs; each is dispatched after commit (run in-process without a broker, unless it
    is too big for a request, when the dispatcher's sweep runs it)."""
    failed = list(
        BulkEnrollmentJob.objects.select_for_update()
        .filter(pk__in=list(job_uuids), status=Status.FAILED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not failed:
        return {}
    BulkEnrollmentJobRow.objects.filter(job_id__in=failed, result=Result.FAILED).update(result=Result.QUEUED, notes="")
    queued = dict(
        BulkEnrollmentJobRow.objects.filter(job_id__in=failed, result=Result.QUEUED)
        .values_list("job_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    BulkEnrollmentJob.objects.filter(pk__in=failed).update(
        status=Status.PENDING, error="", finished=None, dispatched=None, heartbeat=None, attempts=0
    )
    for job_pk in failed:
        transaction.on_commit(partial(bulk_enrollment_job_dispatch, job_pk=job_pk, pairs=queued.get(job_pk, 0)))
    return {job_pk: queued.get(job_pk, 0) for job_pk in failed}
