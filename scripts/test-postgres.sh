#!/usr/bin/env bash
# Run the test suite against PostgreSQL (and Redis as the cache): start the local cluster if it
# is down, create a throw-away database, drop it afterwards whatever happens.
set -euo pipefail
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
BIN=${BIN:-.venv/bin}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL is not answering; starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "Redis is not answering; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi

DB="coursegate_ci_$$_$(date +%s)"
"$BIN/python" - "$PG_URL" "$DB" create <<'PY'
import sys, psycopg
url, db, action = sys.argv[1:]
with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
    conn.execute(f'CREATE DATABASE "{db}"' if action == "create" else f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
PY
cleanup() {
  "$BIN/python" - "$PG_URL" "$DB" drop <<'PY'
import sys, psycopg
url, db, action = sys.argv[1:]
with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
    for name in (db, f"test_{db}"):
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PY
}
trap cleanup EXIT

echo "PostgreSQL run: database $DB, cache $REDIS_URL"
DATABASE_URL="$PG_URL/$DB" COURSEGATE_CACHE_URL="$REDIS_URL" "$BIN/python" -m pytest "$@"
