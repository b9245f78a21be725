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
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from http.client import HTTPConnection
from urllib.parse import urlsplit

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


def run_wrk(url: str, header: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", header, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"tool": "wrk", "rps": rps, "p50": p50, "p99": p99, "errors": int(non2xx.group(1)) if non2xx else 0}


def run_python(url: str, header: str, seconds: int, connections: int) -> dict:
    parts = urlsplit(url)
    name, value = header.split(": ", 1)
    counts, errors, latencies = [0] * connections, [0] * connections, []
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = HTTPConnection(parts.hostname, parts.port)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", parts.path, headers={name: value})
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            counts[i] += 1
            errors[i] += response.status != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "tool": "python",
        "rps": sum(counts) / seconds,
        "errors": sum(errors),
        "p50": f"{latencies[len(latencies) // 2] * 1000:.1f}ms",
        "p99": f"{latencies[int(len(latencies) * 0.99)] * 1000:.1f}ms",
    }


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
        runner = run_wrk if shutil.which("wrk") else run_python
        runner(url, header, 2, args.connections)  # warm-up
        result = runner(url, header, args.seconds, args.connections)
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
