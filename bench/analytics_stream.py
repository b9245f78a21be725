"""Streaming export: GET /api/jitterbit/v1/enrollment/batch over N generated enrollments.

Reports time to first byte, total time, body size and the peak resident memory (VmHWM) of the
gunicorn workers, for two sizes, so that memory growth with rows is visible.

    .venv/bin/python bench/analytics_stream.py [--rows 200000 --rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request
from pathlib import Path

from _server import BIN, demo_server, token

GENERATE = """
from django.utils import timezone
from coursegate.accounts.models import User
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Enrollment
target = {rows}
runs = list(CourseRun.objects.all())
have = Enrollment.objects.count()
users_needed = (target - have) // len(runs) + 1
start = User.objects.count()
last_id = User.objects.order_by("-id").values_list("id", flat=True).first() or 0
batch = 20000
for offset in range(0, users_needed, batch):
    User.objects.bulk_create([User(username=f"gen{{start + i}}", email=f"gen{{start + i}}@example.com")
                              for i in range(offset, min(offset + batch, users_needed))])
now = timezone.now()
users = list(User.objects.filter(id__gt=last_id).values_list("id", flat=True))
rows = []
for uid in users:
    for run in runs:
        if have + len(rows) >= target:
            break
        rows.append(Enrollment(user_id=uid, course_run=run, mode="audit", created=now, modified=now))
        if len(rows) >= batch:
            Enrollment.objects.bulk_create(rows); have += len(rows); rows = []
Enrollment.objects.bulk_create(rows)
print(Enrollment.objects.count())
"""


def worker_peak_kib(server_pid_file: Path | None = None) -> int:
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmdline and b"coursegate.wsgi" in cmdline:
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


def fetch(url: str, bearer: str) -> tuple[float, float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        first = response.read(1)
        ttfb = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return ttfb, time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    args = parser.parse_args()
    sizes = sorted(args.rows or [100_000, 400_000])
    with demo_server(workers=2) as (base, credentials, env):
        staff = token(base, credentials["staff"])
        for rows in sizes:
            subprocess.run(
                [str(BIN / "coursegate"), "shell", "-c", GENERATE.format(rows=rows)],
                env=env,
                check=True,
                capture_output=True,
            )
            ttfb, total, size = fetch(f"{base}/api/jitterbit/v1/enrollment/batch", staff)
            database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
            print(
                json.dumps(
                    {
                        "endpoint": "GET /api/jitterbit/v1/enrollment/batch",
                        "database": database,
                        "rows": rows,
                        "ttfb_ms": round(ttfb * 1000, 1),
                        "total_s": round(total, 2),
                        "rows_per_s": round(rows / total),
                        "body_mb": round(size / 1e6, 1),
                        "worker_peak_rss_mb": round(worker_peak_kib() / 1024, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
