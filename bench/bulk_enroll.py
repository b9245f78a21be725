"""One Appsembler bulk-enroll request of N identifiers x M course runs against a real server.

Half the identifiers are existing accounts, half unknown e-mails (they become invitations).
Prints the wall time of the enroll request and of the matching unenroll request.

    .venv/bin/python bench/bulk_enroll.py [--identifiers 1000] [--courses 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request

from _server import BIN, demo_server, token

SETUP = """
from coursegate.accounts.models import User
from coursegate.courses.services import course_run_upsert, course_mode_upsert
n, m = {n}, {m}
User.objects.bulk_create([User(username=f"bench{{i}}", email=f"bench{{i}}@example.com") for i in range(n // 2)],
                         ignore_conflicts=True)
for i in range(m):
    run = course_run_upsert(key=f"course-v1:Bench+B{{i}}+2026", title=f"Bench {{i}}")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
"""


def post(base: str, path: str, body: dict, bearer: str) -> tuple[float, dict]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        payload = json.load(response)
    return time.perf_counter() - started, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=1000)
    parser.add_argument("--courses", type=int, default=10)
    args = parser.parse_args()
    with demo_server(workers=2) as (base, credentials, env):
        code = SETUP.format(n=args.identifiers, m=args.courses)
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", code], env=env, check=True)
        identifiers = [f"bench{i}@example.com" for i in range(args.identifiers // 2)]
        identifiers += [f"newcomer{i}@example.com" for i in range(args.identifiers - len(identifiers))]
        courses = [f"course-v1:Bench+B{i}+2026" for i in range(args.courses)]
        staff = token(base, credentials["staff"])
        body = {
            "action": "enroll",
            "identifiers": ",".join(identifiers),
            "courses": ",".join(courses),
            "auto_enroll": True,
            "email_students": False,
        }
        enroll_seconds, payload = post(base, "/appsembler_api/v0/bulk-enrollment/bulk-enroll", body, staff)
        enrolled = sum(r["after"]["enrollment"] for c in payload["courses"].values() for r in c["results"])
        invited = sum(r["after"]["allowed"] for c in payload["courses"].values() for r in c["results"])
        unenroll_seconds, _ = post(
            base, "/appsembler_api/v0/bulk-enrollment/bulk-enroll", {**body, "action": "unenroll"}, staff
        )
        database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(
            json.dumps(
                {
                    "endpoint": "POST /appsembler_api/v0/bulk-enrollment/bulk-enroll",
                    "database": database,
                    "identifiers": args.identifiers,
                    "courses": args.courses,
                    "enrolled": enrolled,
                    "invited": invited,
                    "enroll_seconds": round(enroll_seconds, 2),
                    "unenroll_seconds": round(unenroll_seconds, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
