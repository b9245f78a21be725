#!/usr/bin/env bash
# Run every benchmark at full scale on SQLite and on PostgreSQL (a throw-away database). Each prints
# JSON lines; the ratio lines (work / limit of the same run, bench/_ratio.py) are collected in
# var/bench/results.jsonl and turned into a Markdown table on stdout (bench/report.py), ready to
# paste into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB="coursegate_bench_$$"
OUT=var/bench/results.jsonl
mkdir -p var/bench && : > "$OUT"
pg() { "$PY" -c "import sys,psycopg; c=psycopg.connect('$PG_URL/postgres', autocommit=True); c.execute(sys.argv[1])" "$1"; }
fresh() { if [ "$database" = postgres ]; then pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"; pg "CREATE DATABASE \"$DB\""; fi; }
run() { "$PY" "$@" | tee -a "$OUT"; }
trap 'pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"' EXIT
for database in sqlite postgres; do
  if [ "$database" = postgres ]; then export DATABASE_URL="$PG_URL/$DB"; fi
  fresh; run bench/token_endpoint.py
  fresh; run bench/enrollment_list.py --seconds 15
  fresh; run bench/bulk_enroll.py
  fresh; run bench/feed.py
  fresh; run bench/idempotency.py --seconds 10
  fresh; run bench/webhooks.py
  fresh; run bench/analytics_stream.py
  fresh; run bench/license_assign.py
  fresh; run bench/bulk_license_enrollment.py
  fresh; run bench/learner_summary.py
  if [ "$database" = postgres ]; then
    fresh; run bench/events.py --rows "${EVENTS_ROWS:-10000000}"
    fresh; run bench/license_bulk_actions.py
    fresh; run bench/provision_licenses.py
    fresh; run bench/dashboard.py
  fi
done
"$PY" bench/report.py "$OUT"
