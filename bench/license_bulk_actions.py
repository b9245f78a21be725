"""A plan's remind-all and revoke-all at 100,000 licenses against a real server, as ratios (issue 12).

A plan of customer A without a revocation cap, N licenses all assigned (set up through the services,
then ANALYZEd as a live database is), then over HTTP with the enterprise_admin client's JWT (the
answer waits for the commit, as the endpoints are synchronous):
1. the remind-all limit: one raw ``UPDATE`` of ``last_remind_date`` of the same N licenses and one
   raw ``INSERT ... SELECT`` of N outbox rows from them, rolled back;
2. ``POST .../licenses/remind-all/`` (every license reminded: N outbox rows written; after the commit
   the request itself delivers COURSEGATE_OUTBOX_INLINE_MAX of them through the file mail backend,
   the outbox sweep would deliver the rest);
3. the revoke-all limit: one raw ``UPDATE`` of the N licenses to revoked and one raw
   ``INSERT ... SELECT`` of N unassigned replacements, rolled back;
4. ``POST .../licenses/revoke-all/``.
Ratio lines (bench/_ratio.py): each request's seconds against its limit's (lower is better; ratio =
limit / work). No target: issue 12 asks for the times; over ~10 s would be a finding.

    .venv/bin/python bench/license_bulk_actions.py [--licenses 100000] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import urllib.request

from _ratio import emit
from _server import BIN, demo_server, token
from bulk_enroll import analyze, connect

PLAN = "5e1ec7ed-0000-4000-8000-0000000b1c00"
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
SETUP = """
from datetime import datetime, timezone
from coursegate.catalogs.models import EnterpriseCatalog
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.subscriptions.services import licenses_assign, plan_upsert
customer = EnterpriseCustomer.objects.get(uuid="{customer}")
catalog = EnterpriseCatalog.objects.filter(customer=customer).first()
plan = plan_upsert(uuid="{plan}", customer=customer, catalog=catalog, title="Bench plan", num_licenses={n},
                   start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
                   expiration_date=datetime(2030, 12, 31, tzinfo=timezone.utc))
for start in range(0, {n}, 20000):
    licenses_assign(plan=plan, emails=[f"bulk{{i}}@example.com" for i in range(start, min({n}, start + 20000))],
                    notify=False)
"""
# The limits, in the databases' own SQL. %(plan)s is the plan's id as the table stores it.
PG_REMIND = (
    "UPDATE subscriptions_license SET last_remind_date = now() WHERE plan_id = %(plan)s AND status = 'assigned'",
    """INSERT INTO outbox_outboxemail (kind, "to", from_email, subject, body, reply_to, headers, status, attempts,
           next_attempt_at, last_error, created)
       SELECT 'license_reminder', json_build_array(user_email), 'bench@example.com', 'Reminder',
              'Activate it here: https://learn.example.com/customer-a/licenses/' || activation_key || '/activate',
              '[]', '{}', 'pending', 0, now(), '', now()
       FROM subscriptions_license WHERE plan_id = %(plan)s AND status = 'assigned'""",
)
PG_REVOKE = (
    """UPDATE subscriptions_license SET status = 'revoked', revoked_date = now()
       WHERE plan_id = %(plan)s AND status IN ('assigned', 'activated')""",
    """INSERT INTO subscriptions_license (uuid, plan_id, status, user_email, user_sfid, created)
       SELECT gen_random_uuid(), %(plan)s, 'unassigned', '', '', now() FROM generate_series(1, %(n)s)""",
)
SQLITE_REMIND = (
    "UPDATE subscriptions_license SET last_remind_date = :now WHERE plan_id = :plan AND status = 'assigned'",
    """INSERT INTO outbox_outboxemail (kind, "to", from_email, subject, body, reply_to, headers, status, attempts,
           next_attempt_at, last_error, created)
       SELECT 'license_reminder', json_array(user_email), 'bench@example.com', 'Reminder',
              'Activate it here: https://learn.example.com/customer-a/licenses/' || activation_key || '/activate',
              '[]', '{}', 'pending', 0, :now, '', :now
       FROM subscriptions_license WHERE plan_id = :plan AND status = 'assigned'""",
)
SQLITE_REVOKE = (
    """UPDATE subscriptions_license SET status = 'revoked', revoked_date = :now
       WHERE plan_id = :plan AND status IN ('assigned', 'activated')""",
    """INSERT INTO subscriptions_license (uuid, plan_id, status, user_email, user_sfid, created)
       SELECT lower(hex(randomblob(16))), :plan, 'unassigned', '', '', :now
       FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s)""",
)


def raw_seconds(env: dict, statements: tuple[str, str], n: int) -> tuple[float, list[int]]:
    """Seconds of the two statements in one transaction, rolled back, and the rows each wrote."""
    url = env.get("DATABASE_URL", "")
    conn = connect(env)
    try:
        if url.startswith("postgres"):
            params: dict = {"plan": PLAN, "n": n}
            started = time.perf_counter()
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked as a commit checks them
            rows = [conn.execute(sql, params).rowcount for sql in statements]
            seconds = time.perf_counter() - started
            conn.rollback()
            return seconds, rows
        conn.execute("PRAGMA foreign_keys = ON")  # as Django's connections have them
        params = {"plan": PLAN.replace("-", ""), "n": n, "now": "2026-12-01 00:00:00"}
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        rows = [conn.execute(sql, params).rowcount for sql in statements]
        seconds = time.perf_counter() - started
        conn.execute("ROLLBACK")
        return seconds, rows
    finally:
        conn.close()


def post(base: str, path: str, jwt: str) -> tuple[float, int, str]:
    """Seconds from sending the request to its whole answer, the status and the server's own time."""
    request = urllib.request.Request(
        f"{base}{path}", data=b"{}", method="POST",
        headers={"Authorization": f"JWT {jwt}", "Content-Type": "application/json", "Accept": "application/json"},
    )  # fmt: skip
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
        status, timing = response.status, response.headers.get("Server-Timing", "")
    return time.perf_counter() - started, status, timing


def counts(env: dict) -> dict[str, int]:
    conn = connect(env)
    try:
        plan = PLAN if env.get("DATABASE_URL", "").startswith("postgres") else PLAN.replace("-", "")
        marker = "%s" if env.get("DATABASE_URL", "").startswith("postgres") else "?"
        sql = f"SELECT status, count(*) FROM subscriptions_license WHERE plan_id = {marker} GROUP BY status"
        found = dict(conn.execute(sql, (plan,)).fetchall())
        found["outbox"] = conn.execute(
            "SELECT count(*) FROM outbox_outboxemail WHERE kind = 'license_reminder'"
        ).fetchone()[0]
        return found
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licenses", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the script works")
    args = parser.parse_args()
    if args.smoke:
        args.licenses = 200
    n = args.licenses
    scale = f"{n:,} assigned licenses in one plan"
    with demo_server(workers=2) as (base, credentials, env):
        started = time.perf_counter()
        subprocess.run([str(BIN / "coursegate"), "shell", "-c", SETUP.format(customer=CUSTOMER_A, plan=PLAN, n=n)],
                       env=env, check=True)  # fmt: skip
        setup = time.perf_counter() - started
        analyze(env)
        jwt = token(base, credentials["enterprise_admin"], jwt=True)
        prefix = f"/enterprise/v1/subscriptions/{PLAN}/licenses"

        postgres = env.get("DATABASE_URL", "").startswith("postgres")
        limit, rows = raw_seconds(env, PG_REMIND if postgres else SQLITE_REMIND, n)
        assert rows == [n, n], rows
        seconds, status, timing = post(base, f"{prefix}/remind-all/", jwt)
        after = counts(env)
        assert (status, after.get("assigned"), after["outbox"]) == (204, n, n), (status, after)
        emit(benchmark="license remind-all", value=seconds, unit="s", limit=limit, lower_is_better=True,
             limit_name="raw UPDATE of last_remind_date + INSERT ... SELECT of the outbox rows", target=None,
             scale=scale, server_timing=timing, setup_seconds=round(setup, 1))  # fmt: skip

        limit, rows = raw_seconds(env, PG_REVOKE if postgres else SQLITE_REVOKE, n)
        assert rows == [n, n], rows
        seconds, status, timing = post(base, f"{prefix}/revoke-all/", jwt)
        after = counts(env)
        assert (status, after.get("revoked"), after.get("unassigned")) == (204, n, n), (status, after)
        emit(benchmark="license revoke-all", value=seconds, unit="s", limit=limit, lower_is_better=True,
             limit_name="raw UPDATE to revoked + INSERT ... SELECT of the replacements", target=None, scale=scale,
             server_timing=timing)  # fmt: skip
        print(json.dumps({"note": "remind-all and revoke-all over HTTP, one request each", "licenses": n}))


if __name__ == "__main__":
    main()
