"""Every benchmark runs (issue 10: "a small-scale run is a smoke test in the suite").

Each script of bench/ is started with ``--smoke`` (tiny scale, short load) against a real server
of its own, on this run's database kind, and must print its JSON result lines; the scripts behind
the issue's table of limits print ratio lines (bench/_ratio.py) with both the work and its limit.
Speed is not asserted here: only that each benchmark executes and measures. On the PostgreSQL run
the scripts get a scratch database of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_") and p.name != "report.py")
# Each smoke run starts servers of its own (20-40 s): to keep CI in its time budget, every script
# runs in the PostgreSQL pass and only these also in the SQLite pass (their SQLite paths differ most).
SQLITE_TOO = {"token_endpoint.py", "enrollment_list.py", "bulk_enroll.py", "analytics_stream.py"}
# The scripts measuring a row of issue 10's table: each reports work / limit of the same run.
RATIO_SCRIPTS = {"token_endpoint.py", "enrollment_list.py", "analytics_stream.py", "events.py", "bulk_enroll.py"}

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def bench_env(django_db_blocker):
    """The environment of the scripts: no DATABASE_URL (SQLite) on the SQLite run; a scratch
    PostgreSQL database, dropped afterwards, on the PostgreSQL run."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql":
        yield env, "sqlite"
        return
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"coursegate_bench_smoke_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": f"{base}/{name}"}, "postgresql"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_benchmark_runs_and_reports_ratios(script, bench_env):
    env, kind = bench_env
    if script not in SQLITE_TOO and kind != "postgresql":
        pytest.skip(f"{script}'s smoke run is in the PostgreSQL suite (CI's time budget)")
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        cwd=BENCH.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout[-3000:]
    ratios = [line for line in lines if "ratio" in line]
    assert ratios or script not in RATIO_SCRIPTS, done.stdout[-3000:]
    for line in ratios:
        assert line["value"] > 0 and line["limit"] > 0, line
        assert line["database"] == kind
