"""A real Celery worker delivering webhooks is killed (-9) in the middle of a subscription's
events: nothing is lost. The killed round's lease runs out and the worker's next sweep goes on from
the cursor; the receiver gets every event, in order, the one in flight at the kill at most twice
(its id lets the receiver drop the copy).

Processes: a private redis-server (tests/enterprise_jobs/processes.py), `coursegate worker`, a
receiver in this process. The worker uses this test's own database (pytest-django's, migrated
once per run; the test writes its rows committed and pytest-django empties the tables after it),
so no migrate is paid here. PostgreSQL only: SQLite's test database is in memory, per process.
"""

from __future__ import annotations

import os
import signal
import time
from urllib.parse import urlsplit, urlunsplit

import psutil
import pytest
from celery import Celery
from django.db import connection

from coursegate.webhooks.services import subscription_create
from tests.enterprise_jobs.processes import base_env, needs_redis_server, redis_server, wait_for, worker
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver, verify

pytestmark = [
    pytest.mark.slow,
    needs_redis_server,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]

EVENTS = 30
SECRET = "celery-test-secret-0123456789"


def _test_database_url() -> str:
    """DATABASE_URL naming the test database (pytest-django's ``test_<name>``) instead of the run's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _delivering_process(main_pid: int, port: int) -> psutil.Process | None:
    """The worker's process holding a connection to the receiver (the pool child in a round)."""
    for child in psutil.Process(main_pid).children(recursive=True):
        try:
            if any(c.raddr and c.raddr.port == port for c in child.net_connections(kind="tcp")):
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def test_a_worker_killed_mid_delivery_loses_no_event(tmp_path):
    receiver = Receiver(delay=0.05).start()
    try:
        with redis_server(tmp_path) as redis:
            env = base_env(
                tmp_path, CELERY_BROKER_URL=redis.url, DATABASE_URL=_test_database_url(),
                COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS="true", COURSEGATE_WEBHOOK_TIMEOUT_SECONDS="1",
                COURSEGATE_SWEEP_SECONDS="1",
            )  # fmt: skip
            started = time.monotonic()
            subscription_create(url=receiver.url, event_types=["coursegate.enrollment.*"], secret=SECRET)
            ids = [event.pk for event in append(*["coursegate.enrollment.created"] * EVENTS)]

            # One worker process (the prefork pool's child) runs the tasks: the published delivery
            # task and, every second, the sweeps (--beat). It is killed in the middle of the events;
            # the worker starts a new child, whose sweep goes on from the cursor once the killed
            # round's lease (2 x 1 s + 5 s) has run out.
            with worker(env, tmp_path / "worker.log", "--concurrency", "1", "--beat") as main:
                Celery(broker=redis.url).send_task("coursegate.webhooks.deliver")
                wait_for(lambda: len(receiver.received) >= 8, timeout=30, message="no delivery started")
                port = receiver.server.server_address[1]
                wait_for(lambda: _delivering_process(main.pid, port), timeout=5).send_signal(signal.SIGKILL)
                at_kill, killed = len(receiver.received), time.monotonic()
                wait_for(lambda: len(receiver.accepted_ids()) >= EVENTS, timeout=40,
                         message=lambda: f"{len(receiver.accepted_ids())} of {EVENTS} events arrived")  # fmt: skip
                log, done = (tmp_path / "worker.log").read_text(), time.monotonic()
    finally:
        receiver.stop()

    sent = [r.body["id"] for r in receiver.received]
    print(f"events {EVENTS}, received at the kill {at_kill}, POSTs {len(sent)}; "
          f"start to kill {killed - started:.1f} s, kill to the last event {done - killed:.1f} s")  # fmt: skip
    assert at_kill < EVENTS and "SIGKILL" in log  # Celery's report of the lost child
    assert receiver.accepted_ids() == ids  # every event, in id order
    assert len(sent) - EVENTS <= 1  # at most the one in flight twice
    assert sent == sorted(sent)  # never out of order, copies included
    assert all(verify(SECRET, r.headers["X-Coursegate-Signature"], r.raw) for r in receiver.received)
