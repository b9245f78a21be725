"""Bulk license enrollment jobs: a request (e-mails x course runs) recorded as a job with one row per
(e-mail, course run) pair, processed in the background (seed 003 "bulk-license-enrollment";
reference/enterprise.md §4.8, §5.3).

The models moved here from the ``enterprise`` app (issue 9) without touching the database: they
keep their tables, their index name and their constraints (migrations 0001 here and
enterprise 0002 only move them in Django's state).

A job row is also its own dispatch request (issue 11): ``pending`` with no ``dispatched`` time is a
job no broker has accepted yet; ``running`` with an old ``heartbeat`` is a job whose worker died.
dispatch.py's sweep finds both and hands them out again; runner.py claims a job before running it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models


def job_max_attempts() -> int:
    """Runs a job may have before the sweep gives up on it (each claim is one)."""
    return getattr(settings, "COURSEGATE_JOB_MAX_ATTEMPTS", 5)


class BulkEnrollmentJobQuerySet(models.QuerySet):
    def stalled(self, *, now: datetime) -> BulkEnrollmentJobQuerySet:
        """Running jobs whose run stopped writing its heartbeat: their worker died (or the job was
        handed back, heartbeat cleared, when its process was stopped under it)."""
        stale = now - timedelta(seconds=settings.COURSEGATE_JOB_STALE_SECONDS)
        return self.filter(models.Q(heartbeat__isnull=True) | models.Q(heartbeat__lt=stale), status="running")

    def claimable(self, *, now: datetime) -> BulkEnrollmentJobQuerySet:
        """Jobs a run may take: pending ones, and stalled ones with attempts left."""
        return (self.filter(status="pending") | self.stalled(now=now)).filter(attempts__lt=job_max_attempts())


class BulkEnrollmentJob(models.Model):
    """A bulk license enrollment request: e-mails x course runs, processed in the background."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        "enterprise.EnterpriseCustomer", on_delete=models.CASCADE, related_name="bulk_enrollment_jobs"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    subscription_uuid = models.UUIDField(null=True, blank=True)
    notify = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # When the job was last handed to Celery (or run in-process without a broker); None: never, or
    # the hand-over failed (broker down), so the sweep must do it.
    dispatched = models.DateTimeField(null=True, blank=True)
    # Written by the run that holds the job, at every chunk; a running job whose heartbeat is older
    # than COURSEGATE_JOB_STALE_SECONDS has lost its worker and may be claimed again.
    heartbeat = models.DateTimeField(null=True, blank=True)
    # Runs that claimed the job; the current run's number is its claim: a run whose number is no
    # longer the job's has been superseded and stops at its next chunk.
    attempts = models.PositiveIntegerField(default=0)

    objects = BulkEnrollmentJobQuerySet.as_manager()

    class Meta:
        db_table = "enterprise_bulkenrollmentjob"  # the table it had in the enterprise app
        # The sweep's query: the few unfinished jobs among many finished ones.
        indexes = [
            models.Index(
                fields=["status", "heartbeat"],
                name="enterprise_jobs_unfinished",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"bulk enrollment job {self.uuid} ({self.status})"


class BulkEnrollmentJobRow(models.Model):
    """One (e-mail, course run) pair of a job and its outcome."""

    class Result(models.TextChoices):
        QUEUED = "queued"
        SUCCESS = "success"
        PENDING = "pending"
        FAILED = "failed"

    job = models.ForeignKey(BulkEnrollmentJob, on_delete=models.CASCADE, related_name="rows")
    email = models.CharField(max_length=254)
    course_run_key = models.CharField(max_length=255)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.QUEUED)
    notes = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "enterprise_bulkenrollmentjobrow"  # the table it had in the enterprise app
        ordering = ["id"]
        # The name Django generated in the enterprise app, kept so the index is the same one.
        indexes = [models.Index(fields=["job", "result"], name="enterprise__job_id_57310f_idx")]

    def __str__(self) -> str:
        return f"{self.email} {self.course_run_key}: {self.result}"
