"""Apprenticeship event store at scale (issue 6): PostgreSQL with N events already stored.

1. fills the store to --rows events with one INSERT ... SELECT generate_series (PostgreSQL only);
2. bulk ingest: --bulk-requests POSTs of --bulk-size events to /bulk, events/s;
3. single POST: wrk with a Lua script, 16 connections, --seconds, requests/s (2 gunicorn workers);
4. a page of 1000 by fromEventId at random positions, --pages requests: the server's own time
   (Server-Timing header) p50/p99, and the client-side latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/events.py --rows 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from _server import demo_server, token

FILL = """
INSERT INTO events_apprenticeshipevent
  (created_on, event, apprenticeship_id, payment_status, agreement_status, provider_id, learner_id,
   employer_account_id, training_type, training_id, training_start_date, training_end_date, training_total_cost)
SELECT timestamptz '2020-01-01' + (g * interval '1 second'), 'Generated', 1 + g %% 100000, 'active', 'agreed',
       (1000 + g %% 500)::text, (900000 + g)::text, (2000 + g %% 300)::text, 1 + g %% 2, (g %% 40)::text,
       timestamptz '2020-01-01', timestamptz '2021-01-01', 1234.50
FROM generate_series(%s, %s) AS g
"""

EVENT = {
    "event": "Created", "apprenticeshipId": 444, "paymentStatus": "active", "agreementStatus": "agreed",
    "providerId": "1111", "learnerId": "9999", "trainingType": "framework", "trainingId": "3333",
    "employerAccountId": "2222", "trainingStartDate": "2017-01-31T00:00:00", "trainingEndDate": "2017-12-31T00:00:00",
    "trainingTotalCost": 123.45,
}  # fmt: skip

WRK_POST = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def fill(url: str, rows: int) -> tuple[int, float]:
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM events_apprenticeshipevent").fetchone()[0]
        started = time.perf_counter()
        step = 1_000_000
        for low in range(have + 1, rows + 1, step):
            conn.execute(FILL, (low, min(low + step - 1, rows)))
        conn.execute("VACUUM ANALYZE events_apprenticeshipevent")
        return conn.execute("SELECT count(*) FROM events_apprenticeshipevent").fetchone()[
            0
        ], time.perf_counter() - started


def request(url: str, bearer: str, body: bytes | None = None) -> tuple[float, float, bytes]:
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as response:
        payload = response.read()
        timing = response.headers.get("Server-Timing", "")
    match = re.search(r"dur=([\d.]+)", timing)
    return (time.perf_counter() - started) * 1000, float(match.group(1)) if match else float("nan"), payload


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--bulk-size", type=int, default=5000)
    parser.add_argument("--bulk-requests", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (the fill uses generate_series)")
    with demo_server(workers=2) as (base, credentials, env):
        count, fill_seconds = fill(url, args.rows)
        writer = token(base, credentials["events_writer"], jwt=True)
        reader = token(base, credentials["events_reader"], jwt=True)
        out = {"database": "postgresql", "events_in_store": count, "fill_seconds": round(fill_seconds, 1)}

        body = json.dumps([EVENT] * args.bulk_size).encode()
        started = time.perf_counter()
        for _ in range(args.bulk_requests):
            request(f"{base}/api/events/apprenticeships/bulk", writer, body)
        elapsed = time.perf_counter() - started
        out["bulk_events_per_s"] = round(args.bulk_size * args.bulk_requests / elapsed)

        if shutil.which("wrk"):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(WRK_POST.format(body=json.dumps(EVENT), token=writer))
            result = subprocess.run(
                ["wrk", "-t2", "-c16", f"-d{args.seconds}s", "--latency", "-s", script.name,
                 f"{base}/api/events/apprenticeships"], capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            Path(script.name).unlink()
            out["single_post_rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
            out["single_post_p99"] = re.search(r"99%\s+(\S+)", result).group(1)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
            out["single_post_errors"] = int(non2xx.group(1)) if non2xx else 0

        with psycopg.connect(url) as conn:
            top = conn.execute("SELECT max(id) FROM events_apprenticeshipevent").fetchone()[0]
        server, client = [], []
        for _ in range(args.pages):
            start_id = random.randint(1, max(1, top - 1000))
            total, app, payload = request(
                f"{base}/api/events/apprenticeships?fromEventId={start_id}&pageSize=1000", reader
            )
            assert payload.startswith(b"[")
            client.append(total)
            server.append(app)
        out |= {
            "page_1000_server_ms_p50": percentile(server, 0.5),
            "page_1000_server_ms_p99": percentile(server, 0.99),
            "page_1000_client_ms_p50": percentile(client, 0.5),
            "page_1000_client_ms_p99": percentile(client, 0.99),
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
