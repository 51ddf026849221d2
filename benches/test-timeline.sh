#!/usr/bin/env bash
# When each integration test ran and how busy the machine was meanwhile: the test binary's libtest
# JSON events, each stamped with the time it arrived, beside /proc/stat read every 2 s. Prints, per
# minute, the share of the 2 cores that was busy and the tests (of more than 8 s) that were running,
# then each long test's start, end and length. Run it on an otherwise idle machine, after
# `cargo test --no-run` (it runs the newest target/debug/deps/it-* as ci/test.sh's cargo test would,
# with CI's USHER_REQUIRE_* switches); extra arguments go to the test binary (a filter, say).
#   bash benches/test-timeline.sh [FILTER...]
set -euo pipefail
cd "$(dirname "$0")/.."
export USHER_REQUIRE_GRID=1 USHER_REQUIRE_APPIUM=1 USHER_REQUIRE_FIREFOX=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
bin=$(ls -t target/debug/deps/it-* | grep -v '\.d$' | head -1)
work=$(mktemp -d)
done_file=$work/done
(while [ ! -e "$done_file" ]; do
  echo "$(date +%s.%N) $(head -1 /proc/stat)" >>"$work/stat"
  sleep 2
done) &
rc=0
# `--format json` and `--report-time` are unstable libtest options: RUSTC_BOOTSTRAP on the test
# binary only (on cargo it would change every proc-macro crate's fingerprint).
RUSTC_BOOTSTRAP=1 "$bin" --test-threads "${THREADS:-2}" -Z unstable-options --format json \
  --report-time "$@" 2>"$work/stderr" |
  while IFS= read -r line; do echo "$(date +%s.%N) $line"; done >"$work/events" || rc=$?
touch "$done_file"
wait
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
started, ended, t0 = {}, {}, None
for line in open(f"{work}/events"):
    ts, text = line.split(" ", 1)
    ts = float(ts)
    t0 = t0 if t0 is not None else ts
    try:
        e = json.loads(text)
    except ValueError:
        continue
    if e.get("type") != "test":
        continue
    if e["event"] == "started":
        started[e["name"]] = ts - t0
    elif e["event"] in ("ok", "failed", "ignored"):
        ended[e["name"]] = (ts - t0, e["event"])
stat = []
for line in open(f"{work}/stat"):
    p = line.split()
    v = list(map(int, p[2:]))
    stat.append((float(p[0]) - t0, sum(v), v[3] + v[4]))
end = max(t for t, _ in ended.values())
def busy(points):
    a, b = points[0], points[-1]
    return 1 - (b[2] - a[2]) / max(1, b[1] - a[1])
failed = sorted(n for n, (_, ev) in ended.items() if ev == "failed")
passed = sum(1 for _, ev in ended.values() if ev == "ok")
print(f"wall {end:.0f} s, machine busy {100 * busy(stat):.0f} % of the cores; {passed} passed, {len(failed)} failed {failed}")
for w in range(0, int(end) + 1, 60):
    pts = [s for s in stat if w <= s[0] <= w + 60]
    if len(pts) < 2:
        continue
    running = sorted({n for n, s in started.items()
                      if s < w + 60 and ended.get(n, (1e9,))[0] > w
                      and ended.get(n, (1e9,))[0] - s > 8})
    print(f"{w:5d} s  busy {100 * busy(pts):3.0f} %  {', '.join(running)}")
print("\nstart    end  length  test (over 15 s)")
for n, s in sorted(started.items(), key=lambda kv: kv[1]):
    e, how = ended.get(n, (end, "running"))
    if e - s > 15:
        print(f"{s:5.0f} {e:6.0f} {e - s:7.0f}  {n}{'' if how == 'ok' else ' ' + how}")
PY
rm -rf "$work"
exit "$rc"
