#!/usr/bin/env bash
# usher logs on a log larger than it should hold, straight from the generator through a pipe (issue 18):
#
#   benches/logs-stream.sh [SIZE] [SEED]      # defaults: 10G 42
#
# `usher logs generate --size SIZE - | usher logs -` (nothing written to disk but the reports), with
# /usr/bin/time -v on the reading side: peak RSS, CPU, wall; then checks that every planted incident
# was found and nothing else. Release build. Figures go to docs/PERFORMANCE.md.
set -euo pipefail
SIZE=${1:-10G}
SEED=${2:-42}
cd "$(dirname "$0")/.."
# USHER=path/to/usher to time a binary already built (a release build takes long on a shared machine).
BIN=${USHER:-}
if [ -z "$BIN" ]; then cargo build --release --quiet; BIN=target/release/usher; fi
DIR=$(mktemp -d /tmp/usher-logs-stream.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
$BIN logs generate --size "$SIZE" --seed "$SEED" --planted "$DIR/planted.json" - \
  | /usr/bin/time -v $BIN logs --format ticketbooth --report-dir "$DIR/r" - > "$DIR/out" 2> "$DIR/time" || true
tail -n 3 "$DIR/out"
LOAD_START=$LOAD_START python3 - "$DIR/time" "$DIR/r/results.json" "$DIR/planted.json" <<'PY'
import json, os, sys
t = dict(l.strip().split(": ", 1) for l in open(sys.argv[1]) if ": " in l)
res = json.load(open(sys.argv[2])); planted = json.load(open(sys.argv[3]))["planted"]
inp = res["input"]
cpu = float(t["User time (seconds)"]) + float(t["System time (seconds)"])
w = t["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
mb = inp["bytes"] / 1e6
print(f"read {mb:.0f} MB, {inp['lines']} lines, {inp['sessions']} sessions from stdin")
print(f"usher logs: {wall:.1f} s wall (the generator feeding the pipe sets the pace), {cpu:.1f} s CPU = {mb/cpu:.0f} MB per CPU-second")
print(f"peak RSS {int(t['Maximum resident set size (kbytes)'])/1024:.0f} MB; peak sessions held {inp['peak_sessions']} (live at most {inp['peak_live']}, {inp['bytes_per_session']} bytes each, tombstones {inp['bytes_per_tombstone']})")
print(f"load average: {os.environ['LOAD_START']} at the start, {open('/proc/loadavg').read().split()[0]} at the end, on {os.cpu_count()} cores")
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
