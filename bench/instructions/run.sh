#!/usr/bin/env bash
# Instructions benchmark (issue 4): builds `vakt` (release), creates
#   vakt demo --people 50000 --instructions 20 --acks 1000000
# on SQLite and on PostgreSQL, and measures with wrk (as bench/directory/run.sh does):
#   the coordinator's overview (HTML page and JSON API) and a leader's unit page (HTML, signed in),
# p50/p99 at a fixed concurrency. The overview and each page of a unit's people are cached until what
# they are made of changes (the tenant's standings sequence) or a deadline can pass (the end of the
# local day); `pages.py` shows every page of the unit once (none cached yet); `cold.py` adds a group
# membership before every sample (the overview must be counted from scratch) and times the answer (the
# last counts, marked `updating`, while the count runs behind) and the time until the counts are current;
# `signing.py` times the overview right after each of a series of signatures (brought up to date from the
# new acknowledgment).
# Usage: bench/instructions/run.sh   (writes bench/instructions/last-run.md; paste it into bench/RESULTS.md)
# Env:   PEOPLE (50000) INSTRUCTIONS (20) ACKS (1000000) CONNECTIONS (16) THREADS (2) DURATION (20s)
#        COLD_SAMPLES (20) PG_URL (postgres://postgres@127.0.0.1:5432/postgres) ENGINES ("sqlite postgres")
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PEOPLE=${PEOPLE:-50000}
INSTRUCTIONS=${INSTRUCTIONS:-20}
ACKS=${ACKS:-1000000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20s}
COLD_SAMPLES=${COLD_SAMPLES:-20}
ENGINES=${ENGINES:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$ROOT/bench/instructions/last-run.md

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null); }
cargo build --release -p vakt
VAKT=$CARGO_TARGET_DIR/release/vakt
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

measure() {
  local url=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$WORK/wrk.txt"
  python3 "$ROOT/bench/directory/wrk_summary.py" "$WORK/wrk.txt"
}

{
  echo "### Run of $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: \`bench/instructions/run.sh\` — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; \`vakt demo --people $PEOPLE --instructions $INSTRUCTIONS --acks $ACKS\`; release build."
  echo
  echo "| engine | endpoint | requests/s | p50 ms | p99 ms | errors (non-2xx) |"
  echo "|---|---|---:|---:|---:|---:|"
} > "$OUT"
COLD=$WORK/cold.md
: > "$COLD"

port=18190
for engine in $ENGINES; do
  port=$((port + 1))
  data=$WORK/$engine
  mkdir -p "$data"
  unset VAKT_DATABASE_URL
  if [ "$engine" = postgres ]; then
    db=vakt_ibench_$$
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
    psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
    export VAKT_DATABASE_URL=${PG_URL%/*}/$db
  fi
  export VAKT_LOG=warn VAKT_COOKIE_SECURE=false VAKT_JOBS_ENABLED=false
  start=$(date +%s)
  "$VAKT" --data-dir "$data" demo --no-totp --people "$PEOPLE" --instructions "$INSTRUCTIONS" --acks "$ACKS" \
    --listen 127.0.0.1:$port > "$data/demo.txt" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 1800); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && grep -q "Demo accounts" "$data/demo.txt" && break
    sleep 1
  done
  echo "$engine: demo ready in $(( $(date +%s) - start )) s" >&2
  base=http://127.0.0.1:$port
  cuser=$(awk '$2 == "security_coordinator" {print $1; exit}' "$data/demo.txt")
  cpass=$(awk '$2 == "security_coordinator" {print $3; exit}' "$data/demo.txt")
  lpass=$(awk '$1 == "leader" {print $3; exit}' "$data/demo.txt")
  token=$("$VAKT" --data-dir "$data" user create-token "$cuser" --name bench | awk '/^Token:/{print $2}')
  ccookie=$(python3 "$ROOT/bench/directory/login.py" "$base" "$cuser" "$cpass")
  lcookie=$(python3 "$ROOT/bench/directory/login.py" "$base" leader "$lpass")
  unit=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/units" | python3 -c 'import json,sys; print(next(u["id"] for u in json.load(sys.stdin) if u["code"]=="SCH1"))')
  acks=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/reports/instructions" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["instructions"]), sum(i["completion"]["signed"] for i in r["instructions"]), sum(i["completion"]["total"] for i in r["instructions"]))')
  echo "$engine: instructions in force, current signatures, audience pairs: $acks" >&2
  row() { echo "| $engine | $1 | $2 |" | sed 's/ \([0-9.]*\) \([0-9.]*\) \([0-9.]*\) \([0-9]*\) |$/ \1 | \2 | \3 | \4 |/' >> "$OUT"; }
  row "/healthz (ceiling)" "$(measure "$base/healthz")"
  row "/reports/instructions (coordinator overview, HTML)" "$(measure "$base/reports/instructions" -H "Cookie: $ccookie")"
  row "/api/v1/reports/instructions (overview, JSON)" "$(measure "$base/api/v1/reports/instructions" -H "Authorization: Bearer $token")"
  row "/reports/instructions/units/SCH1 (leader's unit page, HTML)" "$(measure "$base/reports/instructions/units/$unit" -H "Cookie: $lcookie")"
  echo "| $engine | leader's unit page, each page of SCH1 the first time it is shown (not cached), one at a time | $(python3 "$ROOT/bench/instructions/pages.py" "$base" "$lcookie" "$unit") |" >> "$COLD"
  echo "| $engine | overview after a write that changes more than acknowledgments (counted from scratch), $COLD_SAMPLES samples: answer; counts current after | $(python3 "$ROOT/bench/instructions/cold.py" "$base" "$token" "$COLD_SAMPLES") |" >> "$COLD"
  echo "| $engine | overview right after each signature (a demo account signs on the sign page; only acknowledgments changed) | $(python3 "$ROOT/bench/instructions/signing.py" "$base" "$token" "$data/demo.txt" "$COLD_SAMPLES") |" >> "$COLD"
  echo "| $engine | data | $acks (instructions in force, current signatures, audience pairs) |" >> "$COLD"
  kill "${PIDS[-1]}" 2>/dev/null || true
  wait "${PIDS[-1]}" 2>/dev/null || true
  if [ "$engine" = postgres ]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done
{
  echo
  echo "| engine | measurement | p50 ms / p99 (max) ms; pages: p50 / p99 / max |"
  echo "|---|---|---|"
  cat "$COLD"
} >> "$OUT"
cat "$OUT"
