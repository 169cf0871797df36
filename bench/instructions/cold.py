"""Measures the overview with the cache always missed: before each timed GET, one write in the tenant
(creating a group through the API appends an audit event, which moves the chain head the cache is
keyed on). Prints "p50 / max" in milliseconds."""
import json
import sys
import time
import urllib.request

base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
headers = {"Authorization": f"Bearer {token}"}
times = []
for i in range(n):
    body = json.dumps({"name": f"bench-cold-{time.time_ns()}-{i}"}).encode()
    req = urllib.request.Request(f"{base}/api/v1/groups", data=body, method="POST",
                                 headers={**headers, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/reports/instructions", headers=headers)).read()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.1f} / {times[-1]:.1f}")
