"""Measures the overview as people sign: before each timed GET of the overview (JSON API), one demo account
signs one instruction it has not signed through the sign page (password re-entry, as a person does). Only
acknowledgments change, so the overview is brought up to date from the new signature instead of counted
again. Checks that each reading counts exactly one more current signature than the one before.
Usage: signing.py BASE TOKEN DEMO_TXT N. Prints "p50 / max" in milliseconds, and the number of samples."""
import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request

base, token, demo_txt, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def overview():
    req = urllib.request.Request(f"{base}/api/v1/reports/instructions", headers={"Authorization": f"Bearer {token}"})
    t = time.perf_counter()
    body = urllib.request.urlopen(req).read()
    ms = (time.perf_counter() - t) * 1000
    return ms, sum(i["completion"]["signed"] for i in json.loads(body)["instructions"])


accounts = []
for line in open(demo_txt, encoding="utf-8"):
    parts = line.split()
    if len(parts) >= 3 and line.startswith("  ") and not parts[0].startswith("http"):
        accounts.append((parts[0], parts[2]))


def session(user, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    form = {"username": user, "password": password, "csrf": csrf.group(1) if csrf else ""}
    opener.open(urllib.request.Request(f"{base}/login", data=urllib.parse.urlencode(form).encode(),
                                       headers={"Origin": base})).read()
    return opener


_, signed = overview()
times = []
for user, password in accounts:
    if len(times) >= n:
        break
    try:
        opener = session(user, password)
        me = opener.open(f"{base}/me").read().decode()
    except Exception:
        continue
    for inst in dict.fromkeys(re.findall(r'href="/instructions/([0-9a-f-]{36})/sign"', me)):
        if len(times) >= n:
            break
        form_page = opener.open(f"{base}/instructions/{inst}/sign").read().decode()
        fields = dict(re.findall(r'<input type="hidden" name="(csrf|sha256)" value="([^"]*)"', form_page))
        fields.update({"understood": "on", "password": password})
        opener.open(urllib.request.Request(f"{base}/instructions/{inst}/sign", data=urllib.parse.urlencode(fields).encode(),
                                           headers={"Origin": base})).read()
        ms, now_signed = overview()
        if now_signed != signed + 1:
            sys.exit(f"signing.py: the overview counts {now_signed} current signatures after one more than {signed}")
        signed = now_signed
        times.append(ms)
if not times:
    sys.exit("signing.py: no demo account had an instruction left to sign")
times.sort()
print(f"{times[len(times) // 2]:.1f} / {times[-1]:.1f} ({len(times)} signatures)")
