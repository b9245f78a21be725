"""Celery wrappers of enterprise jobs: load by id, call the service.

Without CELERY_BROKER_URL the task runs in-process (always-eager) right after the job's commit;
with it, on a ``coursegate worker``. The code is the same either way.
"""

from __future__ import annotations

import logging

from celery import shared_task

from coursegate.enterprise.models import BulkEnrollmentJob
from coursegate.enterprise.services import bulk_enrollment_job_run

log = logging.getLogger(__name__)


@shared_task
def bulk_enrollment_job_task(job_uuid: str) -> str:
    """Run bulk license enrollment job ``job_uuid``; returns its final status. The service records
    any failure on the job, so this task never raises for a job's own errors."""
    job = BulkEnrollmentJob.objects.filter(pk=job_uuid).first()
    if job is None:
        log.warning("bulk enrollment job %s does not exist", job_uuid)
        return "missing"
    return bulk_enrollment_job_run(job=job).status
