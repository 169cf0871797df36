#!/usr/bin/env bash
# Scanner benchmark (issue 3): in one run, on the same files,
#  (a) 1 GiB of plain text with sparse synthetic numbers: `vakt scan` against ripgrep,
#  (b) the mixed corpus of crates/vakt-corpus: files/s and MB/s,
#  (c) Presidio (presidio-analyzer from PyPI, pattern recognizers; once with a stub NLP engine, once with
#      spaCy's blank pipeline) on a sample: speed, precision, recall,
#  (d) a second `--cache` run of an unchanged tree against the first.
# Usage: bench/scan/run.sh            (RUNS=5 WORK=/tmp/vakt-bench MIXED_FILES=10000 PLAIN_FILES=64)
# Writes bench/scan/last-run.md. The generated files stay in $WORK (never in git).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-/tmp/vakt-bench}
VENV=${VENV:-/tmp/vakt-presidio}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

# Setup (idempotent): ripgrep, Presidio and spaCy in a virtualenv, release build.
if ! command -v rg >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y ripgrep >/dev/null; else sudo apt-get install -y ripgrep >/dev/null; fi
fi
# Pinned: the versions of the recorded runs. spaCy (a dependency of presidio-analyzer anyway) gives the
# blank pipeline of the second Presidio configuration, spacy-lookups-data its lemma table (presidio_bench.py).
PRESIDIO_PKGS="presidio-analyzer==2.2.366 spacy==3.8.18 spacy-lookups-data==1.0.5"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import presidio_analyzer, spacy, spacy_lookups_data; assert spacy.__version__ == "3.8.18"' 2>/dev/null; then
    "$VENV/bin/pip" install -q $PRESIDIO_PKGS
fi
cargo build --release -q -p vakt -p vakt-corpus
BIN=$CARGO_TARGET_DIR/release

mkdir -p "$WORK"
if [ ! -f "$WORK/plain.done" ]; then
    rm -rf "$WORK/plain"
    "$BIN/vakt-corpus" --out "$WORK/plain" --plain-files "${PLAIN_FILES:-64}" --plain-mib 16 --seed 3
    touch "$WORK/plain.done"
fi
if [ ! -f "$WORK/mixed.done" ]; then
    rm -rf "$WORK/mixed"
    "$BIN/vakt-corpus" --out "$WORK/mixed" --files "${MIXED_FILES:-10000}" --seed 7
    touch "$WORK/mixed.done"
fi

exec python3 bench/scan/bench.py --vakt "$BIN/vakt" --work "$WORK" --python "$VENV/bin/python" \
    --runs "${RUNS:-5}" --out bench/scan/last-run.md
