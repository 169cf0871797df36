#!/usr/bin/env bash
# Directory benchmark: builds `vakt` (release), creates `vakt demo --people 50000` on SQLite and on
# PostgreSQL, and measures with wrk, side by side in the same run:
#   /healthz (the ceiling: same server, no database), the directory search page (HTML, signed in) and the
#   people search API (Bearer token) — requests/s, p50 and p99 at a fixed concurrency.
# Usage: bench/directory/run.sh            (writes bench/directory/last-run.md; paste it into bench/RESULTS.md)
# Env:   PEOPLE (50000) CONNECTIONS (16) THREADS (2) DURATION (20s) PG_URL (postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PEOPLE=${PEOPLE:-50000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20s}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-bench2}
OUT=$ROOT/bench/directory/last-run.md

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null); }
cargo build --release -p vakt
VAKT=$CARGO_TARGET_DIR/release/vakt
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# One wrk run; prints "rps p50 p99" (milliseconds).
measure() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$WORK/wrk.txt"
  python3 "$ROOT/bench/directory/wrk_summary.py" "$WORK/wrk.txt"
}

{
  echo "### Run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -sr)."
  echo "Command: \`bench/directory/run.sh\` — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; $PEOPLE people; release build."
  echo
  echo "| engine | endpoint | requests/s | p50 ms | p99 ms | errors (non-2xx) |"
  echo "|---|---|---:|---:|---:|---:|"
} > "$OUT"

port=18090
for engine in sqlite postgres; do
  port=$((port + 1))
  data=$WORK/$engine
  mkdir -p "$data"
  unset VAKT_DATABASE_URL
  if [ "$engine" = postgres ]; then
    db=vakt_bench_$$
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
    psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
    export VAKT_DATABASE_URL=${PG_URL%/*}/$db
  fi
  export VAKT_LOG=warn VAKT_COOKIE_SECURE=false VAKT_JOBS_ENABLED=false
  start=$(date +%s)
  "$VAKT" --data-dir "$data" demo --no-totp --people "$PEOPLE" --listen 127.0.0.1:$port > "$data/demo.txt" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 1
  done
  echo "$engine: demo with $PEOPLE people ready in $(( $(date +%s) - start )) s" >&2
  user=$(awk '$2 == "security_coordinator" {print $1; exit}' "$data/demo.txt")
  password=$(awk '$2 == "security_coordinator" {print $3; exit}' "$data/demo.txt")
  token=$("$VAKT" --data-dir "$data" user create-token "$user" --name bench | awk '/^Token:/{print $2}')
  cookie=$(python3 "$ROOT/bench/directory/login.py" "http://127.0.0.1:$port" "$user" "$password")
  base=http://127.0.0.1:$port
  row() { echo "| $engine | $1 | $2 |" | sed 's/ \([0-9.]*\) \([0-9.]*\) \([0-9.]*\) \([0-9]*\) |$/ \1 | \2 | \3 | \4 |/' >> "$OUT"; }
  row "/healthz (ceiling)" "$(measure "$base/healthz")"
  row "/directory/people?q=berg (HTML, htmx)" "$(measure "$base/directory/people?q=berg" -H "Cookie: $cookie" -H "HX-Request: true")"
  row "/directory/people?q=berg (HTML, full page)" "$(measure "$base/directory/people?q=berg" -H "Cookie: $cookie")"
  row "/api/v1/people?q=berg" "$(measure "$base/api/v1/people?q=berg" -H "Authorization: Bearer $token")"
  row "/api/v1/people?offset=25000" "$(measure "$base/api/v1/people?offset=25000" -H "Authorization: Bearer $token")"
  kill "${PIDS[-1]}" 2>/dev/null || true
  wait "${PIDS[-1]}" 2>/dev/null || true
  if [ "$engine" = postgres ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
cat "$OUT"
