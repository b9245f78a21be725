"""Analytics exports at scale: the Jitterbit accounts and enrollment batches against a raw COPY.

Fills the database to N accounts and N enrollments (PostgreSQL: one INSERT ... SELECT
generate_series for the accounts, one INSERT ... SELECT for the enrollments; SQLite: the same
with a recursive CTE), then, through the real server (2 gunicorn workers):

- GET /api/jitterbit/v1/accounts/batch (JSON) and /api/jitterbit/v1/enrollment/batch (JSON, and
  once as CSV): rows/s over the whole body, the time to the first whole row, the body size;
- the limit, in the same run: the same rows straight from the database — PostgreSQL: a raw
  ``COPY (SELECT json_build_object(...) ... ORDER BY id) TO STDOUT`` (CSV: ``COPY (SELECT the
  same columns) TO STDOUT (FORMAT csv)``) read with psycopg's ``copy()``, and with psql when it is
  installed (the faster of the two is the limit); SQLite: the same SELECT with json_object through
  the sqlite3 module;
- the gunicorn workers' peak resident memory (VmHWM) after all of it.

One ratio line each (bench/_ratio.py): rows/s against the limit (target 0.5 on PostgreSQL), the
first row against 200 ms, the workers' peak RSS against 150 MB.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/analytics_stream.py [--rows 1000000]
    .venv/bin/python bench/analytics_stream.py --smoke   # ~2,000 rows: checks the script works
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg
from _ratio import database, emit
from _server import demo_server, token

USERS_PG = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                           date_joined)
SELECT '!', false, 'bench' || g, '', '', 'bench' || g || '@example.com', false, g %% 10 <> 0,
       timestamptz '2020-01-01' + g * interval '1.25 second'
FROM generate_series(%s::bigint, %s::bigint) AS g
"""
ENROLLMENTS_PG = """
INSERT INTO enrollments_enrollment (mode, is_active, created, modified, course_run_id, user_id)
SELECT 'audit', u.id %% 7 <> 0, u.date_joined + interval '0.5 second', u.date_joined,
       runs.ids[1 + u.id %% cardinality(runs.ids)], u.id
FROM accounts_user u, (SELECT array_agg(id ORDER BY id) AS ids FROM courses_courserun) runs
WHERE u.username LIKE 'bench%%' AND NOT EXISTS (SELECT 1 FROM enrollments_enrollment e WHERE e.user_id = u.id)
ORDER BY u.id LIMIT %s
"""
USERS_SQLITE = """
WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n < ?)
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                           date_joined)
SELECT '!', 0, 'bench' || n, '', '', 'bench' || n || '@example.com', 0, n % 10 <> 0,
       strftime('%Y-%m-%d %H:%M:%f', '2020-01-01', '+' || (n * 1.25) || ' seconds')
FROM g
"""
ENROLLMENTS_SQLITE = """
WITH runs AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS runs FROM courses_courserun)
INSERT INTO enrollments_enrollment (mode, is_active, created, modified, course_run_id, user_id)
SELECT 'audit', u.id % 7 <> 0, strftime('%Y-%m-%d %H:%M:%f', u.date_joined, '+0.5 seconds'), u.date_joined,
       runs.id, u.id
FROM accounts_user u JOIN runs ON runs.n = u.id % runs.runs
WHERE u.username LIKE 'bench%' AND NOT EXISTS (SELECT 1 FROM enrollments_enrollment e WHERE e.user_id = u.id)
ORDER BY u.id LIMIT ?
"""

JOINS = (
    "FROM enrollments_enrollment e JOIN accounts_user u ON u.id = e.user_id "
    "JOIN courses_courserun r ON r.id = e.course_run_id ORDER BY e.id"
)
ACCOUNT_COLUMNS = "username, date_joined, is_active, id, email"
ENROLLMENT_COLUMNS = "u.username, r.key, e.user_id, e.id, e.created"
LIMITS_PG = {
    ("accounts", "json"): "COPY (SELECT json_build_object('username', username, 'date_joined', date_joined, "
    "'is_active', is_active, 'id', id, 'email', email) FROM accounts_user ORDER BY id) TO STDOUT",
    ("enrollment", "json"): "COPY (SELECT json_build_object('username', u.username, 'course_id', r.key, "
    f"'user_id', e.user_id, 'enrollment_id', e.id, 'date_enrolled', e.created) {JOINS}) TO STDOUT",
    ("enrollment", "csv"): f"COPY (SELECT {ENROLLMENT_COLUMNS} {JOINS}) TO STDOUT (FORMAT csv)",
}
LIMITS_SQLITE = {
    ("accounts", "json"): "SELECT json_object('username', username, 'date_joined', date_joined, 'is_active', "
    "json(iif(is_active, 'true', 'false')), 'id', id, 'email', email) FROM accounts_user ORDER BY id",
    ("enrollment", "json"): "SELECT json_object('username', u.username, 'course_id', r.key, 'user_id', e.user_id, "
    f"'enrollment_id', e.id, 'date_enrolled', e.created) {JOINS}",
    ("enrollment", "csv"): f"SELECT {ENROLLMENT_COLUMNS} {JOINS}",
}
# What starts each row in the body (counted, and the first one timed).
ROW_MARK = {"json": b'{"username":', "csv": b"\r\n"}


def fill(env: dict, rows: int) -> tuple[int, int, float]:
    """Fill to ``rows`` accounts and ``rows`` enrollments; returns the counts and the seconds taken."""
    started = time.perf_counter()
    if database() == "postgresql":
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            have = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            if rows > have:
                conn.execute(USERS_PG, (have + 1, rows))
            have = conn.execute("SELECT count(*) FROM enrollments_enrollment").fetchone()[0]
            if rows > have:
                conn.execute(ENROLLMENTS_PG, (rows - have,))
            conn.execute("VACUUM ANALYZE accounts_user")
            conn.execute("VACUUM ANALYZE enrollments_enrollment")
            accounts = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            enrollments = conn.execute("SELECT count(*) FROM enrollments_enrollment").fetchone()[0]
    else:
        with sqlite3.connect(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3") as conn:
            have = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            if rows > have:
                conn.execute(USERS_SQLITE, (have + 1, rows))
            have = conn.execute("SELECT count(*) FROM enrollments_enrollment").fetchone()[0]
            if rows > have:
                conn.execute(ENROLLMENTS_SQLITE, (rows - have,))
            conn.commit()
            accounts = conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            enrollments = conn.execute("SELECT count(*) FROM enrollments_enrollment").fetchone()[0]
    return accounts, enrollments, time.perf_counter() - started


def worker_peak_kib(base: str) -> int:
    """The largest VmHWM of this server's gunicorn processes (its master bound to ``base``'s port
    and the master's children: not the servers of other benchmarks running beside it)."""
    bind = f"127.0.0.1:{base.rsplit(':', 1)[1]}".encode()
    status = {}
    for path in Path("/proc").glob("[0-9]*/status"):
        try:
            status[path.parent.name] = (path.read_text(), (path.parent / "cmdline").read_bytes())
        except OSError:
            continue
    masters = {pid for pid, (_, cmdline) in status.items() if b"gunicorn" in cmdline and bind in cmdline}
    peak = 0
    for pid, (text, _) in status.items():
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if pid in masters or fields.get("PPid", "").strip() in masters:
            peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]))
    return peak


def fetch(url: str, bearer: str, fmt: str) -> tuple[float, float, int, int]:
    """(seconds to the first whole row, seconds in all, body bytes, rows) of one GET."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"})
    mark = ROW_MARK[fmt]
    started = time.perf_counter()
    first_row = None
    size = rows = 0
    tail = b""
    with urllib.request.urlopen(request, timeout=900) as response:
        while chunk := response.read1(1 << 17):
            size += len(chunk)
            window = tail + chunk
            rows += window.count(mark)
            tail = window[-(len(mark) - 1) :]
            # The first row is whole once the second row starts (JSON) or its line has ended (CSV).
            if first_row is None and rows >= 2:
                first_row = time.perf_counter() - started
    total = time.perf_counter() - started
    if fmt == "csv":
        rows -= 1  # the header line's end
    return first_row if first_row is not None else total, total, size, rows


def limit_pg(sql: str) -> dict:
    """Rows/s of the raw COPY, through psycopg's copy() and, when installed, psql."""
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        rows = 0
        with conn.cursor().copy(sql) as copy:
            for _ in copy:
                rows += 1
        psycopg_s = time.perf_counter() - started
    result = {"rows": rows, "psycopg_copy_rows_per_s": rows / psycopg_s}
    if shutil.which("psql"):
        started = time.perf_counter()
        subprocess.run(["psql", "-X", "-q", "-d", url, "-c", sql], check=True, stdout=subprocess.DEVNULL)
        result["psql_copy_rows_per_s"] = rows / (time.perf_counter() - started)
    result["rows_per_s"] = max(v for k, v in result.items() if k.endswith("_per_s"))
    return result


def limit_sqlite(env: dict, sql: str) -> dict:
    with sqlite3.connect(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3") as conn:
        started = time.perf_counter()
        rows = sum(1 for _ in conn.execute(sql))
        return {"rows": rows, "rows_per_s": rows / (time.perf_counter() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="accounts and enrollments to fill to (repeatable)")
    parser.add_argument("--smoke", action="store_true", help="~2,000 rows: checks the script works")
    args = parser.parse_args()
    sizes = [2_000] if args.smoke else sorted(args.rows or [1_000_000])
    on_pg = database() == "postgresql"
    with demo_server(workers=2) as (base, credentials, env):
        staff = token(base, credentials["staff"])
        for size in sizes:
            accounts, enrollments, fill_s = fill(env, size)
            counts = {"accounts": accounts, "enrollment": enrollments}
            for _ in range(4):  # both workers warm (imports, connection, statistics): the first row is the export's
                for export in counts:
                    fetch(f"{base}/api/jitterbit/v1/{export}/batch?limit=1", staff, "json")
            for export, fmt in (("accounts", "json"), ("enrollment", "json"), ("enrollment", "csv")):
                url = f"{base}/api/jitterbit/v1/{export}/batch" + ("?format=csv" if fmt == "csv" else "")
                first_s, total_s, body, rows = fetch(url, staff, fmt)
                assert rows == counts[export], (export, fmt, rows, counts[export])
                limit = limit_pg(LIMITS_PG[export, fmt]) if on_pg else limit_sqlite(env, LIMITS_SQLITE[export, fmt])
                assert limit["rows"] == rows, (limit["rows"], rows)
                scale = f"{rows:,} {export} rows, {fmt}"
                details = {k: round(v) for k, v in limit.items() if k.endswith("_per_s")}
                emit(
                    benchmark=f"analytics_{export}_{fmt}_rows_per_s",
                    value=rows / total_s,
                    unit="rows/s",
                    limit=limit["rows_per_s"],
                    limit_name="raw COPY of the same rows (faster of psycopg copy() and psql)"
                    if on_pg
                    else "the same SELECT through sqlite3",
                    target=0.5 if on_pg else None,
                    scale=scale,
                    seconds=round(total_s, 2),
                    body_mb=round(body / 1e6, 1),
                    fill_seconds=round(fill_s, 1),
                    **{f"limit_{k}": v for k, v in details.items()},
                )
                emit(
                    benchmark=f"analytics_{export}_{fmt}_first_row",
                    value=first_s * 1000,
                    unit="ms",
                    limit=200.0,
                    limit_name="issue 10's 200 ms",
                    target=1.0,
                    scale=scale,
                    lower_is_better=True,
                )
        emit(
            benchmark="analytics_worker_peak_rss",
            value=worker_peak_kib(base) / 1024,
            unit="MB",
            limit=150.0,
            limit_name="issue 10's 150 MB",
            target=1.0,
            scale=f"after the exports above, up to {max(sizes):,} rows",
            lower_is_better=True,
        )


if __name__ == "__main__":
    main()
