#!/usr/bin/env bash
# The logout-replay flow (victim logs in, attacker copies the cookie, victim logs out, attacker
# replays) three ways against one local Ticketbooth: `usher run`, a hand-written thirtyfour program
# (examples/raw_thirtyfour_flow.rs) and Python selenium (benches/python_flow.py). All three start
# /usr/bin/chromedriver and the headless shell usher picks, with usher's switches. Rounds are
# interleaved (the order rotates each round) so machine load falls on all of them alike. Each time is
# a whole process, start to exit (driver start, two browsers, the flow, quitting). The hand-written
# two also run as `raw800`/`python800`: "logged out?" then waits 800 ms for late rendering, as usher's
# oracle does, which isolates what the rest of usher costs; `usher0` is usher with the profile's
# `defaults: {oracle_grace: 0s}` (for server-rendered pages), which answers after one look too.
# With RENDER_DELAY (e.g. `1500ms`) Ticketbooth takes the late-render shape (`usher demo serve
# --render-delay`: the account arrives by script after the delay, ±25 %); the hand-written two then
# wait until the page shows either the account or the login form (`--wait-rendered`), usher runs with
# its default profile, and each round usher also runs against a second Ticketbooth with the same
# shape and the `no-logout-invalidation` flaw, where it must find the flaw (exit 1) every round.
#   bash benches/flow-compare.sh [ROUNDS] [PORT]
#   RENDER_DELAY=1500ms bash benches/flow-compare.sh [ROUNDS] [PORT]
# OLD_USHER=path/to/an/older/usher adds that binary as `usherold` to the rounds (both modes), for a
# before/after measured side by side; OLD_PROFILE=DIR gives it a profile directory of its own (the
# bench profile as that binary's commit had it, when the profile language has changed since).
set -euo pipefail
rounds=${1:-10}; port=${2:-18480}
source "$(dirname "$0")/common.sh"
trap bench_cleanup EXIT

bench_build
bench_python
bench_browser
if [ -n "${RENDER_DELAY:-}" ]; then
  bench_ticketbooth "$((port + 1))" --render-delay "$RENDER_DELAY" --flaws no-logout-invalidation
  FLAWED=$TARGET
  bench_ticketbooth "$port" --render-delay "$RENDER_DELAY"
else
  bench_ticketbooth "$port"
fi

run_usher() {
  # usher finds the headless shell itself and writes the same start script.
  "$USHER" run "$BENCH_ROOT/benches/data/replay-flow" --target "$TARGET" "${SECRETS[@]}" \
    --report-dir "$BENCH_WORK/reports"
}
# The same profile with `oracle_grace: 0s`.
nograce=$BENCH_WORK/replay-flow-nograce
mkdir -p "$nograce"
cp "$BENCH_ROOT"/benches/data/replay-flow/*.yaml "$nograce/"
sed -i 's/^  step_timeout: 10s$/  step_timeout: 10s\n  oracle_grace: 0s/' "$nograce/app.yaml"
grep -q 'oracle_grace: 0s' "$nograce/app.yaml"
run_usher0() {
  "$USHER" run "$nograce" --target "$TARGET" "${SECRETS[@]}" --report-dir "$BENCH_WORK/reports0"
}
run_raw() {
  "$BENCH_ROOT/target/release/examples/raw_thirtyfour_flow" --target "$TARGET" --browser "$BROWSER" "$@"
}
run_python() {
  "$PYTHON" "$BENCH_ROOT/benches/python_flow.py" --target "$TARGET" --browser "$BROWSER" "$@"
}
# The same two, where "not logged in" also waits 800 ms for late rendering as usher's oracle does.
run_raw800() { run_raw --see-grace-ms 800; }
run_python800() { run_python --see-grace-ms 800; }

# Against the flawed late-rendering Ticketbooth: usher must exit 1 (it found the flaw).
run_usherflaw() {
  "$USHER" run "$BENCH_ROOT/benches/data/replay-flow" --target "$FLAWED" "${SECRETS[@]}" \
    --report-dir "$BENCH_WORK/reports-flaw"
}
run_usherold() {
  "$OLD_USHER" run "${OLD_PROFILE:-$BENCH_ROOT/benches/data/replay-flow}" --target "$TARGET" \
    "${SECRETS[@]}" --report-dir "$BENCH_WORK/reports-old"
}
run_rawr() { run_raw --wait-rendered; }
run_pythonr() { run_python --wait-rendered; }

if [ -n "${RENDER_DELAY:-}" ]; then
  impls=(usher rawr pythonr usherflaw)
else
  impls=(usher usher0 raw raw800 python python800)
fi
if [ -n "${OLD_USHER:-}" ]; then impls+=(usherold); fi
csv=$BENCH_WORK/flow.csv
echo "round,impl,wall_s" > "$csv"
echo "load before: $(load_avg)"
for r in $(seq "$rounds"); do
  for k in "${!impls[@]}"; do
    impl=${impls[$(( (r + k) % ${#impls[@]} ))]}
    timed "run_$impl"
    want=0; [ "$impl" = usherflaw ] && want=1
    if [ "$RC" != "$want" ]; then
      echo "round $r: $impl exited $RC" >&2
      cat "$BENCH_WORK/last.out" "$BENCH_WORK/last.err" >&2
      exit 1
    fi
    echo "$r,$impl,$WALL" >> "$csv"
  done
  printf 'round %d: %s\n' "$r" "$(grep "^$r," "$csv" | cut -d, -f2,3 | tr '\n' ' ')"
done
echo "load after: $(load_avg)"
for impl in "${impls[@]}"; do
  printf '%-10s %s\n' "$impl" "$(grep ",$impl," "$csv" | cut -d, -f3 | stats)"
done
python3 - "$csv" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["impl"], {})[r["round"]] = float(r["wall_s"])
# Per round, usher against the raw program run beside it: the load of that round cancels out.
for mine in [i for i in ["usher", "usher0", "usherold"] if i in by]:
    for other in [i for i in by if not i.startswith("usher")]:
        ratios = sorted(by[mine][k] / by[other][k] for k in by[mine])
        print(f"{mine}/{other} per round: median {statistics.median(ratios):.3f} "
              f"(min {ratios[0]:.3f}, max {ratios[-1]:.3f})")
EOF
if [ -n "${KEEP_CSV:-}" ]; then cp "$csv" "$KEEP_CSV"; fi
