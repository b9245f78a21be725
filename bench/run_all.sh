#!/usr/bin/env bash
# Run every benchmark on SQLite and on PostgreSQL (a throw-away database); prints one JSON line each.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB="coursegate_bench_$$"
pg() { "$PY" -c "import sys,psycopg; c=psycopg.connect('$PG_URL/postgres', autocommit=True); c.execute(sys.argv[1])" "$1"; }
trap 'pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"' EXIT
for database in sqlite postgres; do
  if [ "$database" = postgres ]; then
    pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"; pg "CREATE DATABASE \"$DB\""
    export DATABASE_URL="$PG_URL/$DB"
  fi
  "$PY" bench/enrollment_list.py --seconds 15
  "$PY" bench/bulk_enroll.py
  if [ "$database" = postgres ]; then pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"; pg "CREATE DATABASE \"$DB\""; fi
  "$PY" bench/analytics_stream.py --rows 100000 --rows 400000
  "$PY" bench/license_assign.py
  "$PY" bench/bulk_license_enrollment.py
  "$PY" bench/learner_summary.py
  if [ "$database" = postgres ]; then
    pg "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"; pg "CREATE DATABASE \"$DB\""
    "$PY" bench/events.py --rows "${EVENTS_ROWS:-10000000}"
  fi
done
