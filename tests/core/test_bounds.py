"""Bounded requests (issue 11, failure 4): no statement of a request outlives it.

A test connection holds the row lock of a demo enrollment (every enrollment write locks its row);
a real `coursegate serve` on a private PostgreSQL cluster is asked for such a write. With the
default budget the statement is cancelled before the worker timeout and the request answered 503;
with no budget at all and the worker killed with -9, PostgreSQL cancels the orphaned statement
itself (client_connection_check_interval). (A worker gunicorn aborts at its timeout cancels its
own statement: psycopg sends a cancel request when a wait is interrupted.) Either way nothing of
the server's is left running, waiting or holding a lock while the test's own lock is still held.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests

from tests.core.test_outage_kit import (
    BIN,
    DEMO_RUN,
    ENROLLMENT,
    PrivateCluster,
    outage_shaped,
    serve,
    server_env,
    wait_for,
)

# The session fixtures (databases migrated once, a private PostgreSQL cluster) live in the kit.
pytest_plugins = ["tests.core.test_outage_kit"]

WRITE = {"user": "honor", "mode": "honor", "course_details": {"course_id": DEMO_RUN}}


def _hold_enrollment_lock(url: str) -> psycopg.Connection:
    """Lock honor's enrollment row in the demo run (every enrollment write locks its row)."""
    holder = psycopg.connect(url)
    row = holder.execute(
        "SELECT e.id FROM enrollments_enrollment e JOIN accounts_user u ON u.id = e.user_id "
        "JOIN courses_courserun r ON r.id = e.course_run_id WHERE u.username = 'honor' AND r.key = %s "
        "FOR UPDATE OF e",
        [DEMO_RUN],
    ).fetchone()
    assert row is not None
    return holder


def _server_backends(cluster: PrivateCluster, holder: psycopg.Connection) -> list[tuple]:
    """The server's backends that are doing anything: running, waiting, or in a transaction."""
    return cluster.query(
        "SELECT pid, state, wait_event_type, left(query, 80) FROM pg_stat_activity "
        f"WHERE datname = '{holder.info.dbname}' AND pid <> {holder.info.backend_pid} AND state <> 'idle'"
    )


def _server_locks(cluster: PrivateCluster, holder: psycopg.Connection) -> list[tuple]:
    return cluster.query(
        "SELECT l.pid, l.locktype, l.mode, l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        f"WHERE a.datname = '{holder.info.dbname}' AND l.pid <> {holder.info.backend_pid}"
    )


@pytest.mark.slow
def test_a_request_waiting_on_a_held_row_lock_is_answered_503_before_the_worker_timeout(
    pg_cluster, pg_template, tmp_path
):
    # A 6 s worker timeout: statements get 3 s (half of it), lock waits as much.
    env = pg_template.server_env(tmp_path, COURSEGATE_SERVE_TIMEOUT="6")
    served = serve(env, pg_template.credentials, "--no-dispatcher")
    cluster, database = pg_cluster, env["DATABASE_URL"]
    try:
        auth = {"Authorization": f"Bearer {served.token().json()['access_token']}"}
        holder = _hold_enrollment_lock(database)
        started = time.monotonic()
        response = requests.post(f"{served.url}{ENROLLMENT}", json=WRITE, headers=auth, timeout=30)
        elapsed = time.monotonic() - started
        print(f"\nwrite behind a held row lock: {response.status_code} after {elapsed:.1f} s (worker timeout 6 s)")
        assert outage_shaped(response), (response.status_code, response.text)
        assert "time" in response.json()["detail"]
        assert 2.5 < elapsed < 6
        assert _server_backends(cluster, holder) == []
        assert _server_locks(cluster, holder) == []
        holder.rollback()
        holder.close()
        assert requests.post(f"{served.url}{ENROLLMENT}", json=WRITE, headers=auth, timeout=30).status_code == 200
    finally:
        served.stop()


@pytest.mark.slow
def test_a_statement_outliving_its_killed_worker_is_cancelled_by_postgresql(pg_cluster, pg_template, tmp_path):
    # No statement or lock budget at all (the state before issue 11) and a worker killed with -9 while
    # its request waits on the lock (an OOM kill, or gunicorn's SIGKILL after its abort): nothing in
    # the worker can cancel the statement. Only the client connection check (1 s here) stands between
    # that and a statement left waiting, then running, for as long as the lock is held.
    env = pg_template.server_env(
        tmp_path,
        COURSEGATE_DB_STATEMENT_TIMEOUT_MS="0",
        COURSEGATE_DB_LOCK_TIMEOUT_MS="0",
        COURSEGATE_DB_CLIENT_CHECK_MS="1000",
    )
    served = serve(env, pg_template.credentials, "--no-dispatcher", workers=1)
    cluster, database = pg_cluster, env["DATABASE_URL"]
    try:
        auth = {"Authorization": f"Bearer {served.token().json()['access_token']}"}
        holder = _hold_enrollment_lock(database)
        answers: list[str] = []

        def write() -> None:
            try:
                requests.post(f"{served.url}{ENROLLMENT}", json=WRITE, headers=auth, timeout=30)
                answers.append("answered")
            except requests.ConnectionError:
                answers.append("connection closed")

        client = threading.Thread(target=write)
        client.start()
        waiting = lambda: [row for row in _server_backends(cluster, holder) if row[2] == "Lock"]  # noqa: E731
        wait_for(waiting, "the request never waited on the lock", 10)
        [worker] = Path(f"/proc/{served.process.pid}/task/{served.process.pid}/children").read_text().split()
        os.kill(int(worker), signal.SIGKILL)
        killed = time.monotonic()

        wait_for(lambda: _server_backends(cluster, holder) == [], "the orphaned statement is still there", 10)
        print(f"\nworker killed with -9; its waiting statement gone {time.monotonic() - killed:.1f} s later")
        assert _server_locks(cluster, holder) == []
        # The test's lock was held all along: PostgreSQL gave up the statement, not the lock holder.
        assert holder.execute("SELECT 1").fetchone() == (1,)
        holder.rollback()
        holder.close()
        client.join(timeout=30)
        assert answers == ["connection closed"]
        assert "not below the worker timeout" in served.err.read_text()
    finally:
        served.stop()


def _settings(env: dict, command: list[str]) -> dict[str, str]:
    code = (
        "from django.conf import settings as s; "
        "print(s.SERVE_TIMEOUT, s.DB_STATEMENT_TIMEOUT_MS, s.DB_LOCK_TIMEOUT_MS, s.DB_CLIENT_CHECK_MS)"
    )
    done = subprocess.run([*command, code], env=env, capture_output=True, text=True, timeout=60, check=True)
    return dict(zip(["serve", "statement", "lock", "client_check"], done.stdout.splitlines()[-1].split(), strict=True))


PYTHON = [sys.executable, "-c", "import django; django.setup(); exec(__import__('sys').argv[1])"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, {"serve": "30", "statement": "25000", "lock": "10000", "client_check": "2000"}),
        ({"COURSEGATE_SERVE_TIMEOUT": "6"}, {"serve": "6", "statement": "3000", "lock": "3000"}),
        ({"COURSEGATE_SERVE_TIMEOUT": "120"}, {"serve": "120", "statement": "115000", "lock": "10000"}),
        ({"COURSEGATE_DB_STATEMENT_TIMEOUT_MS": "0"}, {"statement": "0", "lock": "10000"}),
        ({"COURSEGATE_DB_LOCK_TIMEOUT_MS": "500"}, {"statement": "25000", "lock": "500"}),
        ({"COURSEGATE_DB_CLIENT_CHECK_MS": "0"}, {"client_check": "0"}),
    ],
)
def test_the_statement_budget_follows_the_worker_timeout_unless_set(tmp_path, given, expected):
    env = server_env(tmp_path, DJANGO_SETTINGS_MODULE="coursegate.settings", **given)
    found = _settings(env, [*PYTHON])
    assert {name: found[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("command", "statement"),
    [
        ("shell", "0"),  # the benchmarks' loaders run through `coursegate shell -c`
        ("diffsettings", "25000"),
    ],
)
def test_long_running_commands_have_no_statement_timeout_unless_one_is_set(tmp_path, command, statement):
    env = server_env(tmp_path)
    if command == "shell":
        found = _settings(env, [str(BIN / "coursegate"), "shell", "-c"])
        assert found["statement"] == statement
        env["COURSEGATE_DB_STATEMENT_TIMEOUT_MS"] = "7000"
        assert _settings(env, [str(BIN / "coursegate"), "shell", "-c"])["statement"] == "7000"
    else:
        done = subprocess.run([str(BIN / "coursegate"), command], env=env, capture_output=True, text=True, timeout=60)
        assert f"DB_STATEMENT_TIMEOUT_MS = {statement}" in done.stdout
