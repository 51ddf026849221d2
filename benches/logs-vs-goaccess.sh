#!/usr/bin/env bash
# usher logs against GoAccess on the same generated access log, side by side in one run (issue 18).
#
#   benches/logs-vs-goaccess.sh [SIZE] [SEED]      # defaults: 1GB 42
#
# Writes a seeded log with planted incidents (`usher logs generate`) into a temporary directory under
# /tmp (deleted at the end), warms the page cache, then times, each with /usr/bin/time -v:
#   - usher logs --format ticketbooth (parse on every core, sessions, every rule, JUnit + JSON + HTML reports)
#   - goaccess with the same format, to its JSON report (Debian's goaccess 1.7: apt-get install goaccess)
# and prints MB/s, peak RSS, the ratio, and whether every planted incident was found and nothing else.
# Release build. Figures go to docs/PERFORMANCE.md.
set -euo pipefail
SIZE=${1:-1GB}
SEED=${2:-42}
cd "$(dirname "$0")/.."
command -v goaccess >/dev/null || { echo "goaccess missing: apt-get install -y goaccess" >&2; exit 3; }
# USHER=path/to/usher to time a binary already built (a release build takes long on a shared machine).
BIN=${USHER:-}
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/usher; fi
DIR=$(mktemp -d /tmp/usher-logs-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
LOG=$DIR/access.log
$BIN logs generate --size "$SIZE" --seed "$SEED" "$LOG"
BYTES=$(stat -c %s "$LOG")
cat "$LOG" > /dev/null # page cache: both read from memory, neither pays for the disk
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" > "$DIR/$name.out" 2> "$DIR/$name.time" || true
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$DIR/$name.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/$name.time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/$name.time")
  echo "$name $wall $rss $cpu"
}

U=$(measure usher $BIN logs --format ticketbooth --report-dir "$DIR/usher" "$LOG")
G=$(measure goaccess goaccess "$LOG" --no-global-config \
  --log-format='%h %^ %e [%d:%t %^] "%r" %s %b "%R" "%u" "%^"' \
  --date-format=%d/%b/%Y --time-format=%T -o "$DIR/goaccess.json")

LOAD_START=$LOAD_START python3 - "$BYTES" "$U" "$G" "$DIR/usher/results.json" "$LOG.planted.json" "$DIR/goaccess.json" <<'PY'
import json, sys
size = int(sys.argv[1])
def row(s):
    name, wall, rss, cpu = s.split()
    return name, float(wall), int(rss), float(cpu)
u, g = row(sys.argv[2]), row(sys.argv[3])
res = json.load(open(sys.argv[4]))
planted = json.load(open(sys.argv[5]))["planted"]
ga = json.load(open(sys.argv[6]))
print(f"log: {size/1e6:.0f} MB, {res['input']['lines']} lines, {res['input']['sessions']} sessions")
for name, wall, rss, cpu in (u, g):
    print(f"{name:9} {wall:7.2f} s wall {size/1e6/wall:7.1f} MB/s | {cpu:7.2f} s CPU {size/1e6/cpu:7.1f} MB per CPU-second | peak RSS {rss/1024:7.1f} MB")
print(f"ratio usher/goaccess: {g[1]/u[1]:.1f}x faster (wall), {g[3]/u[3]:.1f}x less CPU")
import os
print(f"load average: {os.environ['LOAD_START']} at the start, {open('/proc/loadavg').read().split()[0]} at the end, on {os.cpu_count()} cores")
print(f"usher: peak sessions held {res['input']['peak_sessions']} (live at most {res['input']['peak_live']}, "
      f"{res['input']['bytes_per_session']} bytes each; the rest tombstones of {res['input']['bytes_per_tombstone']} bytes); "
      f"malformed lines {res['input']['malformed']}")
print(f"goaccess: {ga['general']['total_requests']} requests, {ga['general']['failed_requests']} failed")
ok = True
for r in res["rules"]:
    want = sorted(planted.get(r["id"], []))
    got = sorted((i.get("session") or i.get("account") or i["message"].split(" from ")[1].split(" ")[0]) for i in r["incidents"])
    good = got == want and r["count"] == len(want)
    ok &= good
    print(f"  {r['id']:20} {r['verdict']:7} found {r['count']} planted {len(want)} {'ok' if good else 'MISMATCH'}")
print("all planted incidents found, no false alarm" if ok else "MISMATCH between planted and found")
sys.exit(0 if ok else 1)
PY
