"""Handing bulk license enrollment jobs to Celery, and the sweep that does it again when that did
not happen or did not last (issue 11).

A job row is its own dispatch request: it is written ``pending`` in the transaction that records
its rows, and handed out after commit (services.py). Publishing never decides whether the job
exists: with the broker down the client still gets its job id, and the job waits, ``pending``
without a ``dispatched`` time, for ``jobs_sweep``. The sweep (core/sweeps.py: `coursegate
dispatcher`, or the ``coursegate.core.sweep`` task of `coursegate worker --beat`) also re-queues
jobs whose run stopped writing its heartbeat, and fails those that used up their attempts.

Without CELERY_BROKER_URL, "publishing" runs the job right here (Celery's always-eager mode): in
the request that created it, or in the dispatcher process for what the sweep hands out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobQuerySet, job_max_attempts
from coursegate.enterprise_jobs.runner import bulk_enrollment_job_fail
from coursegate.enterprise_jobs.tasks import bulk_enrollment_job_task

log = logging.getLogger(__name__)

Status = BulkEnrollmentJob.Status
# Jobs handed out per sweep: a sweep stays short, the next one takes the rest.
SWEEP_BATCH = 100


def bulk_enrollment_job_dispatch(*, job_pk, pairs: int = 0) -> bool:
    """Hand a newly recorded job to Celery (run it here without a broker); called after commit.

    Returns False, having logged why, when the broker refused it: the job stays ``pending``
    without a dispatch time and the sweep hands it out once the broker is back. Never raises for
    a broker error: the job is committed and its id is the client's answer.

    Without a broker, a job of more than COURSEGATE_BULK_ENROLL_MAX_PAIRS ``pairs`` (an enroll_all
    job over a large plan) is not run here, inside the request, where it would outlast the
    server's request timeout: it stays ``pending`` and the dispatcher's sweep runs it.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER and pairs > settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS:
        log.info("bulk enrollment job %s: %s pairs, left to the dispatcher's sweep", job_pk, pairs)
        return True
    new = BulkEnrollmentJob.objects.filter(pk=job_pk, status=Status.PENDING, dispatched__isnull=True)
    return _dispatch(new, job_pk) is not False


def jobs_due(*, now: datetime) -> BulkEnrollmentJobQuerySet:
    """Jobs the sweep should hand out now.

    - pending and never handed out, recorded more than COURSEGATE_JOB_DISPATCH_GRACE_SECONDS ago
      (younger ones are being handed out by the request that recorded them);
    - pending, handed out more than COURSEGATE_JOB_STALE_SECONDS ago and never started (the
      message was lost, or the process died between marking and publishing);
    - running with a stale heartbeat and attempts left, unless the sweep handed it out again
      within COURSEGATE_JOB_STALE_SECONDS (that run has not claimed it yet: a busy queue).
    """
    stale = now - timedelta(seconds=settings.COURSEGATE_JOB_STALE_SECONDS)
    grace = now - timedelta(seconds=getattr(settings, "COURSEGATE_JOB_DISPATCH_GRACE_SECONDS", 5))
    jobs = BulkEnrollmentJob.objects
    never = Q(dispatched__isnull=True)
    pending = jobs.filter((never & Q(created__lt=grace)) | Q(dispatched__lt=stale), status=Status.PENDING)
    stalled = jobs.stalled(now=now).filter(never | Q(dispatched__lt=stale), attempts__lt=job_max_attempts())
    return pending | stalled


def jobs_sweep() -> int:
    """Fail the stalled jobs out of attempts, then hand out the due ones (``jobs_due``); returns
    how many jobs it handled. Safe in several processes at once: each job is taken for dispatch by
    a conditional UPDATE of its dispatch time, and a run claims it again before doing anything."""
    now = timezone.now()
    handled = _jobs_give_up(now=now)
    for job_pk in list(jobs_due(now=now).order_by("created").values_list("pk", flat=True)[:SWEEP_BATCH]):
        published = _dispatch(jobs_due(now=now).filter(pk=job_pk), job_pk)
        if published is False:
            break  # the broker is down: the rest waits for the next sweep
        handled += bool(published)
    return handled


def _jobs_give_up(*, now: datetime) -> int:
    given_up = 0
    out_of_attempts = BulkEnrollmentJob.objects.stalled(now=now).filter(attempts__gte=job_max_attempts())
    for job_pk, attempts in list(out_of_attempts.values_list("pk", "attempts")[:SWEEP_BATCH]):
        error = (
            f"The job was interrupted {attempts} times (its worker stopped before finishing it); giving up. "
            "The rows already processed keep their results."
        )
        if bulk_enrollment_job_fail(job_pk=job_pk, error=error, stalled_as_of=now):
            log.error("bulk enrollment job %s failed after %s attempts", job_pk, attempts)
            given_up += 1
    return given_up


def _dispatch(unless_taken: BulkEnrollmentJobQuerySet, job_pk) -> bool | None:
    """Mark the job dispatched, if ``unless_taken`` still holds it (so of several sweeps one
    publishes), and publish it; on a broker error, clear the mark again so the next sweep retries.
    True: published; False: the broker refused it; None: another process took it meanwhile."""
    mark = timezone.now()
    if not unless_taken.update(dispatched=mark):
        return None
    try:
        bulk_enrollment_job_task.delay(str(job_pk))
    except Exception as exc:  # kombu/redis connection errors; an eager run's database error
        # One line, no traceback: while the broker is down this repeats at every sweep.
        log.warning("could not dispatch bulk enrollment job %s; a sweep will retry: %r", job_pk, exc)
        BulkEnrollmentJob.objects.filter(pk=job_pk, dispatched=mark).update(dispatched=None)
        return False
    log.info("dispatched bulk enrollment job %s", job_pk)
    return True
