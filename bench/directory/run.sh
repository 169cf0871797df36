#!/usr/bin/env bash
# Directory benchmark: builds `vakt` (release), creates `vakt demo --people 50000` on SQLite and on
# PostgreSQL, and measures with wrk, side by side in the same run:
#   /healthz (the ceiling: same server, no database), the directory search page (HTML, signed in) and the
#   people search API (Bearer token), deep paging by offset and by keyset cursor — requests/s, p50 and p99
#   at a fixed concurrency. Each endpoint is measured RUNS times (the endpoints take turns, so a burst of
#   load from elsewhere hits all of them alike); the table gives the medians and the p99 range.
# Usage: bench/directory/run.sh            (writes bench/directory/last-run.md; paste it into bench/RESULTS.md)
# Env:   PEOPLE (50000) CONNECTIONS (16) THREADS (2) DURATION (10s) RUNS (5)
#        PG_URL (postgres://postgres@127.0.0.1:5432/postgres) ENGINES ("sqlite postgres")
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PEOPLE=${PEOPLE:-50000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-5}
ENGINES=${ENGINES:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/directory/last-run.md

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null); }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p vakt
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

RAW=$WORK/runs.txt
: > "$RAW"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%MZ)
rustc_seen=0

port=18090
for engine in $ENGINES; do
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
  for _ in $(seq 1 900); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 1
  done
  echo "$engine: demo with $PEOPLE people ready in $(( $(date +%s) - start )) s" >&2
  # `vakt demo` refreshes the planner statistics after its bulk load (Db::refresh_statistics); doing it
  # here too keeps binaries built before that change comparable.
  if [ "$engine" = postgres ]; then psql "$VAKT_DATABASE_URL" -qc "VACUUM (ANALYZE) people" >/dev/null; fi
  user=$(awk '$2 == "security_coordinator" {print $1; exit}' "$data/demo.txt")
  password=$(awk '$2 == "security_coordinator" {print $3; exit}' "$data/demo.txt")
  token=$("$VAKT" --data-dir "$data" user create-token "$user" --name bench | awk '/^Token:/{print $2}')
  cookie=$(python3 "$ROOT/bench/directory/login.py" "http://127.0.0.1:$port" "$user" "$password")
  base=http://127.0.0.1:$port
  # The person at position 25,000: the keyset cursor equivalent of offset=25000.
  cursor=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/people?offset=24999&limit=1" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  for run in $(seq 1 "$RUNS"); do
    echo "$engine: run $run of $RUNS" >&2
    n=$(pgrep -c -x rustc || true); [ "${n:-0}" -gt "$rustc_seen" ] && rustc_seen=$n
    m() { local name=$1; shift; echo "$engine|$name|$(measure "$@")" >> "$RAW"; }
    m "/healthz (ceiling)" "$base/healthz"
    m "/directory/people?q=berg (HTML, htmx)" "$base/directory/people?q=berg" -H "Cookie: $cookie" -H "HX-Request: true"
    m "/directory/people?q=berg (HTML, full page)" "$base/directory/people?q=berg" -H "Cookie: $cookie"
    m "/api/v1/people?q=berg" "$base/api/v1/people?q=berg" -H "Authorization: Bearer $token"
    m "/api/v1/people?offset=25000" "$base/api/v1/people?offset=25000" -H "Authorization: Bearer $token"
    m "/api/v1/people?after=(25,000th id)" "$base/api/v1/people?after=$cursor" -H "Authorization: Bearer $token"
  done
  kill "${PIDS[-1]}" 2>/dev/null || true
  wait "${PIDS[-1]}" 2>/dev/null || true
  if [ "$engine" = postgres ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "### Run of $started"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -sr)."
  echo "Command: \`RUNS=$RUNS DURATION=$DURATION bench/directory/run.sh\` — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs per endpoint (taking turns); $PEOPLE people; release build."
  echo "Load: load average $load_start at the start, $load_end at the end; up to $rustc_seen rustc processes of other builds seen during the runs."
  echo
  echo "| engine | endpoint | runs | requests/s (median) | p50 ms (median) | p99 ms (median) | p99 ms (range) | errors (non-2xx) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  python3 "$ROOT/bench/directory/median.py" "$RAW"
} > "$OUT"
cp "$RAW" "$ROOT/bench/directory/last-run-raw.txt"
cat "$OUT"
