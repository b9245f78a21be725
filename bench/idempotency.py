"""The cost of an Idempotency-Key on a small POST, with 2 gunicorn workers.

The POST is ``/api/events/create`` (one generic event, a one-row INSERT) by the demo's
``events_writer``, measured three ways in the same run: without a key; with a new key on every
request (the key's row is inserted before the handler and its answer stored after: two writes
more); and the same key again and again (the stored answer replayed, nothing runs). The limit is
``GET /health`` (one ``SELECT 1``) measured with the same client before and after; every line is
requests/s against the mean of the two. The keyed loads vary a header per request, so this script
drives them with its own keep-alive Python client (wrk would need a Lua script per kind), and uses
the same client for every load, the limit included.

    .venv/bin/python bench/idempotency.py [--seconds 10] [--connections 8] [--smoke]

Honours DATABASE_URL (e.g. a PostgreSQL database) like the server does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import uuid

from _load import _python
from _ratio import emit
from _server import demo_server, token

TARGET = 0.5  # a keyed POST keeps at least half of /health's rate (no target in issue 14: reported)
BODY = json.dumps({"type": "bench.ping", "resourceType": "bench", "resourceId": "1", "payload": "{}"})


def load(base: str, method: str, path: str, headers, body: str | None, seconds: int, connections: int) -> dict:
    """``method path`` for ``seconds`` over ``connections`` keep-alive connections; ``headers()``
    gives each request's headers. Requests/s, p50, p99 and the count of unexpected statuses."""
    return _python(base + path, seconds, connections, method, headers, body, ok=(200, 201))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="a second per measurement, to check the script runs")
    args = parser.parse_args()
    seconds, connections = (1, 2) if args.smoke else (args.seconds, args.connections)
    with demo_server(workers=2) as (base, credentials, _env):
        writer = {
            "Authorization": f"Bearer {token(base, credentials['events_writer'])}",
            "Content-Type": "application/json",
        }
        run = uuid.uuid4().hex[:8]
        serial = itertools.count()
        kinds = {
            "no key": lambda: writer,
            "new key": lambda: {**writer, "Idempotency-Key": f"bench-{run}-{next(serial)}"},
            "replayed key": lambda: {**writer, "Idempotency-Key": f"bench-{run}-replayed"},
        }

        def health(secs: int) -> dict:
            return load(base, "GET", "/health", lambda: {"Accept": "application/json"}, None, secs, connections)

        def post(kind: str, secs: int) -> dict:
            return load(base, "POST", "/api/events/create", kinds[kind], BODY, secs, connections)

        if not args.smoke:  # warm-up (the smoke run only checks that the script measures)
            health(1)
            for kind in kinds:
                post(kind, 1)
        before = health(seconds)
        results = {kind: post(kind, seconds) for kind in kinds}
        after = health(seconds)
        limit = (before["rps"] + after["rps"]) / 2
        for kind, result in results.items():
            emit(
                benchmark=f"POST /api/events/create ({kind})",
                value=result["rps"],
                unit="req/s",
                limit=limit,
                limit_name="GET /health req/s",
                target=TARGET,
                scale=f"2 workers, {connections} connections, {seconds} s, python client",
                tool="python",
                p50=result["p50"],
                p99=result["p99"],
                errors=result["errors"],
                health_before=before["rps"],
                health_after=after["rps"],
                vs_no_key=round(result["rps"] / results["no key"]["rps"], 3) if results["no key"]["rps"] else None,
            )


if __name__ == "__main__":
    main()
