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
from urllib.parse import urlencode

from _load import against_health, post_load
from _server import demo_server

TARGET = 0.25  # issue 10: token requests/s >= 0.25 x /health requests/s


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
        bodies = {"jwt": urlencode({**form, "token_type": "jwt"}), "opaque": urlencode(form)}
        against_health(
            health_url,
            {kind: (lambda secs, b=body: post_load(url, b, secs, connections)) for kind, body in bodies.items()},
            seconds=seconds,
            connections=connections,
            benchmark="POST /oauth2/access_token client credentials ({kind})",
            target=TARGET,
            scale=f"2 workers, {connections} connections, {seconds} s",
        )


if __name__ == "__main__":
    main()
