"""Celery wrappers of bulk license enrollment jobs: load by id, call the runner.

Without CELERY_BROKER_URL the task runs in-process (always-eager) right after the job's commit;
with it, on a ``coursegate worker``. The code is the same either way.
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
@shared_task(name="coursegate.enterprise.tasks.bulk_enrollment_job_task")
def bulk_enrollment_job_task(job_uuid: str) -> str:
    """Run bulk license enrollment job ``job_uuid``; returns its final status. The runner records
    any failure on the job, so this task never raises for a job's own errors."""
    try:
        job = bulk_enrollment_job_get(job_uuid=job_uuid)
    except BulkEnrollmentJobNotFoundError:
        log.warning("bulk enrollment job %s does not exist", job_uuid)
        return "missing"
    return bulk_enrollment_job_run(job=job).status
