"""Throughput of GET /api/enrollment/v1/enrollment with 2 gunicorn workers.

The demo learner `honor` is first enrolled in every demo run (6 enrollments, each rendered with
its course details and modes). Load comes from wrk (Debian package `wrk`) when installed, else
from a Python keep-alive client (which itself eats CPU on a 2-core machine: figures are lower).

    .venv/bin/python bench/enrollment_list.py [--seconds 15] [--connections 16] [--jwt]

Honours DATABASE_URL (e.g. a PostgreSQL database) like the server does.
"""

from __future__ import annotations

import argparse
import json
import urllib.request

from _load import run_load
from _server import demo_server, token

RUNS = [
    "course-v1:edX+DemoX+Demo_Course",
    "edX/DemoX/Demo_Course",
    "course-v1:Appsembler+APP101+1Q2016",
    "course-v1:edx+tr1012+1T2021",
    "course-v1:HarvardX+FIH+3T2023",
    "course-v1:MyUni+Sport101x",
]


def enroll_everywhere(base: str, staff_token: str) -> None:
    for run in RUNS:
        body = json.dumps({"course_details": {"course_id": run}, "user": "honor"}).encode()
        request = urllib.request.Request(
            f"{base}/api/enrollment/v1/enrollment",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {staff_token}", "Content-Type": "application/json"},
        )
        urllib.request.urlopen(request).read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--jwt", action="store_true", help="authenticate with a JWT instead of an opaque token")
    args = parser.parse_args()
    with demo_server(workers=2) as (base, credentials, env):
        enroll_everywhere(base, token(base, credentials["staff"]))
        learner = token(base, credentials["learner"], jwt=args.jwt)
        header = f"Authorization: {'JWT' if args.jwt else 'Bearer'} {learner}"
        url = f"{base}/api/enrollment/v1/enrollment"
        run_load(url, header, 2, args.connections)  # warm-up
        result = run_load(url, header, args.seconds, args.connections)
        database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(
            json.dumps(
                {
                    "endpoint": "GET /api/enrollment/v1/enrollment",
                    "workers": 2,
                    "database": database,
                    "token": "jwt" if args.jwt else "opaque",
                    "enrollments_per_response": len(RUNS),
                    "connections": args.connections,
                    "seconds": args.seconds,
                    **result,
                }
            )
        )


if __name__ == "__main__":
    main()
