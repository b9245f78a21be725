"""``coursegate import licenses`` of N rows (``plan_uuid,email``) onto one plan, against a raw COPY.

Issue 13: "Provisioning 1,000,000 licenses on one plan takes under 60 s on PostgreSQL" (the
reference service managed ~345k in 30 minutes). On a throw-away state directory with the demo data
(customer A and its catalog), imports a plan without licenses, writes a CSV of N new e-mails, then
times the command as an operator runs it (``coursegate import licenses FILE --add-licenses``, a
subprocess: parsing, validation, licenses inserted assigned, learners linked to the customer).
The limit of the same run is a raw load of the same CSV into a scratch table: PostgreSQL
``COPY ... FROM STDIN`` through psycopg; SQLite one ``executemany`` INSERT. On PostgreSQL a second
line compares with the database's floor: the same rows inserted by plain SQL into empty copies of
the license and learner-link tables with all their indexes.

    DATABASE_URL=postgres://... .venv/bin/python bench/provision_licenses.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from _ratio import database, emit
from _server import BIN

PLAN = "5e1ec7ed-0000-4000-8000-0000000c0de5"
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG_A = "3f56a21c-76c8-47c0-add8-a99714d40d94"
TARGET_SECONDS = 60.0


def write_files(directory: Path, rows: int) -> tuple[Path, Path]:
    plan = directory / "plan.csv"
    plan.write_text(
        "uuid,customer_uuid,catalog_uuid,title,start_date,expiration_date,num_licenses\n"
        f"{PLAN},{CUSTOMER_A},{CATALOG_A},Provisioning bench,2024-01-01,2030-12-31,0\n"
    )
    licenses = directory / "licenses.csv"
    with licenses.open("w") as out:
        out.write("plan_uuid,email\n")
        for i in range(rows):
            out.write(f"{PLAN},provision{i}@bench.example\n")
    return plan, licenses


def raw_load_seconds(env: dict, path: Path) -> float:
    """The raw limit: the same CSV loaded into a scratch table, nothing checked."""
    url = env.get("DATABASE_URL", "")
    started = time.perf_counter()
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            conn.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_licenses_raw (plan_uuid uuid, email text)")
            conn.execute("TRUNCATE bench_licenses_raw")
            started = time.perf_counter()
            with conn.cursor().copy("COPY bench_licenses_raw FROM STDIN (FORMAT csv, HEADER true)") as copy:
                with path.open("rb") as source:
                    while block := source.read(1 << 20):
                        copy.write(block)
            conn.commit()
        return time.perf_counter() - started
    with sqlite3.connect(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3") as conn:
        conn.execute("CREATE TEMP TABLE bench_licenses_raw (plan_uuid text, email text)")
        started = time.perf_counter()
        with path.open() as source:
            next(source)
            conn.executemany(
                "INSERT INTO bench_licenses_raw VALUES (?, ?)", (line.rstrip("\n").split(",") for line in source)
            )
        conn.commit()
    return time.perf_counter() - started


def floor_seconds(env: dict) -> float:
    """PostgreSQL only: the same rows written with plain SQL, ``INSERT ... SELECT`` from the raw
    table, into empty copies of the licenses and learner-links tables with all their indexes
    (``LIKE ... INCLUDING ALL``; ordinary logged tables, as the real ones), committed: what the
    database itself needs to store these rows, without any rule, trigger, foreign key or Python."""
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS floor_licenses, floor_learners")
        conn.execute("CREATE TABLE floor_licenses (LIKE subscriptions_license INCLUDING ALL)")
        conn.execute("CREATE TABLE floor_learners (LIKE enterprise_enterpriselearner INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        conn.execute(
            "INSERT INTO floor_licenses (uuid, plan_id, status, user_email, user_sfid, activation_key, "
            "assigned_date, last_remind_date, created) SELECT gen_random_uuid(), plan_uuid, 'assigned', email, '', "
            "gen_random_uuid(), now(), now(), now() FROM bench_licenses_raw"
        )
        conn.execute(
            "INSERT INTO floor_learners (customer_id, email, active, created) "
            "SELECT %s, email, true, now() FROM bench_licenses_raw",
            [CUSTOMER_A],
        )
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE floor_licenses, floor_learners")
        conn.commit()
    return seconds


def phases(stderr: str) -> dict:
    """The PostgreSQL import's own timings from its log lines: reading and staging the file, the
    plan's licenses given (learner links included), and the feed events' statement."""
    found = {}
    for name, pattern in (
        ("staged_seconds", r"rows read and staged in ([0-9.]+) s"),
        ("plan_seconds", r"licenses of plan \S+ given in ([0-9.]+) s"),
        ("feed_seconds", r"feed events of \d+ licenses appended in ([0-9.]+) s"),
    ):
        if match := re.search(pattern, stderr):
            found[name] = float(match.group(1))
    return found


def timed_import(command: list[str], env: dict, expected: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run the import as an operator does; its seconds, and its output checked for ``expected``."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stdout}{done.stderr[-2000:]}")
    if expected not in done.stdout:
        raise SystemExit(f"expected {expected!r}: {done.stdout}")
    return seconds, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.rows = 200
    coursegate = str(BIN / "coursegate")
    with tempfile.TemporaryDirectory(prefix="coursegate-bench-") as var:
        env = {**os.environ, "COURSEGATE_VAR_DIR": var}
        subprocess.run([coursegate, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([coursegate, "demo"], env=env, check=True, capture_output=True)
        plan, licenses = write_files(Path(var), args.rows)
        subprocess.run([coursegate, "import", "plans", str(plan), "--no-progress"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        command = [coursegate, "import", "licenses", str(licenses), "--add-licenses", "--no-progress",
                   "--batch-size", str(args.batch_size)]  # fmt: skip
        seconds, done = timed_import(command, env, f": {args.rows} created, 0 updated, 0 unchanged, 0 failed")
        again, _ = timed_import(command, env, f": 0 created, 0 updated, {args.rows} unchanged, 0 failed")
        limit = raw_load_seconds(env, licenses)
        emit(
            benchmark="import licenses (one plan)",
            value=seconds,
            unit="s",
            limit=limit,
            limit_name="raw load of the same CSV into a scratch table ("
            + ("COPY FROM STDIN" if database() == "postgresql" else "executemany INSERT")
            + ")",
            target=None,
            scale=f"{args.rows} rows",
            lower_is_better=True,
            rows_per_second=round(args.rows / seconds),
            under_60_s=seconds < TARGET_SECONDS,
            summary=done.stdout.strip(),
            again_seconds=round(again, 2),  # the same file imported again: every row unchanged
            **phases(done.stderr),
        )
        if database() == "postgresql":
            emit(
                benchmark="import licenses (one plan), against the database's floor",
                value=seconds,
                unit="s",
                limit=floor_seconds(env),
                limit_name="plain INSERT ... SELECT of the same rows into empty copies of the license and "
                "learner tables with their indexes, committed",
                target=None,
                scale=f"{args.rows} rows",
                lower_is_better=True,
            )


if __name__ == "__main__":
    main()
