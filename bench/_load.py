"""HTTP load for the benchmarks: wrk (Debian package `wrk`) when installed, else a Python
keep-alive client (which itself eats CPU on a 2-core machine: its figures are lower)."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from http.client import HTTPConnection
from urllib.parse import urlsplit


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


def run_load(url: str, header: str, seconds: int, connections: int) -> dict:
    """GET ``url`` with ``header`` (``"Name: value"``) for ``seconds`` over ``connections``."""
    runner = run_wrk if shutil.which("wrk") else run_python
    return runner(url, header, seconds, connections)
