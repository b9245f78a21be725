"""The change feed's cost on a bulk enroll (issue 14 §2, "Done when"): N learners x M course runs
enrolled by one Appsembler bulk-enroll request, the feed on (COURSEGATE_FEED_ENABLED=true: one
``coursegate.enrollment.created`` event per enrollment, appended in the request's transaction)
against the same request with the feed off, in the same run.

One migrated database with the demo data, two real servers on it (2 workers each) that differ
only in the setting; for each of ``--repeat`` rounds, a fresh set of N accounts is enrolled in the
M runs through each server (the order alternates between rounds), and the fastest of each counts
(the machine is shared). Printed: the ratio line (feed off / feed on seconds, target 0.8, i.e. a
feed cost of at most 25 %), the cost in per cent, and the feed events appended per second during
the bulk enroll (events / seconds of the request with the feed on). The cost is also given on the
server's own time (Server-Timing) and on the medians, for a machine too busy for the minimum.

    .venv/bin/python bench/feed.py [--identifiers 1000] [--courses 10] [--repeat 3] [--smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

from _ratio import database, emit
from _server import BIN, free_port, token, wait_until_up

PATH = "/appsembler_api/v0/bulk-enrollment/bulk-enroll"
SETUP = """
from coursegate.accounts.models import User
from coursegate.courses.services import course_run_upsert, course_mode_upsert
User.objects.bulk_create([User(username=f"{{p}}{{i}}", email=f"{{p}}{{i}}@example.com") for p in {prefixes}
                          for i in range({n})], ignore_conflicts=True)
for i in range({m}):
    run = course_run_upsert(key=f"course-v1:Feed+F{{i}}+2026", title=f"Feed {{i}}")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
"""


@contextlib.contextmanager
def servers():
    """Yield (env, {"on": base url, "off": base url}, demo credentials): one database, two servers."""
    with tempfile.TemporaryDirectory(prefix="coursegate-bench-feed-") as var:
        env = {**os.environ, "COURSEGATE_VAR_DIR": var, "COURSEGATE_THROTTLING": "false"}
        coursegate = str(BIN / "coursegate")
        subprocess.run([coursegate, "migrate", "-v", "0"], env=env, check=True)
        done = subprocess.run([coursegate, "demo", "--json"], env=env, check=True, capture_output=True)
        credentials = json.loads(done.stdout)
        started, bases = [], {}
        try:
            for name, flag in (("on", "true"), ("off", "false")):
                port = free_port()
                started.append(
                    subprocess.Popen(
                        [coursegate, "serve", "--port", str(port), "--workers", "2"],
                        env={**env, "COURSEGATE_FEED_ENABLED": flag},
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )
                bases[name] = f"http://127.0.0.1:{port}"
            for base in bases.values():
                wait_until_up(base)
            yield env, bases, credentials
        finally:
            for server in started:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)


def post(base: str, body: dict, bearer: str) -> tuple[float, float, dict]:
    """Seconds from sending the request to its parsed answer, the server's own milliseconds (its
    Server-Timing header) and the answer."""
    request = urllib.request.Request(
        f"{base}{PATH}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        payload = json.load(response)
        server_ms = float(response.headers.get("Server-Timing", "app;dur=0").split("dur=")[1])
    return time.perf_counter() - started, server_ms, payload


def feed_events(env: dict) -> int:
    """The feed's events in the database (the generic store's rows of coursegate.* types)."""
    query = "SELECT count(*) FROM events_genericevent WHERE type LIKE 'coursegate.%'"
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute(query).fetchone()[0]
    conn = sqlite3.connect(str(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3"))
    try:
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


def enrolled(payload: dict) -> int:
    return sum(r["after"]["enrollment"] for c in payload["courses"].values() for r in c["results"] if "after" in r)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=1000, help="learners per bulk enroll")
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the fastest of each setting counts)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.identifiers, args.courses, args.repeat = 40, 2, 1
    n, m = args.identifiers, args.courses
    keys = [f"course-v1:Feed+F{i}+2026" for i in range(m)]
    prefixes = [f"f{k}{name}u" for k in range(args.repeat) for name in ("on", "off")]
    with servers() as (env, bases, credentials):
        code = SETUP.format(prefixes=prefixes, n=n, m=m)
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", code], env=env, check=True)
        bearers = {name: token(base, credentials["staff"]) for name, base in bases.items()}
        for name, base in bases.items():  # warm each server's workers
            post(base, {"action": "enroll", "identifiers": "warm@example.com", "courses": keys[0]}, bearers[name])
        seconds: dict[str, list[float]] = {"on": [], "off": []}
        server_ms: dict[str, list[float]] = {"on": [], "off": []}
        appended: list[int] = []
        for k in range(args.repeat):
            for name in ("on", "off") if k % 2 == 0 else ("off", "on"):
                emails = ",".join(f"f{k}{name}u{i}@example.com" for i in range(n))
                before = feed_events(env)
                body = {"action": "enroll", "identifiers": emails, "courses": ",".join(keys), "auto_enroll": True,
                        "email_students": False}  # fmt: skip
                wall, ms, payload = post(bases[name], body, bearers[name])
                assert enrolled(payload) == n * m, "the bulk enroll did not enroll every pair"
                events = feed_events(env) - before
                assert events == (n * m if name == "on" else 0), (name, events)
                if name == "on":
                    appended.append(events)
                seconds[name].append(round(wall, 4))
                server_ms[name].append(ms)
        on, off = min(seconds["on"]), min(seconds["off"])
        scale = f"{n} x {m}"
        emit(
            benchmark="Change feed on a bulk enroll (feed off / feed on)",
            value=on,
            unit="s",
            limit=off,
            limit_name="the same bulk enroll with COURSEGATE_FEED_ENABLED=false",
            target=0.8,
            scale=scale,
            lower_is_better=True,
            seconds=seconds,
            server_ms=server_ms,
        )
        print(json.dumps({
            "benchmark": "Change feed cost and rate", "database": database(), "scale": scale,
            "feed_cost_percent": round(100 * (on / off - 1), 1),
            "feed_cost_percent_server_time": round(100 * (min(server_ms["on"]) / min(server_ms["off"]) - 1), 1),
            "feed_cost_percent_medians": round(100 * (median(seconds["on"]) / median(seconds["off"]) - 1), 1),
            "events_appended": appended[0], "events_per_second": round(appended[0] / on),
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
