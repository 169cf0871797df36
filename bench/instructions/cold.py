"""Measures the overview when it must be counted from scratch: before each sample, one write that changes
what standings are made of (adding a person to a group through the API moves the tenant's standings
sequence and its shape; writes that do not, such as a sign-in, leave the cache alone). Each sample times
(1) the answer of the API (a large tenant gets its last counts at once, marked `updating`, while a count
runs in the background), and (2) how long until the answer holds the new counts (`updating` false and the
group's new member counted), polling every 20 ms.
Prints "answer p50 / max; counts current after p50 / max" in milliseconds."""
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
answers, current = [], []
for i in range(n):
    before = call("/api/v1/reports/instructions")["computed_at"]
    call(f"/api/v1/groups/{group['id']}/members", {"employee_number": numbers[i]}, "POST")
    t = time.perf_counter()
    r = call("/api/v1/reports/instructions")
    answers.append((time.perf_counter() - t) * 1000)
    # Counted after the write: not updating, and counted at a later moment than before it.
    while r.get("updating") or r["computed_at"] == before:
        if time.perf_counter() - t > 120:
            sys.exit("cold.py: the counts never became current")
        time.sleep(0.02)
        r = call("/api/v1/reports/instructions")
    current.append((time.perf_counter() - t) * 1000)
answers.sort()
current.sort()
print(f"{answers[len(answers) // 2]:.1f} / {answers[-1]:.1f}; counts current after "
      f"{current[len(current) // 2]:.1f} / {current[-1]:.1f}")
