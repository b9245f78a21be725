"""Webhook delivery (issue 14 "Done when"): 10,000 change-feed events delivered to a local receiver,
the delivery lag (event commit -> receipt at the receiver, p50/p99) and the events delivered per
second, against the receiver's raw accept rate measured in the same run (the ratio's limit: one
kept-alive connection POSTing bodies of the same size as fast as it answers).

One migrated database (SQLite, or DATABASE_URL), a receiver in this process (threaded
http.server, recording each event id's arrival time), one deliverer process that subscribes it and
runs ``webhooks_deliver()`` in a loop (what a Celery worker or the dispatcher's sweep runs), and a
producer process per phase appending feed events through ``coursegate.feed.services.append``:
- burst: all N events appended as fast as the store takes them (batches of 500), delivered while
  they arrive: events/s = N / (last receipt - first commit); its lag is mostly queueing;
- steady: N events again at half the burst's delivery rate (batches of 10, 20 ms apart): the lag
  of a deliverer that keeps up.

    .venv/bin/python bench/webhooks.py [--events 10000] [--smoke]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _ratio import emit
from _server import BIN

DELIVERER = """
import time
from pathlib import Path
from coursegate.webhooks.delivery import webhooks_deliver
from coursegate.webhooks.services import subscription_create
subscription_create(url="{url}", event_types=["coursegate.enrollment.*"], secret="bench-secret-0123456789")
Path("{ready}").touch()
stop = Path("{stop}")
while not stop.exists():
    if not webhooks_deliver():
        time.sleep(0.005)
from coursegate.webhooks.metrics import DELIVERIES
print(int(DELIVERIES.labels(outcome="failed")._value.get()))
"""
PRODUCER = """
import json, time
from django.db import transaction
from coursegate.feed.services import Change, append
commits, done = [], 0
while done < {events}:
    size = min({batch}, {events} - done)
    changes = [Change(type="coursegate.enrollment.created", resource_type="enrollment", resource_id=done + i,
                      payload={{"user": f"learner{{done + i}}", "course_id": "course-v1:Bench+W1+2026",
                               "mode": "audit", "is_active": True, "source": "bench"}}) for i in range(size)]
    with transaction.atomic():
        append(changes)
    commits.append((done + size, time.time()))
    done += size
    if {pause}:
        time.sleep({pause})
print(json.dumps(commits))
"""


class Receiver:
    """Records the arrival time of each event id (X-Coursegate-Event-Id); answers 200 at once."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.posts = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.posts += 1
                event_id = self.headers.get("X-Coursegate-Event-Id", "")
                if event_id.isdigit():  # not the raw accept-rate POSTs
                    owner.arrivals.setdefault(event_id, time.time())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.port = self.server.server_address[1]


def accept_rate(port: int, posts: int, body: bytes) -> float:
    """POSTs/s the receiver answers on one kept-alive connection (the limit of delivery's rate)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "X-Coursegate-Event-Id": "raw",
               "X-Coursegate-Signature": "t=0,v1=" + "0" * 64}  # fmt: skip
    started = time.perf_counter()
    for _ in range(posts):
        conn.request("POST", "/hook", body=body, headers=headers)
        conn.getresponse().read()
    elapsed = time.perf_counter() - started
    conn.close()
    return posts / elapsed


def shell(env: dict, script: str, stdout=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "coursegate"), "shell", "-c", script], env=env, stdout=stdout, text=True)


def phase(env: dict, receiver: Receiver, *, events: int, batch: int, pause: float, first_id: int) -> dict:
    """Produce ``events`` while the deliverer runs; wait for their arrival; lags and rate."""
    producer = shell(env, PRODUCER.format(events=events, batch=batch, pause=pause))
    out, _ = producer.communicate(timeout=3600)
    assert producer.returncode == 0, "the producer failed"
    commits = json.loads(out.strip().splitlines()[-1])
    deadline = time.monotonic() + 600
    while len(receiver.arrivals) < first_id + events:
        assert time.monotonic() < deadline, f"{len(receiver.arrivals)} of {first_id + events} events arrived"
        time.sleep(0.05)
    # Event n of this phase (0-based) was committed with the first batch whose end is past n.
    lags, batch_index = [], 0
    arrivals = sorted(receiver.arrivals.items(), key=lambda item: int(item[0]))[first_id:]
    for n, (_id, arrived) in enumerate(arrivals):
        while commits[batch_index][0] <= n:
            batch_index += 1
        lags.append((arrived - commits[batch_index][1]) * 1000)
    first_commit = commits[0][1]
    last_arrival = max(arrived for _id, arrived in arrivals)
    quantiles = statistics.quantiles(lags, n=100)
    return {"events": events, "rate": events / (last_arrival - first_commit), "lag_p50_ms": round(quantiles[49], 1),
            "lag_p99_ms": round(quantiles[98], 1), "lag_max_ms": round(max(lags), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="a tiny scale: the script runs, figures mean little")
    args = parser.parse_args()
    events = 100 if args.smoke else args.events

    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="coursegate-bench-webhooks-") as var:
        env = {**os.environ, "COURSEGATE_VAR_DIR": var, "COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
               "COURSEGATE_LOG_LEVEL": "WARNING"}  # fmt: skip
        subprocess.run([str(BIN / "coursegate"), "migrate", "-v", "0"], env=env, check=True)
        stop, ready = Path(var) / "stop", Path(var) / "ready"
        url = f"http://127.0.0.1:{receiver.port}/hook"
        deliverer = shell(env, DELIVERER.format(url=url, ready=ready, stop=stop))
        try:
            deadline = time.monotonic() + 120
            while not ready.exists():  # the subscription exists: its cursor is before every event
                assert deliverer.poll() is None and time.monotonic() < deadline, "the deliverer did not start"
                time.sleep(0.05)
            body = json.dumps(
                {
                    "id": 1,
                    "type": "coursegate.enrollment.created",
                    "resource_type": "enrollment",
                    "resource_id": "1",
                    "payload": {"user": "learner1"},
                    "created_on": "x" * 27,
                }
            ).encode()
            limit = accept_rate(receiver.port, 200 if args.smoke else 3000, body)
            burst = phase(env, receiver, events=events, batch=500, pause=0, first_id=0)
            per_tick = 10
            steady = phase(env, receiver, events=events, batch=per_tick,
                           pause=max(per_tick / (burst["rate"] / 2), 0.001), first_id=events)  # fmt: skip
        finally:
            stop.touch()
            out, _ = deliverer.communicate(timeout=60)
        failed = int(out.strip().splitlines()[-1]) if out.strip() else -1
    scale = f"{events} events"
    emit(benchmark="webhook_delivery_rate", value=burst["rate"], unit="events/s", limit=limit,
         limit_name="receiver raw POSTs/s (one connection)", target=None, scale=scale,
         burst_lag_p50_ms=burst["lag_p50_ms"], burst_lag_p99_ms=burst["lag_p99_ms"],
         steady_rate=round(steady["rate"], 1), steady_lag_p50_ms=steady["lag_p50_ms"],
         steady_lag_p99_ms=steady["lag_p99_ms"], steady_lag_max_ms=steady["lag_max_ms"],
         posts=receiver.posts, failed_attempts=failed)  # fmt: skip


if __name__ == "__main__":
    main()
