"""Celery wrappers of bulk license enrollment jobs: load by id, call the runner.

Without CELERY_BROKER_URL the task runs in-process (always-eager) right after the job's commit;
with it, on a ``coursegate worker``. The code is the same either way.

The task is acknowledged late and rejected (so re-queued) when its worker process dies: a message
is only gone once the job's run returned. Redelivery is safe: the run claims the job first and
does nothing when another run holds it or it is finished (runner.py). A worker killed with its
whole process group cannot reject anything; the sweep re-queues its job (dispatch.py).
"""

from __future__ import annotations

import logging

from celery import shared_task

from coursegate.enterprise_jobs.exceptions import BulkEnrollmentJobNotFoundError
from coursegate.enterprise_jobs.runner import bulk_enrollment_job_run
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_get

log = logging.getLogger(__name__)


# The registered name is the one the task had in the enterprise app: messages already queued by a
# running deployment keep resolving to it.
# acks_late / reject_on_worker_lost are the project's defaults (settings); stated here as well, since
# this task is the one whose durability depends on them.
@shared_task(name="coursegate.enterprise.tasks.bulk_enrollment_job_task", acks_late=True, reject_on_worker_lost=True)
def bulk_enrollment_job_task(job_uuid: str) -> str:
    """Run bulk license enrollment job ``job_uuid``; returns its status afterwards (unchanged when
    another run holds it or it was finished). The runner records any failure on the job, so this
    task never raises for a job's own errors."""
    try:
        job = bulk_enrollment_job_get(job_uuid=job_uuid)
    except BulkEnrollmentJobNotFoundError:
        log.warning("bulk enrollment job %s does not exist", job_uuid)
        return "missing"
    return bulk_enrollment_job_run(job=job).status
