"""The Celery task of bulk license enrollment jobs (enterprise_jobs.tasks), run in-process here;
test_jobs_celery.py runs it on a real worker."""

from __future__ import annotations

import uuid

from coursegate.enterprise_jobs.tasks import bulk_enrollment_job_task
from tests.enterprise_jobs.conftest import RUN, create, rows


def test_the_task_runs_the_job_in_process_and_reports_a_missing_job(world):
    world.license_for("ann@example.com")
    job = create(world, ["ann@example.com"], [RUN])

    assert bulk_enrollment_job_task.delay(str(job.uuid)).get() == "succeeded"
    assert bulk_enrollment_job_task.delay(str(uuid.uuid4())).get() == "missing"
    assert rows(job) == [("ann@example.com", RUN, "success", "")]


def test_the_task_keeps_the_name_it_had_in_the_enterprise_app():
    # Messages queued by a running deployment before the move name the task this way.
    assert bulk_enrollment_job_task.name == "coursegate.enterprise.tasks.bulk_enrollment_job_task"
