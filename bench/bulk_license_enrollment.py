"""One Enterprise bulk license enrollment job of N e-mails x M course runs against a real server.

Every e-mail holds an activated license of customer A's demo plan and the runs are in its catalog,
so every pair enrolls (e-mails + runs are at most 1000 per request: 1000 pairs are 100 x 10).
Prints the seconds from the POST to the job read back as succeeded (GET), the POST alone, and the
job's own run time. Without ``--worker`` the job runs in-process (no broker: inside the POST,
after its commit); with ``--worker`` on a ``coursegate worker`` over Redis.

    .venv/bin/python bench/bulk_license_enrollment.py [--emails 100] [--runs 10] [--worker]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import datetime

from _server import BIN, demo_server, token

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PATH = "/enterprise/v1/bulk-license-enrollment"

SETUP = """
from coursegate.accounts.models import User
from coursegate.catalogs.models import EnterpriseCatalog
from coursegate.catalogs.services import catalog_add_items, content_item_upsert
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.subscriptions.models import License, SubscriptionPlan

n, m = {n}, {m}
plan = SubscriptionPlan.objects.get(pk="904b1785-9d3a-1000-848d-6ae7a56e6355")
users = User.objects.bulk_create([User(username=f"lic{{i}}", email=f"lic{{i}}@example.com") for i in range(n)])
License.objects.bulk_create(
    [License(plan=plan, status="activated", user_email=u.email, lms_user=u) for u in User.objects.filter(
        username__startswith="lic")]
)
items = []
for i in range(m):
    run = course_run_upsert(key=f"course-v1:Bench+L{{i}}+2026", title=f"Licensed {{i}}")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
    course_mode_upsert(course_run=run, slug="verified", name="Verified Certificate")
    items.append(content_item_upsert(content_type="courserun", content_key=run.key, title=run.title))
catalog_add_items(catalog=plan.catalog, items=items)
"""


def request(base: str, path: str, jwt: str, body: dict | None = None) -> tuple[float, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{base}{path}",
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"JWT {jwt}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as response:
        payload = json.load(response)
    return time.perf_counter() - started, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--worker", action="store_true", help="run the job on a Celery worker (Redis)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.emails, args.runs = 10, 2
    extra_env = {"CELERY_BROKER_URL": args.broker} if args.worker else {}
    with demo_server(workers=2, extra_env=extra_env) as (base, credentials, env):
        coursegate = str(BIN / "coursegate")
        subprocess.run([coursegate, "shell", "-c", SETUP.format(n=args.emails, m=args.runs)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        worker = None
        if args.worker:
            worker = subprocess.Popen(
                [coursegate, "worker", "--concurrency", "1", "--loglevel", "WARNING"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            time.sleep(3)  # the worker connects to the broker
        try:
            jwt = token(base, credentials["enterprise_admin"], jwt=True)
            body = {
                "emails": [f"lic{i}@example.com" for i in range(args.emails)],
                "course_run_keys": [f"course-v1:Bench+L{i}+2026" for i in range(args.runs)],
                "notify": False,
            }
            started = time.perf_counter()
            post_seconds, created = request(base, f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}", jwt, body)
            query = f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}&bulk_enrollment_job_uuid={created['job_id']}"
            while True:
                _, job = request(base, query, jwt)
                if job["status"] in ("succeeded", "failed"):
                    break
                time.sleep(0.05)
            done_seconds = time.perf_counter() - started
        finally:
            if worker is not None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
        job_seconds = (
            datetime.fromisoformat(job["finished"].replace("Z", "+00:00"))
            - datetime.fromisoformat(job["created"].replace("Z", "+00:00"))
        ).total_seconds()
        database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(
            json.dumps(
                {
                    "endpoint": f"POST {PATH} + GET until done",
                    "database": database,
                    "jobs": "celery worker" if args.worker else "in-process",
                    "emails": args.emails,
                    "runs": args.runs,
                    "pairs": job["progress"]["total"],
                    "status": job["status"],
                    "succeeded": job["progress"]["succeeded"],
                    "post_seconds": round(post_seconds, 2),
                    "job_seconds": round(job_seconds, 2),
                    "post_to_done_seconds": round(done_seconds, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
