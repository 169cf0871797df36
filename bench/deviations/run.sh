#!/usr/bin/env bash
# Deviations benchmark (issue 5): builds `vakt` (release), creates
#   vakt demo --no-totp --people 50000 --cases 200000
# on SQLite and on PostgreSQL, and measures with wrk (as bench/directory/run.sh does, reusing its helpers):
#   the case list (unfiltered, filtered by state and severity, by category, breaches only, a title search,
#   a deep page), the dashboard (open cases by urgency), a leader's unit list, and the JSON case API —
#   requests/s, p50 and p99 at a fixed concurrency. Each endpoint is measured RUNS times (taking turns);
#   the table gives the medians and the p99 range.
# Usage: bench/deviations/run.sh   (writes bench/deviations/last-run.md; paste it into bench/RESULTS.md)
# Env:   PEOPLE (50000) CASES (200000) CONNECTIONS (16) THREADS (2) DURATION (10s) RUNS (3)
#        PG_URL (postgres://postgres@127.0.0.1:5432/postgres) ENGINES ("sqlite postgres") SKIP_BUILD
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PEOPLE=${PEOPLE:-50000}
CASES=${CASES:-200000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-3}
ENGINES=${ENGINES:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/deviations/last-run.md

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null); }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p vakt
VAKT=$CARGO_TARGET_DIR/release/vakt
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# One wrk run; prints "rps p50 p99 errors" (milliseconds).
measure() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$WORK/wrk.txt"
  python3 "$ROOT/bench/directory/wrk_summary.py" "$WORK/wrk.txt"
}

RAW=$WORK/runs.txt
: > "$RAW"
DATA=$WORK/data.md
: > "$DATA"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%MZ)

port=18290
for engine in $ENGINES; do
  port=$((port + 1))
  data=$WORK/$engine
  mkdir -p "$data"
  unset VAKT_DATABASE_URL
  if [ "$engine" = postgres ]; then
    db=vakt_dbench_$$
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
    psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
    export VAKT_DATABASE_URL=${PG_URL%/*}/$db
  fi
  export VAKT_LOG=warn VAKT_COOKIE_SECURE=false VAKT_JOBS_ENABLED=false
  start=$(date +%s)
  "$VAKT" --data-dir "$data" demo --no-totp --people "$PEOPLE" --cases "$CASES" \
    --listen 127.0.0.1:$port > "$data/demo.txt" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 3600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && grep -q "Demo accounts" "$data/demo.txt" && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$data/demo.txt" >&2; exit 1; }
    sleep 1
  done
  ready=$(( $(date +%s) - start ))
  echo "$engine: demo with $PEOPLE people and $CASES cases ready in $ready s" >&2
  base=http://127.0.0.1:$port
  cuser=$(awk '$2 == "security_coordinator" {print $1; exit}' "$data/demo.txt")
  cpass=$(awk '$2 == "security_coordinator" {print $3; exit}' "$data/demo.txt")
  lpass=$(awk '$1 == "leader" {print $3; exit}' "$data/demo.txt")
  token=$("$VAKT" --data-dir "$data" user create-token "$cuser" --name bench | awk '/^Token:/{print $2}')
  ccookie=$(python3 "$ROOT/bench/directory/login.py" "$base" "$cuser" "$cpass")
  lcookie=$(python3 "$ROOT/bench/directory/login.py" "$base" leader "$lpass")
  api() { curl -fs -H "Authorization: Bearer $token" "$base$1"; }
  unit=$(api /api/v1/units | python3 -c 'import json,sys; print(next(u["id"] for u in json.load(sys.stdin) if u["code"]=="SCH1"))')
  total=$(api "/api/v1/deviations" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  # A category that holds cases (the first one of the first page).
  category=$(api "/api/v1/deviations" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["category"] or "")')
  open=$(api "/api/v1/deviations?open=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  # The keyset cursor 100,000 cases deep (the last case of page 2000, found once by offset), for the
  # deep page as the list's own "next" links walk it.
  deep=$(api "/api/v1/deviations?page=1999" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][-1]["id"])')
  echo "| $engine | $CASES cases asked for (the list API counts up to 1000: $total, open: $open), $PEOPLE people; demo ready in $ready s |" >> "$DATA"
  for run in $(seq 1 "$RUNS"); do
    echo "$engine: run $run of $RUNS" >&2
    m() { local name=$1; shift; echo "$engine|$name|$(measure "$@")" >> "$RAW"; }
    m "/healthz (ceiling)" "$base/healthz"
    m "/deviations (list, newest first)" "$base/deviations" -H "Cookie: $ccookie"
    m "/deviations?state=investigation&severity=high" "$base/deviations?state=investigation&severity=high" -H "Cookie: $ccookie"
    m "/deviations?category=(one)&open=1" "$base/deviations?category=$category&open=1" -H "Cookie: $ccookie"
    m "/deviations?breach=1" "$base/deviations?breach=1" -H "Cookie: $ccookie"
    m "/deviations?q=telefon" "$base/deviations?q=telefon" -H "Cookie: $ccookie"
    m "/deviations?page=2000 (deep page)" "$base/deviations?page=2000" -H "Cookie: $ccookie"
    m "/deviations?after=(case 100,000) (deep page by keyset)" "$base/deviations?after=$deep" -H "Cookie: $ccookie"
    m "/deviations/dashboard (open, by urgency)" "$base/deviations/dashboard" -H "Cookie: $ccookie"
    m "/deviations/unit/SCH1 (leader, with sub-units)" "$base/deviations/unit/$unit" -H "Cookie: $lcookie"
    m "/api/v1/deviations?open=1&severity=serious" "$base/api/v1/deviations?open=1&severity=serious" -H "Authorization: Bearer $token"
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
  echo "Command: \`RUNS=$RUNS DURATION=$DURATION bench/deviations/run.sh\` — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs per endpoint (taking turns); \`vakt demo --people $PEOPLE --cases $CASES\`; release build."
  echo "Load: load average $load_start at the start, $load_end at the end."
  echo
  echo "| engine | data |"
  echo "|---|---|"
  cat "$DATA"
  echo
  echo "| engine | endpoint | runs | requests/s (median) | p50 ms (median) | p99 ms (median) | p99 ms (range) | errors (non-2xx) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  python3 "$ROOT/bench/directory/median.py" "$RAW"
} > "$OUT"
cat "$OUT"
