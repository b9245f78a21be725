"""Issue 11, failure 1: a Celery worker killed with -9 in the middle of a bulk license enrollment
job. Before, the job stayed ``running`` until its message was re-queued by hand; now a new
`coursegate worker --beat` finishes it by itself (the sweep sees the heartbeat stop and re-queues
it), and every pair is enrolled, recorded and counted exactly once.

Real processes only: a private redis-server, `coursegate worker` (killed with its whole process
group), `coursegate shell` for set-up and the final report; see processes.py.
"""

from __future__ import annotations

import json
import signal
import time
import uuid

import pytest

from tests.enterprise_jobs.processes import (
    base_env,
    coursegate,
    db_scalar,
    db_uuid,
    needs_redis_server,
    redis_server,
    stop_group,
    wait_for,
    worker,
)

pytestmark = [pytest.mark.slow, needs_redis_server]

LEARNERS = 250  # x 2 course runs = 500 pairs, one learner per chunk (process_settings.py)

SETUP_AND_CREATE = """
import uuid
from datetime import timedelta
from django.utils import timezone
from coursegate.accounts.services import user_create
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.enterprise.services import customer_upsert
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import plan_upsert

tag, learners = "{tag}", {learners}
now = timezone.now()
customer = customer_upsert(uuid=uuid.uuid4(), name="Crash Co", slug=f"crash-{{tag}}")
runs = [course_run_upsert(key=f"course-v1:Crash+K{{tag}}+R{{n}}", title=f"Crash {{n}}") for n in (1, 2)]
for run in runs:
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
catalog = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title="Crash catalog")
catalog_add_items(catalog=catalog, items=[
    content_item_upsert(content_type="courserun", content_key=run.key) for run in runs])
plan = plan_upsert(uuid=uuid.uuid4(), customer=customer, catalog=catalog, title="Crash plan",
                   start_date=now - timedelta(days=1), expiration_date=now + timedelta(days=30), num_licenses=0)
emails = [f"k{{i}}-{{tag}}@example.com" for i in range(learners)]
licenses = []
for i, email in enumerate(emails):
    user = user_create(username=f"k{{i}}-{{tag}}", email=email, password=None, name="K", validate_password=False)
    licenses.append(License(plan=plan, status="activated", user_email=email, lms_user=user))
License.objects.bulk_create(licenses)
job = bulk_enrollment_job_create(customer=customer, emails=emails, course_run_keys=[r.key for r in runs], notify=False)
print(job.uuid)
"""

REPORT = """
import json
from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_progress
job = BulkEnrollmentJob.objects.get(pk="{job}")
ours = dict(course_run__key__startswith="course-v1:Crash+K{tag}+")
progress = bulk_enrollment_job_progress(job=job)
print(json.dumps({{
    "status": job.status,
    "error": job.error,
    "attempts": job.attempts,
    "rows": sorted(set(job.rows.values_list("result", flat=True))),
    "progress": [progress.total, progress.processed, progress.succeeded, progress.pending, progress.failed],
    "enrollments": Enrollment.objects.filter(**ours).count(),
    "history": EnrollmentHistory.objects.filter(**{{f"enrollment__{{k}}": v for k, v in ours.items()}}).count(),
    "enterprise_enrollments": EnterpriseEnrollment.objects.filter(customer=job.customer).count(),
}}))
"""


def test_a_job_whose_worker_is_killed_mid_way_is_finished_by_a_new_worker_with_every_pair_once(tmp_path):
    tag = uuid.uuid4().hex[:8]
    pairs = LEARNERS * 2
    with redis_server(tmp_path) as broker:
        env = base_env(
            tmp_path,
            CELERY_BROKER_URL=broker.url,
            DJANGO_SETTINGS_MODULE="tests.enterprise_jobs.process_settings",
            COURSEGATE_JOB_STALE_SECONDS="3",
            COURSEGATE_SWEEP_SECONDS="1",
        )
        coursegate(env, "migrate", "--no-input", "-v", "0")

        with worker(env, tmp_path / "worker1.log", "--concurrency", "1") as first:
            job = coursegate(env, "shell", "-c", SETUP_AND_CREATE.format(tag=tag, learners=LEARNERS)).split()[-1]
            key = db_uuid(env, job)

            def processed() -> int:
                sql = "SELECT count(*) FROM enterprise_bulkenrollmentjobrow WHERE job_id = %s AND result <> 'queued'"
                return db_scalar(env, sql, key)

            done_before_kill = wait_for(
                lambda: (n := processed()) >= 20 and n, timeout=60, interval=0.05,
                message="the first worker never got going",
            )  # fmt: skip
            stop_group(first, signal.SIGKILL)  # the master and its pool child, no chance to clean up
            killed_at = time.monotonic()
            done_at_kill = processed()
        assert done_at_kill < pairs, "the job finished before the kill: make it longer"
        status = db_scalar(env, "SELECT status FROM enterprise_bulkenrollmentjob WHERE uuid = %s", key)
        assert status == "running"  # what issue 11 saw: left running, with nobody running it

        with worker(env, tmp_path / "worker2.log", "--concurrency", "2", "--beat") as second:
            started_at = time.monotonic()
            wait_for(
                lambda: db_scalar(env, "SELECT status FROM enterprise_bulkenrollmentjob WHERE uuid = %s", key)
                in ("succeeded", "failed"),
                timeout=120, interval=0.2,
                message=lambda: f"the job was not finished:\n{(tmp_path / 'worker2.log').read_text()}",
            )  # fmt: skip
            finished_at = time.monotonic()
            assert second.poll() is None

    report = json.loads(coursegate(env, "shell", "-c", REPORT.format(job=job, tag=tag)).splitlines()[-1])
    assert report == {
        "status": "succeeded",
        "error": "",
        "attempts": 2,
        "rows": ["success"],
        "progress": [pairs, pairs, pairs, 0, 0],
        "enrollments": pairs,
        "history": pairs,  # one history row per pair: nothing enrolled twice
        "enterprise_enrollments": pairs,
    }
    log = (tmp_path / "worker2.log").read_text()
    assert "coursegate.core.sweep" in log  # --beat runs the sweeps schedule
    print(
        f"\njob {job}: {pairs} pairs, {done_before_kill}-{done_at_kill} done when the worker was killed; "
        f"finished {finished_at - started_at:.1f} s after the new worker was ready "
        f"({finished_at - killed_at:.1f} s after the kill)"
    )
