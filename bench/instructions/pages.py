"""Measures a leader's unit page the first time each page is shown (nothing cached for it): every
page of the unit's people once, in order, one request at a time, signed in with the given cookie.
The per-instruction figures at the top come from the tenant overview, cached as usual. Prints
"pages, p50 / p99 / max" in milliseconds."""
import re
import sys
import time
import urllib.request

base, cookie, unit = sys.argv[1], sys.argv[2], sys.argv[3]
headers = {"Cookie": cookie}
times = []
page = 2  # page 1 was shown by the measurement before
while page < 1000:
    req = urllib.request.Request(f"{base}/reports/instructions/units/{unit}?page={page}", headers=headers)
    t = time.perf_counter()
    body = urllib.request.urlopen(req).read().decode()
    times.append((time.perf_counter() - t) * 1000)
    if not re.search(r'rel="next"', body):
        break
    page += 1
times.sort()
p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
print(f"{len(times)} pages, {times[len(times) // 2]:.1f} / {p99:.1f} / {times[-1]:.1f}")
