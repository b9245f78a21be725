"""A bulk license enrollment job on a real Celery worker (CELERY_BROKER_URL set; Redis).

Everything runs in subprocesses that share one database: a throw-away SQLite file in a temporary
COURSEGATE_VAR_DIR, or, on PostgreSQL runs (scripts/test-postgres.sh), the run's throw-away
DATABASE_URL (pytest-django's own database is ``test_<name>``, another one). ``coursegate shell``
records the job through the service, which queues the task after commit; ``coursegate worker``
runs it. The broker is a private redis-server on a free port (processes.py).
"""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest

from tests.enterprise_jobs.processes import base_env, coursegate, needs_redis_server, redis_server, wait_for
from tests.enterprise_jobs.processes import worker as start_worker

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

tag = "{tag}"
now = timezone.now()
customer = customer_upsert(uuid=uuid.uuid4(), name="Celery Co", slug=f"celery-{{tag}}")
run = course_run_upsert(key=f"course-v1:Celery+C{{tag}}+2026", title="Celery 101")
course_mode_upsert(course_run=run, slug="audit", name="Audit")
catalog = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title="Celery catalog")
catalog_add_items(catalog=catalog, items=[content_item_upsert(content_type="courserun", content_key=run.key)])
plan = plan_upsert(uuid=uuid.uuid4(), customer=customer, catalog=catalog, title="Celery plan",
                   start_date=now - timedelta(days=1), expiration_date=now + timedelta(days=30), num_licenses=0)
for i in range(3):
    email = f"w{{i}}-{{tag}}@example.com"
    user = user_create(username=f"w{{i}}-{{tag}}", email=email, password="edx", name="W", validate_password=False)
    License.objects.create(plan=plan, status="activated", user_email=email, lms_user=user)
License.objects.create(plan=plan, status="assigned", user_email=f"pending-{{tag}}@example.com")
emails = [f"w{{i}}-{{tag}}@example.com" for i in range(3)] + [f"pending-{{tag}}@example.com"]
job = bulk_enrollment_job_create(customer=customer, emails=emails, course_run_keys=[run.key], notify=True)
print(job.uuid)
"""

REPORT = """
import json
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.enrollments.models import Enrollment
job = BulkEnrollmentJob.objects.get(pk="{job}")
print(json.dumps({{
    "status": job.status,
    "error": job.error,
    "rows": sorted(job.rows.values_list("result", flat=True)),
    "enrollments": Enrollment.objects.filter(course_run__key__startswith="course-v1:Celery+C{tag}").count(),
    "enterprise_enrollments": EnterpriseEnrollment.objects.filter(customer=job.customer).count(),
}}))
"""


def _redis_up() -> bool:
    """Whether the shared Redis answers on 127.0.0.1:6379 (tests/outbox/test_outbox_celery.py
    imports this; the tests here start their own redis-server)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [pytest.mark.slow, needs_redis_server]


@pytest.fixture
def env(tmp_path):
    # A private broker: concurrent SQLite and PostgreSQL runs never share (or flush) a queue.
    with redis_server(tmp_path) as broker:
        yield base_env(tmp_path, CELERY_BROKER_URL=broker.url)


@pytest.fixture
def worker(env, tmp_path):
    coursegate(env, "migrate", "--no-input", "-v", "0")
    log = tmp_path / "worker.log"
    with start_worker(env, log, "--concurrency", "1"):
        yield log


def test_a_job_created_through_the_service_runs_on_a_celery_worker(env, worker, tmp_path):
    tag = uuid.uuid4().hex[:8]

    job = coursegate(env, "shell", "-c", SETUP_AND_CREATE.format(tag=tag)).strip().splitlines()[-1]

    deadline = time.monotonic() + 60
    while True:
        report = json.loads(coursegate(env, "shell", "-c", REPORT.format(job=job, tag=tag)).splitlines()[-1])
        if report["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert report == {
        "status": "succeeded",
        "error": "",
        "rows": ["pending", "success", "success", "success"],
        "enrollments": 3,
        "enterprise_enrollments": 3,
    }, worker.read_text()
    # The worker ran it (the shell only queued it), and delivered the notification e-mails: outbox
    # rows of the job's chunk, sent by the outbox task after that chunk's commit.
    log = worker.read_text()
    assert any("bulk_enrollment_job_task[" in line and line.endswith(": 'succeeded'") for line in log.splitlines()), log

    def mails() -> int:
        text = "".join(path.read_text() for path in (tmp_path / "mail").glob("*.log"))
        return text.count("Subject: You have been enrolled through Celery Co")

    wait_for(lambda: mails() >= 3, timeout=30, message=lambda: f"{mails()} e-mails:\n{worker.read_text()}")
    assert mails() == 3
