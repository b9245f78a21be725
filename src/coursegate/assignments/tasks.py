"""Celery tasks of assignments: the periodic expiry (schedule it with celery beat or run
``coursegate expire_assignments`` from cron)."""

from celery import shared_task

from coursegate.assignments.services import assignments_expire


@shared_task(name="coursegate.assignments.expire")
def assignments_expire_task() -> int:
    return assignments_expire()
