"""Issue 11, failure 3: a web worker killed after the commit that wrote e-mails loses none of them.

A real `coursegate serve` (one gunicorn worker and the dispatcher) sends mail to a server that
accepts connections and never answers. An enterprise admin assigns licenses with notify: the
request commits the licenses and their outbox rows, then hangs on SMTP in the worker, which is
killed with -9. The mail server then answers normally, and the dispatcher's sweep delivers every
e-mail: each recipient receives exactly one, and every row is ``sent``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests

from tests.e2e.conftest import BIN, LiveServer, _free_port, _stop, _wait_for_health
from tests.outbox.smtp import HangingServer, SmtpServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PLAN = "904b1785-9d3a-1000-848d-6ae7a56e6355"  # the demo's plan of customer A (100 licenses)
LEARNERS = 25

REPORT = """
import json
from collections import Counter
from coursegate.outbox.models import OutboxEmail
rows = OutboxEmail.objects.filter(to__icontains="{tag}")
print(json.dumps({{"kinds": sorted(set(rows.values_list("kind", flat=True))),
                   "status": dict(Counter(rows.values_list("status", flat=True)))}}))
"""


@pytest.fixture
def hanging_mail_server():
    server = HangingServer()
    yield server
    server.stop()


@pytest.fixture
def crash_server(tmp_path, hanging_mail_server):
    env = {
        **os.environ,
        "COURSEGATE_VAR_DIR": str(tmp_path),
        "COURSEGATE_THROTTLING": "false",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "tests.outbox.crash_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "EMAIL_URL": f"smtp://127.0.0.1:{hanging_mail_server.port}",
        "COURSEGATE_SWEEP_SECONDS": "2",
        "COURSEGATE_OUTBOX_RETRY_SECONDS": "1",
    }
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env.pop("DATABASE_URL", None)  # <tmp_path>/coursegate.sqlite3
    port = _free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", tmp_path, env, tmp_path / "access.log", tmp_path / "server.err")
    server.coursegate("migrate", "--no-input", "-v", "0")
    server.load_demo()
    with open(server.access_log, "w") as out, open(server.error_log, "w") as err:
        process = subprocess.Popen(
            [str(BIN / "coursegate"), "serve", "--port", str(port), "--workers", "1"],
            cwd=tmp_path, env=env, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for_health(server, process)
        server.master_pid = process.pid  # type: ignore[attr-defined]
        yield server
    finally:
        _stop(process)


def _report(server: LiveServer, tag: str) -> dict:
    """The outbox rows of this test's recipients, read by `coursegate shell` on the server's database."""
    return json.loads(server.coursegate("shell", "-c", REPORT.format(tag=tag)).strip().splitlines()[-1])


def _token(server: LiveServer, role: str) -> str:
    cred = server.credentials[role]
    response = requests.post(
        f"{server.url}/oauth2/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": cred["client_id"],
            "client_secret": cred["client_secret"],
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _web_worker(master_pid: int) -> psutil.Process:
    workers = [p for p in psutil.Process(master_pid).children() if "dispatcher" not in " ".join(p.cmdline())]
    assert len(workers) == 1, workers
    return workers[0]


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_web_worker_killed_while_sending_loses_no_email_and_none_is_sent_twice(crash_server, hanging_mail_server):
    server, tag = crash_server, uuid.uuid4().hex[:10]
    emails = [f"crash{i}-{tag}@example.com" for i in range(LEARNERS)]
    headers = {"Authorization": f"Bearer {_token(server, 'enterprise_admin')}", "Accept": "application/json"}
    outcome: dict[str, object] = {}

    def assign():
        try:
            outcome["response"] = requests.post(
                f"{server.url}/enterprise/v1/subscriptions/{PLAN}/licenses/assign",
                json={"user_emails": emails, "notify_users": True}, headers=headers, timeout=60,
            )  # fmt: skip
        except requests.RequestException as exc:
            outcome["error"] = exc

    request = threading.Thread(target=assign)
    request.start()
    # The worker reaches the mail server only after the commit (the outbox kick is an on_commit).
    _wait_for(lambda: hanging_mail_server.connections >= 1, 30, "the worker to connect to the mail server")
    assert request.is_alive(), f"the request finished instead of hanging on SMTP: {outcome}"
    _web_worker(server.master_pid).send_signal(signal.SIGKILL)
    request.join(timeout=30)
    assert "error" in outcome, f"the killed worker answered: {outcome}"  # no answer: the connection died
    written = _report(server, tag)

    hanging_mail_server.stop()
    mail = SmtpServer(hanging_mail_server.port).start()
    try:
        # The worker's lease (8 s) runs out, the dispatcher (every 2 s) claims the rows and sends.
        _wait_for(lambda: set(mail.per_recipient()) >= set(emails), 45, "every e-mail to be delivered")
        time.sleep(5)  # two more sweeps: nothing is sent again
        delivered = mail.per_recipient()
    finally:
        mail.stop()
    after = _report(server, tag)

    print(f"e-mails written: {sum(written['status'].values())}, delivered: {sum(delivered.values())}, "
          f"recipients: {len(delivered)}, rows after: {after['status']}")  # fmt: skip
    assert sum(written["status"].values()) == LEARNERS
    assert written["kinds"] == ["license_assigned"]
    assert dict(delivered) == dict.fromkeys(emails, 1)
    assert after["status"] == {"sent": LEARNERS}
