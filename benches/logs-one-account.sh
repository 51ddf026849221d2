#!/usr/bin/env bash
# usher logs on an access log where one account logs in thousands of times within one idle timeout,
# each session used and logged out before the next (what a token sampler, a monitor or a load test
# leaves), against GoAccess on the same file, side by side in one run. The concurrent-sessions rule
# once counted every session alive at every moment on every line of such an account (221 s of CPU for
# the 6 MB log of one `usher demo` secure column, debug build); it now counts only the moments a line
# changed.
#
#   benches/logs-one-account.sh [SESSIONS]       # default 4000
#   OLD_USHER=path/to/usher benches/logs-one-account.sh   # also time another build of usher
#
# Release build unless USHER names a binary. Debian's goaccess (apt-get install goaccess).
set -euo pipefail
SESSIONS=${1:-4000}
cd "$(dirname "$0")/.."
command -v goaccess >/dev/null || { echo "goaccess missing: apt-get install -y goaccess" >&2; exit 3; }
BIN=${USHER:-}
if [ -z "$BIN" ]; then cargo build --release --quiet --bin usher; BIN=target/release/usher; fi
DIR=$(mktemp -d /tmp/usher-logs-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
LOG=$DIR/access.log
# Ticketbooth's format: ten logins a second, each session fetching the account page and logging out.
python3 - "$SESSIONS" >"$LOG" <<'PY'
import sys, time
ua = "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0 Safari/537.36"
t0 = 1_765_000_000
for s in range(int(sys.argv[1])):
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t0 + s // 10))
    sid = f"{s:064x}"
    print(f'127.0.0.1 - - [{stamp}] "POST /login HTTP/1.1" 303 0 "-" "{ua}" "-"')
    for path in ("GET /account", "POST /logout"):
        print(f'127.0.0.1 - alice@ticketbooth.test [{stamp}] "{path} HTTP/1.1" 200 900 "-" "{ua}" "{sid}"')
PY
BYTES=$(stat -c %s "$LOG")
cat "$LOG" >/dev/null

measure() { # name, command...: wall and CPU seconds
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$DIR/$name.time" "$@" >/dev/null 2>&1 || true
  awk -v n="$name" '{ printf "%s %.2f %.2f\n", n, $1, $2 + $3 }' "$DIR/$name.time"
}

rows=("$(measure usher "$BIN" logs --format ticketbooth --policy idle_timeout=1800s --report-dir "$DIR/usher" "$LOG")")
if [ -n "${OLD_USHER:-}" ]; then
  rows+=("$(measure old-usher "$OLD_USHER" logs --format ticketbooth --policy idle_timeout=1800s --report-dir "$DIR/old" "$LOG")")
fi
rows+=("$(measure goaccess goaccess "$LOG" --no-global-config \
  --log-format='%h %^ %e [%d:%t %^] "%r" %s %b "%R" "%u" "%^"' \
  --date-format=%d/%b/%Y --time-format=%T -o "$DIR/goaccess.json")")
echo "log: $SESSIONS sessions of one account, $(wc -l <"$LOG") lines, $((BYTES / 1000)) kB"
goaccess_cpu=$(printf '%s\n' "${rows[@]}" | awk '$1 == "goaccess" { print $3 }')
for row in "${rows[@]}"; do
  echo "$row" | awk -v g="$goaccess_cpu" '{ printf "%-9s %8.2f s wall %8.2f s CPU  (%.2f x GoAccess CPU)\n", $1, $2, $3, $3 / (g > 0 ? g : 0.01) }'
done
python3 - "$DIR/usher/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rule = next(x for x in r["rules"] if x["id"] == "concurrent-sessions")
print(f"usher: concurrent-sessions {rule['verdict']} ({rule['count']} incidents); {r['input']['lines']} lines read")
PY
