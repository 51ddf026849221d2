#!/usr/bin/env bash
# Peak resident memory of the process that drives the flow of benches/flow-compare.sh (usher, the raw
# thirtyfour program, Python selenium): VmHWM of that process alone, so chromedriver and the browsers
# are not counted. RUNS runs each; the largest peak is reported.
#   bash benches/flow-rss.sh [RUNS] [PORT]
set -euo pipefail
runs=${1:-3}; port=${2:-18482}
source "$(dirname "$0")/common.sh"
trap bench_cleanup EXIT

bench_build
bench_python
bench_browser
bench_ticketbooth "$port"

echo "| process | peak RSS (largest of $runs) | wall of that run |"
echo "| --- | --- | --- |"
for impl in usher raw python; do
  case $impl in
    usher) cmd=("$USHER" run "$BENCH_ROOT/benches/data/replay-flow" --target "$TARGET" "${SECRETS[@]}"
                --report-dir "$BENCH_WORK/reports") ;;
    raw) cmd=("$BENCH_ROOT/target/release/examples/raw_thirtyfour_flow" --target "$TARGET" --browser "$BROWSER") ;;
    python) cmd=("$PYTHON" "$BENCH_ROOT/benches/python_flow.py" --target "$TARGET" --browser "$BROWSER") ;;
  esac
  best=0; wall=0
  for _ in $(seq "$runs"); do
    timed_rss "${cmd[@]}"
    if [ "$RC" != 0 ]; then echo "$impl exited $RC" >&2; cat "$BENCH_WORK/last.err" >&2; exit 1; fi
    if [ "$HWM" -gt "$best" ]; then best=$HWM; wall=$WALL; fi
  done
  printf '| %s | %.1f MiB | %.1f s |\n' "$impl" "$(echo "$best / 1024" | bc -l)" "$wall"
done
echo "load: $(load_avg)"
