#!/usr/bin/env bash
# Suite wall time with --jobs 1, 2 and 4 against one local Ticketbooth, beside the longest single flow
# and the sum of all flows (from results.json), with usher's own peak RSS (VmHWM of the usher process;
# browsers and chromedriver are other processes) and the load average around each run.
#   bash benches/suite-jobs.sh [PROFILE] [PORT] [-- extra `usher run` arguments]
# PROFILE defaults to scenarios/ticketbooth/app.yaml (one victim account: flows that share it run one
# after another, so more jobs cannot help much); give a profile with account pools to let them spread.
# By default the three timing scenarios are left out (they wait out real timeouts) and the
# predictability sample is 40 logins, as in docs/PERFORMANCE.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"
profile=${1:-$BENCH_ROOT/scenarios/ticketbooth/app.yaml}; port=${2:-18481}
shift $(( $# < 2 ? $# : 2 ))
[ "${1:-}" = -- ] && shift
extra=("$@")
if [ ${#extra[@]} = 0 ]; then
  extra=(--skip idle-timeout --skip absolute-timeout --skip checkout-step-timer --policy token_samples=40)
fi
trap bench_cleanup EXIT

bench_build
bench_ticketbooth "$port"

echo "profile: $profile"
echo "| --jobs | wall | flows | longest flow | sum of flows | usher peak RSS | load before → after | exit |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for jobs in 1 2 4; do
  before=$(load_avg)
  dir=$BENCH_WORK/jobs$jobs
  timed_rss "$USHER" run --suite builtin --profile "$profile" --target "$TARGET" "${SECRETS[@]}" \
    --jobs "$jobs" --report-dir "$dir" "${extra[@]}"
  summary=$(python3 - "$dir/results.json" <<'EOF'
import json, sys
flows = json.load(open(sys.argv[1]))["flows"]
d = [(f.get("duration") or 0.0, f["name"]) for f in flows]
longest = max(d)
print(f"{len(d)} | {longest[0]:.1f} s ({longest[1]}) | {sum(x for x, _ in d):.1f} s")
EOF
)
  printf '| %s | %.1f s | %s | %.1f MiB | %s → %s | %s |\n' "$jobs" "$WALL" "$summary" \
    "$(echo "$HWM / 1024" | bc -l)" "$before" "$(load_avg)" "$RC"
  if [ -n "${KEEP_RESULTS:-}" ]; then cp "$dir/results.json" "$KEEP_RESULTS.jobs$jobs.json"; fi
done
