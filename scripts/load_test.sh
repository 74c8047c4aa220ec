#!/usr/bin/env bash
# The load test of docs/operations.md on this machine: a fresh PostgreSQL database with the
# synthetic demo, `mnr serve --production` (gunicorn) and one separate `mnr worker`, with
# MNR_ENV=production behind a simulated TLS proxy, then `mnr loadtest` (locust) against it.
#   scripts/load_test.sh           2 minutes: 50 visitors and 10 focal points
#   scripts/load_test.sh --short   20 seconds (what .ci/run runs)
# Loopback only. Exits non-zero when any request failed; latency never fails it. Every process
# it starts is stopped at the end, whatever happened. Needs PostgreSQL running and ./dev test's
# tools (locust). LOAD_DATABASE (mnr_load), LOAD_WORKERS (4), LOAD_USERS (50) and
# LOAD_FOCAL_POINTS (10) change the set-up.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=2m
case "${1:-}" in
  --short) DURATION=20s ;;
  "") ;;
  *) echo "usage: $0 [--short]" >&2; exit 2 ;;
esac
DATABASE=${LOAD_DATABASE:-mnr_load}
MNR=$PWD/.venv/bin/mnr
WORK=$(mktemp -d -t mnr-load-XXXXXX)
PORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
started=()

stop() {
  local status=$?
  for pid in "${started[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "== load test failed; the server's and the worker's last lines:" >&2
    tail -n 30 "$WORK/server.log" "$WORK/worker.log" >&2 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap stop EXIT

# Each in its own session (setsid), so that stopping it stops gunicorn's workers too.
background() {
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 &
  started+=($!)
  # Not reported as "Killed" by the shell if it has to be stopped with SIGKILL.
  disown
}

unset MNR_TASK_BACKEND MNR_DEBUG
export DATABASE_URL="postgres:///$DATABASE" MNR_DATA_DIR="$WORK/data" MNR_EVIDENCE_DIR="$WORK/uploads"
echo "== database $DATABASE: fresh, migrated, with the demo"
dropdb --if-exists "$DATABASE"
createdb "$DATABASE"
"$MNR" demo --no-serve >"$WORK/demo.log"

export MNR_ENV=production MNR_ALLOWED_HOSTS=127.0.0.1,localhost MNR_PROXY_SSL_HEADER=X-Forwarded-Proto
MNR_SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
export MNR_SECRET_KEY
# Every simulated visitor comes from 127.0.0.1, which the API's per-address limit would count
# as one caller.
export MNR_API_RATE_ANONYMOUS=1000000
echo "== gunicorn (${LOAD_WORKERS:-4} workers) at 127.0.0.1:$PORT and one mnr worker"
background "$WORK/server.log" "$MNR" serve --production --workers "${LOAD_WORKERS:-4}" --port "$PORT"
background "$WORK/worker.log" "$MNR" worker
for _ in $(seq 240); do
  curl -fs -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "${started[0]}" 2>/dev/null || { echo "mnr serve --production stopped" >&2; exit 1; }
  sleep 0.5
done

"$MNR" loadtest --host "http://127.0.0.1:$PORT" --duration "$DURATION" \
  --users "${LOAD_USERS:-50}" --focal-points "${LOAD_FOCAL_POINTS:-10}"
