"""The outbox with a broker: the after-commit kick publishes ``coursegate.outbox.send`` and a real
`coursegate worker` delivers to a real SMTP server; with the broker down the commit still succeeds
(the error is logged) and `coursegate outbox send` delivers later. Redis db 3 on 127.0.0.1:6379;
skipped when Redis does not answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from tests.e2e.conftest import BIN
from tests.enterprise_jobs.test_jobs_celery import _redis_up
from tests.outbox.smtp import SmtpServer, free_port

BROKER = "redis://127.0.0.1:6379/3"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _redis_up(), reason="Redis does not answer on 127.0.0.1:6379"),
]

ENQUEUE = """
from django.db import transaction
from coursegate.outbox.services import Email, emails_enqueue
with transaction.atomic():
    emails_enqueue([Email(kind="test", to=[f"{{n}}-{tag}@example.com"], subject="Hi", body="Hi\\n")
                    for n in ("ann", "bob", "cid")])
"""
REPORT = """
import json
from collections import Counter
from coursegate.outbox.models import OutboxEmail
print(json.dumps(dict(Counter(OutboxEmail.objects.filter(to__icontains="{tag}").values_list("status", flat=True)))))
"""


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path, smtp_server):
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # nothing left over from an earlier run in this db
    env = {**os.environ, "COURSEGATE_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": BROKER, "PYTHONUNBUFFERED": "1",
           "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}  # fmt: skip
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env.pop("DATABASE_URL", None)  # <tmp_path>/coursegate.sqlite3
    coursegate(env, "migrate", "--no-input", "-v", "0")
    return env


def coursegate(env, *args: str) -> str:
    done = subprocess.run([str(BIN / "coursegate"), *args], env=env, cwd=env["COURSEGATE_VAR_DIR"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, f"coursegate {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _statuses(env, tag: str) -> dict[str, int]:
    return json.loads(coursegate(env, "shell", "-c", REPORT.format(tag=tag)).strip().splitlines()[-1])


@pytest.fixture
def worker(env, tmp_path):
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(BIN / "coursegate"), "worker", "--concurrency", "1"], env=env, cwd=tmp_path,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the worker did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_a_worker_delivers_what_the_kick_published(env, worker, smtp_server):
    tag = uuid.uuid4().hex[:8]

    coursegate(env, "shell", "-c", ENQUEUE.format(tag=tag))

    deadline = time.monotonic() + 30
    while len(smtp_server.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(r for r, _ in smtp_server.received) == [f"{n}-{tag}@example.com" for n in ("ann", "bob", "cid")]
    assert "coursegate.outbox.send" in worker.read_text()
    assert _statuses(env, tag) == {"sent": 3}


def test_with_the_broker_down_the_rows_commit_and_wait_for_the_sweep(env, smtp_server):
    tag = uuid.uuid4().hex[:8]
    down = {**env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/3"}

    output = coursegate(down, "shell", "-c", ENQUEUE.format(tag=tag))

    assert "could not publish 3 e-mails to the broker" in output
    assert (_statuses(env, tag), smtp_server.received) == ({"pending": 3}, [])
    coursegate(down, "outbox", "send")
    assert sorted(r for r, _ in smtp_server.received) == [f"{n}-{tag}@example.com" for n in ("ann", "bob", "cid")]
    assert _statuses(env, tag) == {"sent": 3}
