"""HTTP load for the benchmarks: wrk (Debian package `wrk`) when installed, else a Python
keep-alive client (which itself eats CPU on a 2-core machine: its figures are lower).

``run_load`` GETs a URL, ``post_load`` POSTs a form body; ``against_health`` measures several
loads between two ``GET /health`` runs and emits each as a ratio to their mean (the limit of
issue 10's request-rate rows)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from urllib.parse import urlsplit

from _ratio import emit

FORM = "application/x-www-form-urlencoded"


def _wrk(url: str, seconds: int, connections: int, extra: list[str]) -> dict:
    threads = min(2, connections)  # wrk needs at least one connection per thread
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "tool": "wrk",
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _python(
    url: str,
    seconds: int,
    connections: int,
    method: str,
    headers: dict | Callable[[], dict],
    body: str | None,
    ok: tuple[int, ...] = (200,),
) -> dict:
    """``method url`` for ``seconds`` over ``connections`` keep-alive connections. ``headers`` is a
    dict, or a function giving each request's own (a fresh Idempotency-Key, say); a status outside
    ``ok`` counts as an error."""
    parts = urlsplit(url)
    each = headers if callable(headers) else (lambda: headers)
    counts, errors, latencies = [0] * connections, [0] * connections, []
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = HTTPConnection(parts.hostname, parts.port)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request(method, parts.path, body=body, headers=each())
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            counts[i] += 1
            errors[i] += response.status not in ok

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


def run_load(url: str, header: str, seconds: int, connections: int) -> dict:
    """GET ``url`` with ``header`` (``"Name: value"``) for ``seconds`` over ``connections``."""
    if shutil.which("wrk"):
        return _wrk(url, seconds, connections, ["-H", header])
    name, value = header.split(": ", 1)
    return _python(url, seconds, connections, "GET", {name: value}, None)


def post_load(url: str, body: str, seconds: int, connections: int) -> dict:
    """POST the form ``body`` to ``url`` for ``seconds`` over ``connections``."""
    if not shutil.which("wrk"):
        return _python(url, seconds, connections, "POST", {"Content-Type": FORM}, body)
    script = f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "{FORM}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        return _wrk(url, seconds, connections, ["-s", handle.name])
    finally:
        os.unlink(handle.name)


def against_health(
    health_url: str,
    loads: dict[str, Callable[[int], dict]],
    *,
    seconds: int,
    connections: int,
    benchmark: str,
    target: float,
    scale: str,
) -> None:
    """Warm up, then measure ``GET /health``, each of ``loads`` (kind -> a function of the seconds
    to run), and ``/health`` again; emit one line per kind, its requests/s against the mean of the
    two ``/health`` runs. ``benchmark`` is formatted with ``kind``."""
    header = "Accept: application/json"
    run_load(health_url, header, 1, connections)
    for load in loads.values():
        load(1)
    before = run_load(health_url, header, seconds, connections)
    results = {kind: load(seconds) for kind, load in loads.items()}
    after = run_load(health_url, header, seconds, connections)
    health = (before["rps"] + after["rps"]) / 2
    for kind, result in results.items():
        emit(
            benchmark=benchmark.format(kind=kind),
            value=result["rps"],
            unit="req/s",
            limit=health,
            limit_name="GET /health req/s",
            target=target,
            scale=scale,
            tool=result["tool"],
            p50=result["p50"],
            p99=result["p99"],
            errors=result["errors"],
            health_before=before["rps"],
            health_after=after["rps"],
        )
