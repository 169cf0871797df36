"""Reads lines 'engine|endpoint|rps p50 p99 errors' (one per run) and prints a Markdown table row per
engine and endpoint, in first-seen order: median requests/s, median p50, median p99, the p99 range
over the runs, and the errors summed."""
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line:
        continue
    engine, endpoint, nums = line.split("|")
    rps, p50, p99, err = nums.split()
    rows.setdefault((engine, endpoint), []).append((float(rps), float(p50), float(p99), int(err)))

for (engine, endpoint), runs in rows.items():
    med = lambda i: statistics.median(r[i] for r in runs)
    p99s = [r[2] for r in runs]
    print(
        f"| {engine} | {endpoint} | {len(runs)} | {med(0):.0f} | {med(1):.2f} | {med(2):.2f} "
        f"| {min(p99s):.2f}–{max(p99s):.2f} | {sum(r[3] for r in runs)} |"
    )
