# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run): a Ticketbooth to aim at, the headless-shell
# start script usher uses, the Python selenium peer, and one timed run with its peak memory.
# Everything started here is stopped by `bench_cleanup` (the callers trap EXIT).

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_WORK=$(mktemp -d /tmp/usher-bench.XXXXXX)
BENCH_PIDS=()
USHER=${USHER:-$BENCH_ROOT/target/release/usher}
# selenium 4.52 needs a certifi newer than some package mirrors hold; 4.51 has what this bench uses.
SELENIUM_VERSION=${SELENIUM_VERSION:-4.51.0}
BENCH_VENV=${BENCH_VENV:-$HOME/.cache/usher-bench-venv}
# Ticketbooth's public demo accounts, pooled ones included (scenarios/ticketbooth-pool/app.yaml).
SECRETS=()
for who in alice bob dave erin mallory trudy oscar eve; do
  var=TB_${who^^}_PASSWORD
  export "$var=$who-demo-password"
  SECRETS+=(--secret "$var")
done

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$BENCH_WORK"
}

bench_build() {
  (cd "$BENCH_ROOT" && cargo build --release --quiet --bin usher --example raw_thirtyfour_flow)
}

# The Python peer: its own virtualenv, selenium pinned, never Selenium Manager (see python_flow.py).
bench_python() {
  if ! "$BENCH_VENV/bin/python" -c "import selenium" 2>/dev/null; then
    python3 -m venv "$BENCH_VENV"
    "$BENCH_VENV/bin/pip" install --quiet "selenium==$SELENIUM_VERSION"
  fi
  PYTHON=$BENCH_VENV/bin/python
}

# The browser usher picks for headless runs, behind the same two-line start script
# (src/driver/launcher.rs: the headless shell opens no page unless given one).
bench_browser() {
  local shell
  shell=$(command -v chromium-headless-shell) || { echo "chromium-headless-shell is not installed" >&2; return 1; }
  BROWSER=$BENCH_WORK/chromium-start
  printf '#!/bin/sh\nexec %s "$@" about:blank\n' "$shell" > "$BROWSER"
  chmod +x "$BROWSER"
}

# Starts a secure Ticketbooth on $1 (extra arguments go to `usher demo serve`) and sets TARGET.
bench_ticketbooth() {
  local port=$1; shift
  "$USHER" demo serve --port "$port" "$@" > "$BENCH_WORK/ticketbooth-$port.log" 2>&1 &
  BENCH_PIDS+=($!)
  TARGET=http://tickets.ticketbooth.localhost:$port
  local i
  for i in $(seq 100); do
    curl -sf -o /dev/null "$TARGET/login" && return 0
    sleep 0.1
  done
  echo "Ticketbooth did not start on port $port" >&2
  return 1
}

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

# Runs a command; sets WALL (s) and RC. Output goes to $BENCH_WORK/last.{out,err}.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  RC=0; "$@" > "$BENCH_WORK/last.out" 2> "$BENCH_WORK/last.err" || RC=$?
  t1=$(date +%s.%N)
  WALL=$(echo "$t1 - $t0" | bc)
}

# `timed`, and also HWM: the peak resident memory (KiB) of that process alone, from its
# /proc/PID/status VmHWM sampled until it exits (chromedriver and the browsers are other processes;
# `/usr/bin/time` would fold in whichever child it waited for).
timed_rss() {
  local t0 t1 pid k v _
  HWM=0
  t0=$(date +%s.%N)
  "$@" > "$BENCH_WORK/last.out" 2> "$BENCH_WORK/last.err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    while read -r k v _; do [ "$k" = VmHWM: ] && HWM=$v; done < "/proc/$pid/status" 2>/dev/null || true
    sleep 0.05
  done
  RC=0; wait "$pid" || RC=$?
  t1=$(date +%s.%N)
  WALL=$(echo "$t1 - $t0" | bc)
}

# Median, spread and count of the numbers on stdin (one a line).
stats() {
  python3 -c '
import statistics, sys
v = sorted(float(x) for x in sys.stdin if x.strip())
if not v: sys.exit("no samples")
q = statistics.quantiles(v, n=4) if len(v) > 1 else [v[0]] * 3
print(f"median {statistics.median(v):.3f} min {v[0]:.3f} max {v[-1]:.3f} q1 {q[0]:.3f} q3 {q[2]:.3f} n {len(v)}")'
}
