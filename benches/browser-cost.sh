#!/usr/bin/env bash
# What one browser session and one page load cost, full Chromium against its headless shell, through
# one chromedriver (raw WebDriver over curl, no usher in the loop).
#   bash benches/browser-cost.sh [SESSIONS] [LOADS_PER_SESSION] [URL]
set -euo pipefail
n=${1:-10}; loads=${2:-1}; url=${3:-data:text/html,<title>t</title><h1>hello</h1>}
port=19599
work=$(mktemp -d)
trap 'kill $driver 2>/dev/null || true; rm -rf "$work"' EXIT
chromedriver --port=$port >/dev/null 2>&1 & driver=$!
sleep 1
# The headless shell opens no page unless given one (see src/driver/launcher.rs).
printf '#!/bin/sh\nexec chromium-headless-shell "$@" about:blank\n' > "$work/shell"; chmod +x "$work/shell"
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)
for browser in chromium shell; do
  if [ "$browser" = chromium ]; then bin=$(command -v chromium); head='"--headless=new",'; else bin="$work/shell"; head=''; fi
  b0=$(busy); t0=$(date +%s.%N)
  for i in $(seq "$n"); do
    profile="$work/p$browser$i"
    caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"'"$bin"'","args":['"$head"'"--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run","--no-default-browser-check","--user-data-dir='"$profile"'"]}}}}'
    sid=$(curl -s -X POST "localhost:$port/session" -d "$caps" | sed -n 's/.*"sessionId":"\([0-9a-f]*\)".*/\1/p')
    for _ in $(seq "$loads"); do
      curl -s -X POST "localhost:$port/session/$sid/url" -d "{\"url\":\"$url\"}" >/dev/null
    done
    curl -s -X DELETE "localhost:$port/session/$sid" >/dev/null
  done
  b1=$(busy); t1=$(date +%s.%N)
  awk -v b="$browser" -v n="$n" -v l="$loads" -v w="$(echo "$t1 - $t0" | bc)" -v c="$((b1 - b0))" -v hz="$hz" \
    'BEGIN { printf "%-9s %d sessions x %d loads: wall %.1f s, machine CPU %.1f s (%.2f s per session)\n", b, n, l, w, c / hz, c / hz / n }'
done
