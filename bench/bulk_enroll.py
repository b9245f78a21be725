"""Appsembler bulk enroll, unenroll and re-enroll against a real server, as ratios (issue 10).

N existing accounts (identified by e-mail) x M course runs, through the real server (2 workers), the
accounts created first and the database ANALYZEd as a live one is:
1. the limit: one raw ``INSERT ... SELECT`` of as many enrollments and their history rows, for a
   twin set of N accounts in the same runs (PostgreSQL: one statement, a data-modifying CTE;
   SQLite: two), with the foreign keys checked as a commit checks them, rolled back;
2. one fresh bulk-enroll request of the pairs, the bulk unenroll of the same pairs, and the
   re-enroll of the now inactive pairs.
Each is done for ``--repeat`` fresh account sets and the fastest of each counts (the machine is
shared). Ratio lines (bench/_ratio.py): the fresh enroll against the INSERT ... SELECT (pairs/s,
target 0.5); unenroll and re-enroll against the fresh enroll (seconds, lower is better, target 0.5:
at most twice the time). The same at smaller scales (4,000 and 7,000 pairs by default), and whether
the unenroll grows faster than the pairs: its time over the INSERT ... SELECT of the same scale
(linear in pairs), at the largest scale against the smallest (target 0.5; a statement quadratic in
pairs scores 0.4 at 10,000 vs 4,000 pairs). Each scale against its own limit, so a load on the
shared machine that comes and goes between scales does not pass for growth.

    .venv/bin/python bench/bulk_enroll.py [--identifiers 1000] [--courses 10] [--linearity 400,700]
                                          [--repeat 3] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from _ratio import database, emit
from _server import BIN, demo_server, token

PATH = "/appsembler_api/v0/bulk-enrollment/bulk-enroll"
SERVER_MS: list[float] = []
SETUP = """
from coursegate.accounts.models import User
from coursegate.courses.services import course_run_upsert, course_mode_upsert
accounts = [User(username=f"{{p}}{{i}}", email=f"{{p}}{{i}}@example.com") for p, n in {sets} for i in range(n)]
User.objects.bulk_create(accounts, ignore_conflicts=True)
for i in range({m}):
    run = course_run_upsert(key=f"course-v1:Bench+B{{i}}+2026", title=f"Bench {{i}}")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
"""

# The limit: the same enrollments and history rows, set-based, with nothing else around them.
PG_LIMIT = """
WITH e AS (
    INSERT INTO enrollments_enrollment (user_id, course_run_id, mode, is_active, created, modified)
    SELECT u.id, r.id, 'audit', true, now(), now()
    FROM accounts_user u CROSS JOIN courses_courserun r
    WHERE u.email = ANY(%(emails)s) AND r.key = ANY(%(keys)s)
    RETURNING id, mode, is_active
)
INSERT INTO enrollments_enrollmenthistory (enrollment_id, mode, is_active, changed_at, actor_id, source)
SELECT id, mode, is_active, now(), %(actor)s, 'appsembler' FROM e
"""
SQLITE_LIMIT = (
    """
INSERT INTO enrollments_enrollment (user_id, course_run_id, mode, is_active, created, modified)
SELECT u.id, r.id, 'audit', 1, :now, :now FROM accounts_user u CROSS JOIN courses_courserun r
WHERE u.email IN (SELECT value FROM json_each(:emails)) AND r.key IN (SELECT value FROM json_each(:keys))
""",
    """
INSERT INTO enrollments_enrollmenthistory (enrollment_id, mode, is_active, changed_at, actor_id, source)
SELECT id, mode, is_active, :now, :actor, 'appsembler' FROM enrollments_enrollment WHERE id > :last
""",
)


def post(base: str, body: dict, bearer: str) -> tuple[float, dict]:
    """Seconds from sending the request to its parsed answer, and the answer; the server's own
    time (its Server-Timing header) goes to SERVER_MS."""
    request = urllib.request.Request(
        f"{base}{PATH}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        payload = json.load(response)
        SERVER_MS.append(float(response.headers.get("Server-Timing", "app;dur=0").split("dur=")[1]))
    return time.perf_counter() - started, payload


def insert_select_seconds(env: dict, emails: list[str], keys: list[str]) -> tuple[float, int]:
    """Seconds of one raw INSERT ... SELECT of the enrollments and history rows of these pairs
    (rolled back), and the rows it wrote (enrollments + history)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with connect(env) as conn:
            actor = conn.execute("SELECT id FROM accounts_user WHERE username = 'staff'").fetchone()[0]
            started = time.perf_counter()
            # Foreign keys are deferred to the commit, which a rolled-back transaction skips.
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            rows = 2 * conn.execute(PG_LIMIT, {"emails": emails, "keys": keys, "actor": actor}).rowcount
            seconds = time.perf_counter() - started
            conn.rollback()
        return seconds, rows
    conn = connect(env)
    try:
        conn.execute("PRAGMA foreign_keys = ON")  # as Django's connections have them
        actor = conn.execute("SELECT id FROM accounts_user WHERE username = 'staff'").fetchone()[0]
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        last = conn.execute("SELECT coalesce(max(id), 0) FROM enrollments_enrollment").fetchone()[0]
        params = {"emails": json.dumps(emails), "keys": json.dumps(keys), "now": "2026-01-01 00:00:00", "actor": actor}
        rows = conn.execute(SQLITE_LIMIT[0], params).rowcount
        rows += conn.execute(SQLITE_LIMIT[1], {**params, "last": last}).rowcount
        seconds = time.perf_counter() - started
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    return seconds, rows


def connect(env: dict):
    """A raw connection to the server's database: psycopg (autocommit off) or sqlite3 (autocommit)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        return psycopg.connect(url)
    path = url.removeprefix("sqlite:///") if url else str(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3")
    return sqlite3.connect(path, isolation_level=None)


def analyze(env: dict) -> None:
    """Planner statistics for the accounts just created, as a live database has them (autovacuum
    would take a minute to get there)."""
    conn = connect(env)
    try:
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


def count(payload: dict, field: str) -> int:
    return sum(r["after"][field] for c in payload["courses"].values() for r in c["results"] if "after" in r)


def measure(base: str, env: dict, staff: str, sets: list[tuple[list[str], list[str]]], keys: list[str], scale: str):
    """For each (accounts, twin accounts) set: the limit on the twin accounts (the same number of
    enrollments in the same runs, so its rolled-back rows leave nothing in the way of the measured
    ones), then the fresh enroll, unenroll and re-enroll of the accounts. Emits the three ratio lines
    on the fastest of each (the machine is shared: the minimum is the least disturbed figure)."""
    times: dict[str, list[float]] = {"insert_select": [], "enroll": [], "unenroll": [], "reenroll": []}
    server: dict[str, list[float]] = {"enroll": [], "unenroll": [], "reenroll": []}  # ms, as the server saw it
    pairs = len(sets[0][0]) * len(keys)
    for emails, twins in sets:
        limit, rows = insert_select_seconds(env, twins, keys)
        assert rows == 2 * pairs, (rows, pairs)  # enrollments + history rows
        body = {
            "identifiers": ",".join(emails),
            "courses": ",".join(keys),
            "auto_enroll": True,
            "email_students": False,
        }
        enroll, payload = post(base, {**body, "action": "enroll"}, staff)
        assert count(payload, "enrollment") == pairs, "the fresh enroll did not enroll every pair"
        unenroll, payload = post(base, {**body, "action": "unenroll"}, staff)
        assert count(payload, "enrollment") == 0, "the unenroll left active enrollments"
        reenroll, payload = post(base, {**body, "action": "enroll"}, staff)
        assert count(payload, "enrollment") == pairs, "the re-enroll did not enroll every pair"
        for name, seconds in zip(times, (limit, enroll, unenroll, reenroll), strict=True):
            times[name].append(round(seconds, 5))
        server["enroll"].append(SERVER_MS[-3])
        server["unenroll"].append(SERVER_MS[-2])
        server["reenroll"].append(SERVER_MS[-1])
    best = {name: min(values) for name, values in times.items()}
    emit(
        benchmark="Appsembler bulk enroll (fresh pairs)",
        value=pairs / best["enroll"],
        unit="enrollments/s",
        limit=pairs / best["insert_select"],
        limit_name="raw INSERT ... SELECT of as many enrollments + history rows",
        target=0.5,
        scale=scale,
        seconds=times,
        server_ms=server,
    )
    for name, work in (("unenroll", best["unenroll"]), ("re-enroll of the inactive pairs", best["reenroll"])):
        emit(
            benchmark=f"Appsembler bulk {name}",
            value=work,
            unit="s",
            limit=best["enroll"],
            limit_name="fresh bulk enroll of the same pairs",
            target=0.5,
            scale=scale,
            lower_is_better=True,
        )
    return {"pairs": pairs, **best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=1000, help="accounts of the main run")
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--linearity", default="400,700", help="accounts of the smaller runs (comma-separated)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh account sets per scale (the fastest counts)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.identifiers, args.courses, args.linearity, args.repeat = 50, 2, "20,35", 1
    sizes = sorted({int(n) for n in args.linearity.split(",") if n} | {args.identifiers})
    prefixes = {n: [(f"b{n}r{k}u", f"b{n}t{k}u") for k in range(args.repeat)] for n in sizes}
    keys = [f"course-v1:Bench+B{i}+2026" for i in range(args.courses)]
    with demo_server(workers=2) as (base, credentials, env):
        accounts = [(p, n) for n in sizes for pair in prefixes[n] for p in pair]
        code = SETUP.format(sets=accounts, m=args.courses)
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", code], env=env, check=True)
        analyze(env)
        staff = token(base, credentials["staff"])
        post(base, {"action": "enroll", "identifiers": "warm-up@example.com", "courses": keys[0]}, staff)
        runs = []
        for n in sizes:
            sets = [
                ([f"{work}{i}@example.com" for i in range(n)], [f"{twin}{i}@example.com" for i in range(n)])
                for work, twin in prefixes[n]
            ]
            runs.append(measure(base, env, staff, sets, keys, f"{n} x {args.courses}"))
        small, large = runs[0], runs[-1]
        if large["pairs"] > small["pairs"]:
            emit(
                benchmark="Appsembler bulk unenroll, growth with pairs (unenroll / INSERT ... SELECT)",
                value=large["unenroll"] / large["insert_select"],
                unit=f"x the INSERT ... SELECT at {large['pairs']} pairs",
                limit=small["unenroll"] / small["insert_select"],
                limit_name=f"the same at {small['pairs']} pairs",
                target=0.5,
                scale=f"{small['pairs']} -> {large['pairs']} pairs",
                lower_is_better=True,
            )
        print(json.dumps({"benchmark": "bulk_enroll seconds (fastest)", "database": database(), "runs": runs}))


if __name__ == "__main__":
    main()
