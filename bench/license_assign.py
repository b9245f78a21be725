"""One Enterprise licenses/assign request of N new e-mails against a real server.

Creates a plan of N unassigned licenses for demo customer A, then times one
POST /enterprise/v1/subscriptions/{plan}/licenses/assign of N new e-mails (notify_users false) sent
with the enterprise_admin client's JWT. Issue 4: 10,000 e-mails under 2 s on PostgreSQL.

    .venv/bin/python bench/license_assign.py [--emails 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request

from _server import BIN, demo_server, token

PLAN = "5e1ec7ed-0000-4000-8000-00000000be4c"
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
SETUP = """
from datetime import datetime, timezone
from coursegate.catalogs.models import EnterpriseCatalog
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.subscriptions.services import plan_upsert
customer = EnterpriseCustomer.objects.get(uuid="{customer}")
plan_upsert(uuid="{plan}", customer=customer, catalog=EnterpriseCatalog.objects.filter(customer=customer).first(),
            title="Bench plan", start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
            expiration_date=datetime(2030, 12, 31, tzinfo=timezone.utc), num_licenses={n})
"""


def post(base: str, path: str, body: dict, jwt: str) -> tuple[float, int, dict]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"JWT {jwt}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        payload = json.load(response)
        status = response.status
    return time.perf_counter() - started, status, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.emails = 50
    with demo_server(workers=2) as (base, credentials, env):
        code = SETUP.format(customer=CUSTOMER_A, plan=PLAN, n=args.emails)
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", code], env=env, check=True)
        jwt = token(base, credentials["enterprise_admin"], jwt=True)
        body = {"user_emails": [f"bench{i}@example.com" for i in range(args.emails)], "notify_users": False}
        seconds, status, payload = post(base, f"/enterprise/v1/subscriptions/{PLAN}/licenses/assign", body, jwt)
        database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(
            json.dumps(
                {
                    "endpoint": "POST /enterprise/v1/subscriptions/{plan}/licenses/assign",
                    "database": database,
                    "emails": args.emails,
                    "status": status,
                    "num_successful_assignments": payload["num_successful_assignments"],
                    "seconds": round(seconds, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
