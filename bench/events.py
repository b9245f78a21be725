"""Apprenticeship event store at scale (issues 6 and 10): PostgreSQL with N events already stored.

1. fills the store to --rows events with one INSERT ... SELECT generate_series (PostgreSQL only);
2. bulk ingest: --bulk-requests POSTs of --bulk-size distinct events to /bulk, events/s, against
   the limit: a raw psycopg COPY of the same rows (the same batches, each committed, into the
   same table), timed in turn with the requests; the faster of a text COPY from a preformatted
   buffer (what psql sends) and a binary COPY is the limit;
3. a page of 1000 by fromEventId at random positions, --pages requests: the server's own time
   (Server-Timing header) p50/p99 against issue 10's 10 ms (ratio 10 ms / p99), and the same SQL
   through psycopg (C loaders, fetchall; the faster of text and binary rows) for the same
   positions in turn, as the floor;
4. single POST (wrk, 16 connections) against GET /health with the same tool, for reference.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/events.py
    ... bench/events.py --smoke      # ~20,000 events, a few seconds of load
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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from _load import run_load
from _ratio import emit
from _server import demo_server, token

TABLE = "events_apprenticeshipevent"
FILL = f"""
INSERT INTO {TABLE}
  (created_on, event, apprenticeship_id, payment_status, agreement_status, provider_id, learner_id,
   employer_account_id, training_type, training_id, training_start_date, training_end_date, training_total_cost)
SELECT timestamptz '2020-01-01' + (g * interval '1 second'), 'Generated', 1 + g %% 100000, 'active', 'agreed',
       (1000 + g %% 500)::text, (900000 + g)::text, (2000 + g %% 300)::text, 1 + g %% 2, (g %% 40)::text,
       timestamptz '2020-01-01', timestamptz '2021-01-01', 1234.50
FROM generate_series(%s::int8, %s::int8) AS g
"""
COPY_COLUMNS = (
    "created_on, event, apprenticeship_id, payment_status, agreement_status, provider_id, learner_id, "
    "employer_account_id, training_type, training_id, training_start_date, training_end_date, training_total_cost"
)
COPY_TYPES = ["timestamptz", "text", "int8", "text", "text", "text", "text", "text", "int2", "text", "timestamptz",
              "timestamptz", "numeric"]  # fmt: skip
PAGE_SQL = (
    "SELECT id, created_on, event, apprenticeship_id, payment_status, agreement_status, provider_id, learner_id, "
    "employer_account_id, training_type, training_id, training_start_date, training_end_date, training_total_cost "
    f"FROM {TABLE} WHERE id >= %s ORDER BY id LIMIT 1000"
)
EVENT = {
    "event": "Created", "apprenticeshipId": 444, "paymentStatus": "active", "agreementStatus": "agreed",
    "providerId": "1111", "learnerId": "9999", "trainingType": "framework", "trainingId": "3333",
    "employerAccountId": "2222", "trainingStartDate": "2017-01-31T00:00:00", "trainingEndDate": "2017-12-31T00:00:00",
    "trainingTotalCost": 123.45,
}  # fmt: skip

WARM_UP = 2

WRK_POST = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def fill(url: str, rows: int) -> tuple[int, float]:
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        started = time.perf_counter()
        step = 1_000_000
        for low in range(have + 1, rows + 1, step):
            conn.execute(FILL, (low, min(low + step - 1, rows)))
        if have < rows:
            conn.execute(f"VACUUM ANALYZE {TABLE}")
        return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0], time.perf_counter() - started


def batch(size: int, seed: int) -> list[dict]:
    """``size`` distinct events, all valid, with varied values (names, ids, dates, costs)."""
    events = []
    for k in range(seed * size, (seed + 1) * size):
        start = datetime(2017, 1, 1) + timedelta(days=k % 700, hours=k % 24)
        events.append(
            {
                "event": ("Created", "Paused", "Resumed", "Stopped", "ChangeOfCircumstances")[k % 5],
                "apprenticeshipId": 100_000 + k,
                "paymentStatus": ("active", "paused", "withdrawn")[k % 3],
                "agreementStatus": ("agreed", "bothAgreed", "notAgreed")[k % 3],
                "providerId": str(10_000_000 + k % 700),
                "learnerId": str(1_000_000_000 + k),
                "trainingType": ("framework", "standard")[k % 2],
                "trainingId": str(k % 400),
                "employerAccountId": str(2000 + k % 900),
                "trainingStartDate": start.isoformat(),
                "trainingEndDate": (start + timedelta(days=365 + k % 400)).isoformat(),
                "trainingTotalCost": round(k % 100_000 + (k % 100) / 100, 2),
            }
        )
    return events


def copy_rows(events: list[dict]) -> list[tuple]:
    """The rows the server stores for ``events`` (created_on onwards; the id comes from the default)."""
    now = datetime.now(UTC)
    return [
        (now, e["event"], e["apprenticeshipId"], e["paymentStatus"], e["agreementStatus"], e["providerId"],
         e["learnerId"], e["employerAccountId"], 1 if e["trainingType"] == "framework" else 2, e["trainingId"],
         datetime.fromisoformat(e["trainingStartDate"]).replace(tzinfo=UTC),
         datetime.fromisoformat(e["trainingEndDate"]).replace(tzinfo=UTC), Decimal(str(e["trainingTotalCost"])))
        for e in events
    ]  # fmt: skip


def copy_text(rows: list[tuple]) -> bytes:
    """COPY's text format of ``rows`` (no value here needs escaping)."""
    return "".join("\t".join(str(value) for value in row) + "\n" for row in rows).encode()


def raw_copy(conn: psycopg.Connection, rows: list[tuple], text: bytes, binary: bool) -> float:
    """Seconds for one committed COPY of the rows: text from a preformatted buffer, or binary."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        if binary:
            with cur.copy(f"COPY {TABLE} ({COPY_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(COPY_TYPES)
                for row in rows:
                    copy.write_row(row)
        else:
            with cur.copy(f"COPY {TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy:
                copy.write(text)
    return time.perf_counter() - started


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


def bulk_ingest(base: str, url: str, writer: str, args, scale: str) -> None:
    """Requests and raw COPYs of the same batches, one after the other (the same machine load)."""
    app = copy_text_s = copy_binary_s = 0.0
    with psycopg.connect(url, autocommit=True, options="-c timezone=UTC") as conn:
        for i in range(args.bulk_requests + WARM_UP):  # the first rounds warm up (both workers) and are not counted
            events = batch(args.bulk_size, i)
            body, rows = json.dumps(events).encode(), copy_rows(events)
            text = copy_text(rows)
            seconds = [raw_copy(conn, rows, text, binary=False), raw_copy(conn, rows, text, binary=True)]
            started = time.perf_counter()
            _, _, payload = request(f"{base}/api/events/apprenticeships/bulk", writer, body)
            elapsed = time.perf_counter() - started
            answered = json.loads(payload)
            assert len(answered) == len(events) and answered[-1]["learnerId"] == events[-1]["learnerId"]
            if i >= WARM_UP:
                app += elapsed
                copy_text_s += seconds[0]
                copy_binary_s += seconds[1]
    events_total = args.bulk_size * args.bulk_requests
    emit(
        benchmark="events_bulk_ingest",
        value=events_total / app,
        unit="events/s",
        limit=events_total / min(copy_text_s, copy_binary_s),
        limit_name="raw psycopg COPY of the same batches (faster of text and binary)",
        target=0.4,
        scale=scale,
        copy_text_events_per_s=round(events_total / copy_text_s),
        copy_binary_events_per_s=round(events_total / copy_binary_s),
    )


def pages(base: str, url: str, reader: str, args, scale: str) -> None:
    """Pages by fromEventId at random positions, through the server and as raw SQL, in turn."""
    server, client, raw = [], [], []
    with psycopg.connect(url, autocommit=True, options="-c timezone=UTC") as conn:
        top = conn.execute(f"SELECT max(id) FROM {TABLE}").fetchone()[0]
        for i in range(args.pages + 10):  # the first 10 warm up and are not counted
            start_id = random.randint(1, max(1, top - 1000))
            total, app, payload = request(
                f"{base}/api/events/apprenticeships?fromEventId={start_id}&pageSize=1000", reader
            )
            sql = []
            for binary in (False, True):  # psycopg's default text rows, and binary ones (as the server reads them)
                started = time.perf_counter()
                rows = conn.execute(PAGE_SQL, (start_id,), binary=binary).fetchall()
                sql.append((time.perf_counter() - started) * 1000)
            assert payload.startswith(b"[") and len(rows) == min(1000, top - start_id + 1)
            if i >= 10:
                server.append(app)
                client.append(total)
                raw.append(min(sql))
    p99, p50 = percentile(server, 0.99), percentile(server, 0.5)
    details = {
        "server_ms_p50": p50,
        "server_ms_p99": p99,
        "client_ms_p50": percentile(client, 0.5),
        "client_ms_p99": percentile(client, 0.99),
        "raw_sql_ms_p50": percentile(raw, 0.5),
        "raw_sql_ms_p99": percentile(raw, 0.99),
        "pages": args.pages,
    }
    emit(benchmark="events_page_1000_server_p99", value=p99, unit="ms", limit=10.0,
         limit_name="issue 10's 10 ms (server time, Server-Timing)", target=1.0, scale=scale, lower_is_better=True,
         **details)  # fmt: skip
    emit(benchmark="events_page_1000_vs_raw_sql", value=p50, unit="ms (server p50)", limit=details["raw_sql_ms_p50"],
         limit_name="the same SQL through psycopg, p50", target=None, scale=scale, lower_is_better=True,
         **details)  # fmt: skip


def single_post(base: str, writer: str, args, scale: str) -> None:
    if not shutil.which("wrk"):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_POST.format(body=json.dumps(EVENT), token=writer))
    try:
        result = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{args.seconds}s", "--latency", "-s", script.name,
             f"{base}/api/events/apprenticeships"], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        Path(script.name).unlink()
    health = run_load(f"{base}/health", "Accept: application/json", args.seconds, 16)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    emit(
        benchmark="events_single_post",
        value=float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        unit="req/s",
        limit=health["rps"],
        limit_name="GET /health, wrk, 16 connections",
        target=None,
        scale=scale,
        p99=re.search(r"99%\s+(\S+)", result).group(1),
        errors=int(non2xx.group(1)) if non2xx else 0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--bulk-size", type=int, default=5000)
    parser.add_argument("--bulk-requests", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="~20,000 events and short runs: checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.bulk_size, args.bulk_requests, args.seconds, args.pages = 20_000, 1000, 2, 1, 20
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (the fill uses generate_series)")
    with demo_server(workers=2) as (base, credentials, env):
        count, fill_seconds = fill(url, args.rows)
        print(json.dumps({"events_in_store": count, "fill_seconds": round(fill_seconds, 1)}), flush=True)
        writer = token(base, credentials["events_writer"], jwt=True)
        reader = token(base, credentials["events_reader"], jwt=True)
        scale = f"{count:,} events stored"
        bulk_ingest(base, url, writer, args, f"{scale}; {args.bulk_requests} x {args.bulk_size:,} events")
        pages(base, url, reader, args, f"{scale}; {args.pages} pages of 1000 by fromEventId")
        single_post(base, writer, args, f"{scale}; {args.seconds} s, 16 connections")


if __name__ == "__main__":
    main()
