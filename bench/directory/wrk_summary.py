"""Reads wrk --latency output; prints 'requests_per_s p50_ms p99_ms non2xx'."""
import re
import sys

text = open(sys.argv[1]).read()


def ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return {"us": n / 1000, "ms": n, "s": n * 1000, "m": n * 60000}[unit]


def pct(p: str) -> float:
    m = re.search(rf"^\s*{p}%\s+(\S+)", text, re.M)
    return ms(m.group(1)) if m else float("nan")


rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*?timeout (\d+)", text)
bad = int(non2xx.group(1)) if non2xx else 0
bad += int(errors.group(1)) if errors else 0
print(f"{float(rps.group(1)) if rps else 0:.0f} {pct('50'):.2f} {pct('99'):.2f} {bad}")
