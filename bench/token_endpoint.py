"""Token endpoint throughput (POST /oauth2/access_token, client credentials) against GET /health,
both measured the same way (wrk, or the Python client without it) in the same run, 2 gunicorn workers.

Every token request authenticates the client (its secret's hash), writes one access-token row and,
with ``token_type=jwt``, signs a JWT carrying the user's roles. The limit is ``GET /health`` (one
``SELECT 1``), measured before and after the token runs; the ratio uses their mean.

    .venv/bin/python bench/token_endpoint.py [--seconds 10] [--connections 16] [--smoke]

Honours DATABASE_URL (e.g. a PostgreSQL database) like the server does. (Not named token.py: a
script's directory comes first on sys.path, and the standard library's ``token`` module, which
``logging`` needs, would be shadowed for every script in bench/.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from http.client import HTTPConnection
from urllib.parse import urlencode, urlsplit

from _load import run_load
from _ratio import emit
from _server import demo_server

TARGET = 0.25  # issue 10: token requests/s >= 0.25 x /health requests/s
FORM = "application/x-www-form-urlencoded"


def _wrk_post(url: str, body: str, seconds: int, connections: int) -> dict:
    threads = min(2, connections)  # wrk needs at least one connection per thread
    script = f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "{FORM}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name, url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "tool": "wrk",
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _python_post(url: str, body: str, seconds: int, connections: int) -> dict:
    parts = urlsplit(url)
    counts, errors, latencies = [0] * connections, [0] * connections, []
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = HTTPConnection(parts.hostname, parts.port)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("POST", parts.path, body=body, headers={"Content-Type": FORM})
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


def post_load(url: str, body: str, seconds: int, connections: int) -> dict:
    """POST the form ``body`` to ``url`` for ``seconds`` over ``connections``, like _load.run_load."""
    runner = _wrk_post if shutil.which("wrk") else _python_post
    return runner(url, body, seconds, connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="a few seconds per measurement, to check the script runs")
    args = parser.parse_args()
    seconds, connections = (1, 4) if args.smoke else (args.seconds, args.connections)
    with demo_server(workers=2) as (base, credentials, _env):
        client = credentials["staff"]
        form = {"grant_type": "client_credentials", "client_id": client["client_id"]}
        form["client_secret"] = client["client_secret"]
        url, health_url = f"{base}/oauth2/access_token", f"{base}/health"
        header = "Accept: application/json"
        run_load(health_url, header, 1, connections)  # warm-up
        post_load(url, urlencode({**form, "token_type": "jwt"}), 1, connections)
        before = run_load(health_url, header, seconds, connections)
        results = {
            kind: post_load(url, urlencode(form | extra), seconds, connections)
            for kind, extra in (("jwt", {"token_type": "jwt"}), ("opaque", {}))
        }
        after = run_load(health_url, header, seconds, connections)
        health = (before["rps"] + after["rps"]) / 2
        for kind, result in results.items():
            emit(
                benchmark=f"POST /oauth2/access_token client credentials ({kind})",
                value=result["rps"],
                unit="req/s",
                limit=health,
                limit_name="GET /health req/s",
                target=TARGET,
                scale=f"2 workers, {connections} connections, {seconds} s",
                tool=result["tool"],
                p50=result["p50"],
                p99=result["p99"],
                errors=result["errors"],
                health_before=before["rps"],
                health_after=after["rps"],
            )


if __name__ == "__main__":
    main()
