"""The production topology on one machine: two `coursegate serve` instances (no dispatcher), one
`coursegate worker --beat`, one PostgreSQL and one Redis (cache and broker), as deploy/ runs them.

- A bulk license enrollment job posted to instance A is run by the Celery worker (the only
  process that can: neither web instance runs jobs) and read as succeeded through instance B.
- A rate limit is shared: the staff limit counted over both instances, not per instance.
"""

from __future__ import annotations

import subprocess
import time

import pytest
import requests

from tests.core.test_outage_kit import BIN, ENROLLMENT, RedisServer, serve, wait_for

pytest_plugins = ["tests.core.test_outage_kit"]
pytestmark = pytest.mark.slow

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
JOBS = "/enterprise/v1/bulk-license-enrollment"
STAFF_LIMIT = 6


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


def _jwt(served, role: str) -> str:
    client = served.credentials[role]
    response = requests.post(
        f"{served.url}/oauth2/access_token",
        data={
            "grant_type": "client_credentials",
            "token_type": "jwt",
            **{k: client[k] for k in ("client_id", "client_secret")},
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_two_web_instances_one_worker_share_jobs_and_rate_limits(pg_template, redis_server, tmp_path):
    env = pg_template.server_env(
        tmp_path,
        COURSEGATE_CACHE_URL=redis_server.url.replace("/0", "/1"),
        CELERY_BROKER_URL=redis_server.url,
        COURSEGATE_THROTTLING="true",
        COURSEGATE_THROTTLE_ENROLLMENT_STAFF=f"{STAFF_LIMIT}/minute",
    )
    worker_log = tmp_path / "worker.log"
    with open(worker_log, "w") as log:
        worker = subprocess.Popen(
            [str(BIN / "coursegate"), "worker", "--concurrency", "2", "--beat"],
            env=env, cwd=env["COURSEGATE_VAR_DIR"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    a = serve(env, pg_template.credentials, "--no-dispatcher", workers=2)
    b = serve(env, pg_template.credentials, "--no-dispatcher", workers=2)
    try:
        admin = {"Authorization": f"JWT {_jwt(a, 'enterprise_admin')}", "Accept": "application/json"}
        posted = requests.post(
            f"{a.url}{JOBS}?enterprise_customer_uuid={CUSTOMER_A}",
            json={"emails": ["honor@example.com", "audit@example.com"],
                  "course_run_keys": ["course-v1:HarvardX+FIH+3T2023"], "notify": False},
            headers=admin, timeout=30,
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        job = posted.json()["job_id"]

        def finished() -> bool:
            assert worker.poll() is None, worker_log.read_text()[-3000:]
            read = requests.get(
                f"{b.url}{JOBS}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={job}",
                headers=admin, timeout=30,
            )  # fmt: skip
            return read.status_code == 200 and read.json()["status"] not in ("pending", "running", "queued")

        wait_for(finished, "the worker did not run the job", timeout=90)
        read = requests.get(
            f"{b.url}{JOBS}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={job}",
            headers=admin, timeout=30,
        ).json()  # fmt: skip
        assert read["status"] == "succeeded", read

        staff = {"Authorization": f"Bearer {a.token('staff').json()['access_token']}"}
        statuses = []
        for i in range(STAFF_LIMIT + 2):
            server = a if i % 2 == 0 else b
            statuses.append(requests.get(f"{server.url}{ENROLLMENT}", headers=staff, timeout=30).status_code)
            time.sleep(0.05)
        assert statuses[:STAFF_LIMIT] == [200] * STAFF_LIMIT, statuses
        assert statuses[STAFF_LIMIT:] == [429, 429], statuses
    finally:
        a.stop()
        b.stop()
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
