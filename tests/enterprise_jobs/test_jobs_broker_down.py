"""Issue 11, failure 2: the broker is down while a bulk license enrollment job is created. Before,
the client got a 500 without the job id, the job never ran and a retry created a second one; now
the job is recorded and answered (201 with its id, fast), waits ``pending``, and runs once the
broker is back: the sweep hands it to the new worker.

Real processes only: a private redis-server (shut down, then started again on the same port),
`coursegate serve` (gunicorn and its dispatcher) with CELERY_BROKER_URL set, then
`coursegate worker --beat`; the client speaks HTTP to the server. See processes.py.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest
import requests

from tests.enterprise_jobs.processes import (
    BIN,
    base_env,
    coursegate,
    free_port,
    needs_redis_server,
    redis_server,
    stop_group,
    wait_for,
    worker,
)

pytestmark = [pytest.mark.slow, needs_redis_server]

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"  # the demo data set's customer A
RUN = "course-v1:HarvardX+FIH+3T2023"  # in customer A's catalog; honor holds an activated license
PATH = f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}"

JOBS_WITH = """
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
print(BulkEnrollmentJob.objects.filter(rows__email="{email}").distinct().count())
"""


def _serve(env, tmp_path, port):
    with open(tmp_path / "access.log", "w") as out, open(tmp_path / "server.err", "w") as err:
        process = subprocess.Popen(
            [str(BIN / "coursegate"), "serve", "--port", str(port), "--workers", "1", "--access-log"],
            cwd=tmp_path, env=env, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip

    def healthy():
        assert process.poll() is None, (tmp_path / "server.err").read_text()
        try:
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(healthy, timeout=60, interval=0.2, message=lambda: (tmp_path / "server.err").read_text())
    return process


def test_a_job_created_while_the_broker_is_down_is_answered_at_once_and_runs_once_the_broker_is_back(tmp_path):
    learner = f"nobody-{uuid.uuid4().hex[:8]}@example.com"  # no license: a failed row, and our job's mark
    with redis_server(tmp_path) as broker:
        env = base_env(
            tmp_path,
            CELERY_BROKER_URL=broker.url,
            DJANGO_SETTINGS_MODULE="tests.enterprise_jobs.process_settings",
            COURSEGATE_SWEEP_SECONDS="1",
            COURSEGATE_THROTTLING="false",
        )
        coursegate(env, "migrate", "--no-input", "-v", "0")
        admin = json.loads(coursegate(env, "demo", "--json"))["enterprise_admin"]
        port = free_port()
        server = _serve(env, tmp_path, port)
        url = f"http://127.0.0.1:{port}"
        try:
            token = requests.post(
                f"{url}/oauth2/access_token",
                data={"grant_type": "client_credentials", "client_id": admin["client_id"],
                      "client_secret": admin["client_secret"]},
                timeout=10,
            ).json()["access_token"]  # fmt: skip
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

            broker.stop()
            began = time.monotonic()
            created = requests.post(
                f"{url}{PATH}",
                json={"emails": ["honor@example.com", learner], "course_run_keys": [RUN], "notify": False},
                headers=headers,
                timeout=30,
            )
            elapsed = time.monotonic() - began

            assert created.status_code == 201, created.text
            assert elapsed < 5, f"answered in {elapsed:.1f} s"
            job_id = created.json()["job_id"]
            status_url = f"{url}{PATH}&bulk_enrollment_job_uuid={job_id}"
            job = requests.get(status_url, headers=headers, timeout=10).json()
            assert (job["status"], job["progress"]["processed"]) == ("pending", 0)

            # Refused by the broker after the POST's commit, then by the sweeps of the server's
            # dispatcher (once the job is older than the grace its creator has to hand it out).
            refused = f"could not dispatch bulk enrollment job {job_id}"
            wait_for(
                lambda: (tmp_path / "server.err").read_text().count(refused) >= 2, timeout=30, interval=0.2,
                message=lambda: (tmp_path / "server.err").read_text(),
            )  # fmt: skip
            assert requests.get(status_url, headers=headers, timeout=10).json()["status"] == "pending"

            broker.start()  # same port
            back = time.monotonic()
            with worker(env, tmp_path / "worker.log", "--concurrency", "2", "--beat"):

                def finished():
                    body = requests.get(status_url, headers=headers, timeout=10).json()
                    return body if body["status"] in ("succeeded", "failed") else None

                job = wait_for(
                    finished, timeout=60, interval=0.3,
                    message=lambda: f"the job did not run:\n{(tmp_path / 'worker.log').read_text()}",
                )  # fmt: skip
                ran_after = time.monotonic() - back
        finally:
            stop_group(server)

    assert job["status"] == "succeeded", job
    assert [(row["email"], row["status"]) for row in job["results"]] == [
        ("honor@example.com", "success"),
        (learner, "failed"),
    ]
    assert coursegate(env, "shell", "-c", JOBS_WITH.format(email=learner)).split()[-1] == "1"  # one job, no retry
    access_log = (tmp_path / "access.log").read_text()
    assert '" 500 ' not in access_log and '" 503 ' not in access_log, access_log
    print(f"\njob {job_id}: 201 in {elapsed:.2f} s with the broker down; succeeded {ran_after:.1f} s after it was back")
