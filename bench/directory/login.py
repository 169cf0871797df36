"""Signs in with a password (demo accounts have no TOTP) and prints the session cookie header value."""
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base, user, password = sys.argv[1:4]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(f"{base}/login").read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page)
form = {"username": user, "password": password}
if csrf:
    form["csrf"] = csrf.group(1)
req = urllib.request.Request(
    f"{base}/login",
    data=urllib.parse.urlencode(form).encode(),
    headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"},
)
opener.open(req).read()
print("; ".join(f"{c.name}={c.value}" for c in jar))
