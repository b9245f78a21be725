"""Throughput of GET /api/enrollment/v1/enrollment against GET /health, with 2 gunicorn workers.

The demo learner `honor` is first enrolled in every demo run (6 enrollments, each rendered with
its course details and modes). The limit is ``GET /health`` (one ``SELECT 1``) measured the same
way (wrk, or the Python client without it) in the same run, before and after the list; the ratio
uses their mean. Both an opaque token and a JWT are measured unless one is named.

    .venv/bin/python bench/enrollment_list.py [--seconds 15] [--connections 16] [--jwt | --opaque] [--smoke]

Honours DATABASE_URL (e.g. a PostgreSQL database) like the server does.
"""

from __future__ import annotations

import argparse
import json
import urllib.request

from _load import against_health, run_load
from _server import demo_server, token

TARGET = 0.4  # issue 10: list requests/s >= 0.4 x /health requests/s
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
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--jwt", action="store_true", help="only with a JWT (Authorization: JWT)")
    which.add_argument("--opaque", action="store_true", help="only with an opaque token (Authorization: Bearer)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per measurement, to check the script runs")
    args = parser.parse_args()
    seconds, connections = (1, 4) if args.smoke else (args.seconds, args.connections)
    kinds = ["jwt"] if args.jwt else ["opaque"] if args.opaque else ["opaque", "jwt"]
    with demo_server(workers=2) as (base, credentials, _env):
        enroll_everywhere(base, token(base, credentials["staff"]))
        headers = {
            kind: f"Authorization: {'JWT' if kind == 'jwt' else 'Bearer'} "
            + token(base, credentials["learner"], jwt=kind == "jwt")
            for kind in kinds
        }
        url, health_url = f"{base}/api/enrollment/v1/enrollment", f"{base}/health"
        with urllib.request.urlopen(urllib.request.Request(url, headers=dict([headers[kinds[0]].split(": ", 1)]))) as r:
            enrollments = len(json.load(r))
        against_health(
            health_url,
            {kind: (lambda secs, h=header: run_load(url, h, secs, connections)) for kind, header in headers.items()},
            seconds=seconds,
            connections=connections,
            benchmark="GET /api/enrollment/v1/enrollment ({kind})",
            target=TARGET,
            scale=f"{enrollments} enrollments, 2 workers, {connections} connections, {seconds} s",
        )


if __name__ == "__main__":
    main()
