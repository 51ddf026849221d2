"""The logout-replay flow in Python selenium: the reference peer of benches/flow-compare.sh.

Same steps as examples/raw_thirtyfour_flow.rs, same chromedriver (/usr/bin/chromedriver through
Service, so Selenium Manager never runs), same browser binary and switches as usher.

  TB_ALICE_PASSWORD=... TB_MALLORY_PASSWORD=... python benches/python_flow.py \
      --target http://tickets.ticketbooth.localhost:8080 --browser /path/to/headless-shell-wrapper \
      [--see-grace-ms 800 | --wait-rendered]

`--wait-rendered` is the version for pages that render late (`usher demo serve --render-delay`):
"logged in?" waits until either the account's e-mail or the login form is on the page.

Prints one JSON line (timings only, never a cookie or password); exits 1 when the app does not
behave as a secure one should, 3 on an infrastructure error.
"""

import argparse
import json
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

# The switches usher gives the headless shell (src/driver/capabilities.rs), less --user-data-dir.
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost , EXCLUDE *.localhost",
    # SHELL_PROCESS_ARGS: the bench always runs the headless shell.
    "--no-zygote",
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
]
TOKEN_COOKIES = {"__Host-tb_sid", "__Secure-tb_sid", "tb_sid"}
WAIT_LIMIT = 10.0


class Failed(Exception):
    pass


def session(service, browser, profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for a in CHROME_ARGS:
        opts.add_argument(a)
    opts.add_argument(f"--user-data-dir={profile}")
    # webdriver.Chrome(service=...) would start (and on quit stop) a chromedriver per browser; Remote
    # on the running service shares one, as usher and the raw program do.
    return webdriver.Remote(command_executor=service.service_url, options=opts)


def present(d, css):
    return len(d.find_elements(By.CSS_SELECTOR, css)) > 0


def wait_for(d, css):
    start = time.monotonic()
    while not present(d, css):
        if time.monotonic() - start > WAIT_LIMIT:
            raise RuntimeError(f"`{css}` did not appear")
        time.sleep(0.05)


def logged_in(d, base, grace, rendered=False):
    """Polls every 100 ms within the grace; with `rendered`, until the page shows either answer."""
    d.get(f"{base}/account")
    if rendered:
        start = time.monotonic()
        while True:
            if present(d, "#account-email"):
                return True
            if present(d, "#login-submit"):
                return False
            if time.monotonic() - start > WAIT_LIMIT:
                raise RuntimeError("neither the account nor the login form appeared")
            time.sleep(0.05)
    deadline = time.monotonic() + grace
    while True:
        if present(d, "#account-email"):
            return True
        if time.monotonic() + 0.1 > deadline:
            return False
        time.sleep(0.1)


def login(d, base, email, password):
    d.get(f"{base}/login")
    for css, text in (("#email", email), ("#password", password)):
        field = d.find_element(By.CSS_SELECTOR, css)
        field.clear()
        field.send_keys(text)
    d.find_element(By.CSS_SELECTOR, "#login-submit").click()
    wait_for(d, "#account-email")


def flow(args, timings, work):
    base = args.target.rstrip("/")
    grace = args.see_grace_ms / 1000
    failures = []

    def expect(what, got, want):
        if got != want:
            print(f"FAIL: {what}", file=sys.stderr)
            failures.append(what)

    t = time.monotonic()
    # One chromedriver for both browsers, as usher and the raw program have.
    service = Service(executable_path=args.driver, env={**os.environ, "TMPDIR": work})
    service.start()
    timings["driver_start_s"] = time.monotonic() - t
    sessions = []
    try:
        t = time.monotonic()
        victim = session(service, args.browser, os.path.join(work, "victim"))
        sessions.append(victim)
        timings["victim_session_s"] = time.monotonic() - t
        login(victim, base, "alice@ticketbooth.test", os.environ["TB_ALICE_PASSWORD"])
        expect("victim not logged in", logged_in(victim, base, grace, args.wait_rendered), True)

        stolen = [c for c in victim.get_cookies() if c["name"] in TOKEN_COOKIES]
        if not stolen:
            raise RuntimeError("the victim holds no session cookie")
        t = time.monotonic()
        attacker = session(service, args.browser, os.path.join(work, "attacker"))
        sessions.append(attacker)
        timings["attacker_session_s"] = time.monotonic() - t
        attacker.get(f"{base}/")
        for c in stolen:
            # Browsers report a host-only cookie's host as its domain; sending it back would widen it.
            c = {k: v for k, v in c.items() if k != "expiry"}
            if not c.get("domain", "").startswith("."):
                c.pop("domain", None)
            attacker.add_cookie(c)
        expect(
            "the stolen cookie does not act as the victim", logged_in(attacker, base, grace, args.wait_rendered), True
        )

        victim.get(f"{base}/")
        victim.find_element(By.CSS_SELECTOR, "#logout").click()
        wait_for(victim, "#login-link")
        expect("victim still logged in after logout", logged_in(victim, base, grace, args.wait_rendered), False)
        expect(
            "the stolen cookie still acts as the victim after logout",
            logged_in(attacker, base, grace, args.wait_rendered),
            False,
        )
        t = time.monotonic()
        while sessions:
            sessions.pop().quit()
        timings["quit_s"] = time.monotonic() - t
    finally:
        for s in sessions:
            try:
                s.quit()
            except Exception:  # noqa: BLE001 - best effort on the error path
                pass
        service.stop()
    return not failures


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True)
    p.add_argument("--browser", required=True)
    p.add_argument("--driver", default="/usr/bin/chromedriver")
    p.add_argument("--see-grace-ms", type=int, default=0)
    p.add_argument("--wait-rendered", action="store_true")
    args = p.parse_args()
    start = time.monotonic()
    timings = {}
    with tempfile.TemporaryDirectory(prefix="py-flow-") as work:
        try:
            code = 0 if flow(args, timings, work) else 1
        except Exception as e:  # noqa: BLE001 - any harness failure is exit 3, never a pass
            print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
            code = 3
    line = {"impl": "python-selenium", "wall_s": time.monotonic() - start, **timings, "exit": code}
    print(json.dumps(line))
    sys.exit(code)


if __name__ == "__main__":
    main()
