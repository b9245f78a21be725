"""Learner summary of a customer with N enterprise enrollments, against a real server.

Generates N enterprise enrollments for the demo's customer A (N/10 users x 10 course runs, each
with a profile, an enterprise learner link and progress; ~5 % without a last activity date), then
times ``GET /enterprise/v3/enterprise-customer/{A}/learner-summary`` with the enterprise_admin's
JWT, JSON: the first page (default ordering), page 500, and the first page ordered by
``user_email``; R requests each after one warm-up. Prints one JSON line with p50/p99 of the
server's own time (the ``Server-Timing`` header) and of the client's loopback time, in ms.
On PostgreSQL the set-up ends with ``VACUUM ANALYZE`` (the state autovacuum reaches shortly after
a bulk load; index-only counts need the visibility map).

Honours ``DATABASE_URL`` like the other benchmarks; ``--postgres URL`` instead creates a
throw-away database on that server (e.g. postgres://postgres@127.0.0.1:5432) and drops it after.

    .venv/bin/python bench/learner_summary.py [--enrollments 100000] [--requests 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import time
import urllib.request

from _server import BIN, demo_server, token

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"

SETUP = """
import random
from datetime import UTC, datetime, timedelta
from django.db import transaction
from coursegate.accounts.models import Profile, User
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment, EnterpriseLearner

n, runs_per_user = {n}, 10
users_n = n // runs_per_user
rng = random.Random(4)
epoch = datetime(2024, 1, 1, tzinfo=UTC)
customer = EnterpriseCustomer.objects.get(uuid="{customer}")
runs = []
for i in range(runs_per_user):
    run = course_run_upsert(key=f"course-v1:BenchX+LS{{i}}+2025", title=f"Learner summary bench {{i}}",
                            start=epoch + timedelta(days=7 * i), end=epoch + timedelta(days=7 * i + 42 + i))
    course_mode_upsert(course_run=run, slug="verified", name="Verified", min_price=49)
    runs.append(run)
countries = ["US", "GB", "DE", "FR", "IN", "BR", ""]
with transaction.atomic():
    users = User.objects.bulk_create(
        [User(username=f"ls{{i:06d}}", email=f"ls{{i:06d}}@bench.example", password="!",
              first_name=f"First{{i}}", last_name=f"Last{{i}}", date_joined=epoch + timedelta(minutes=i))
         for i in range(users_n)], batch_size=2000)
    Profile.objects.bulk_create([Profile(user=u, name=u.username, country=countries[i % len(countries)])
                                 for i, u in enumerate(users)], batch_size=2000)
    learners = EnterpriseLearner.objects.bulk_create(
        [EnterpriseLearner(customer=customer, user=u, email=u.email) for u in users], batch_size=2000)
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(user=u, course_run=r, mode="verified", is_active=True,
                    created=epoch + timedelta(minutes=i), modified=epoch + timedelta(minutes=i))
         for i, u in enumerate(users) for r in runs], batch_size=2000)
    rows = []
    for k, e in enumerate(enrollments):
        activity = None if rng.random() < 0.05 else epoch + timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        grade = round(rng.random(), 2)
        rows.append(EnterpriseEnrollment(
            customer=customer, learner=learners[k // runs_per_user], enrollment=e,
            current_grade=grade, has_passed=grade >= 0.7, letter_grade="Pass" if grade >= 0.7 else "",
            passed_date=activity if grade >= 0.7 else None, last_activity_date=activity,
            progress_status="passed" if grade >= 0.7 else "in_progress"))
    EnterpriseEnrollment.objects.bulk_create(rows, batch_size=2000)
from django.db import connection
if connection.vendor == "postgresql":  # the steady state autovacuum reaches shortly after a bulk load
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
print(EnterpriseEnrollment.objects.filter(customer=customer).count(), "enterprise enrollments")
"""


def get(url: str, jwt: str) -> tuple[float, float, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"JWT {jwt}", "Accept": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        server = response.headers.get("Server-Timing", "")
    client_ms = (time.perf_counter() - started) * 1000
    server_ms = float(server.partition("dur=")[2] or "nan")
    return server_ms, client_ms, json.loads(body)


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p99": round(p99, 1)}


@contextlib.contextmanager
def throwaway_postgres(url: str | None):
    """Yield extra environment for demo_server: a fresh PostgreSQL database (dropped after)."""
    if not url:
        yield {}
        return
    import psycopg

    name = f"coursegate_bench_ls_{os.getpid()}"

    def admin(sql: str) -> None:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{url}/{name}"}
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres", metavar="URL", help="server URL for a throw-away database")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.enrollments, args.requests = 500, 3
    with throwaway_postgres(args.postgres) as extra_env, demo_server(extra_env=extra_env) as server:
        base, credentials, env = server
        started = time.perf_counter()
        code = SETUP.format(n=args.enrollments, customer=CUSTOMER_A)
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)
        setup_seconds = time.perf_counter() - started
        jwt = token(base, credentials["enterprise_admin"], jwt=True)
        path = f"{base}/enterprise/v3/enterprise-customer/{CUSTOMER_A}/learner-summary"
        cases = {
            "first_page": path,
            "page_500": f"{path}?page={min(500, args.enrollments // 10)}",
            "ordering_user_email": f"{path}?ordering=user_email",
        }
        figures = {}
        for name, url in cases.items():
            _, _, body = get(url, jwt)  # warm-up (and a check of the answer)
            assert len(body["results"]) == 10, body
            samples = [get(url, jwt) for _ in range(args.requests)]
            figures[name] = {
                "server_ms": percentiles([s for s, _, _ in samples]),
                "client_ms": percentiles([c for _, c, _ in samples]),
            }
        database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(
            json.dumps(
                {
                    "endpoint": "GET /enterprise/v3/enterprise-customer/{uuid}/learner-summary",
                    "database": database,
                    "enterprise_enrollments": body["count"],
                    "requests_each": args.requests,
                    "setup_seconds": round(setup_seconds, 1),
                    **figures,
                }
            )
        )


if __name__ == "__main__":
    main()
