"""Measures the overview with the cache always missed: before each timed GET, one write that changes what
standings are made of (adding a person to a group through the API moves the tenant's standings sequence,
which the cache is keyed on; writes that do not, such as a sign-in, leave the cache alone).
Prints "p50 / max" in milliseconds."""
import json
import sys
import time
import urllib.request

base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
headers = {"Authorization": f"Bearer {token}"}


def call(path, body=None, method="GET"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                 headers={**headers, "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read() or b"null")


people = call("/api/v1/people")
if isinstance(people, dict):
    people = people.get("people") or people.get("items") or []
numbers = [p["employee_number"] for p in people if p.get("employee_number")][:n]
if len(numbers) < n:
    sys.exit(f"cold.py: only {len(numbers)} people with employee numbers")
group = call("/api/v1/groups", {"name": f"bench-cold-{time.time_ns()}"}, "POST")
times = []
for i in range(n):
    call(f"/api/v1/groups/{group['id']}/members", {"employee_number": numbers[i]}, "POST")
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/reports/instructions", headers=headers)).read()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.1f} / {times[-1]:.1f}")
