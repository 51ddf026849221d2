#!/usr/bin/env bash
# token-predictability on Ticketbooth, side by side in one run: 1 000 samples replayed over HTTP
# (a secure Ticketbooth), against browser sampling of 40 and 200 (a token read from localStorage on a
# token-in-storage Ticketbooth: it cannot be replayed, so the browsers sample, as all sampling did
# before). Prints wall time and machine CPU per run, and how each sampled.
#   USHER=./target/debug/usher bash benches/token-sampling.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap bench_cleanup EXIT
cd "$BENCH_ROOT"

bench_ticketbooth 18181
HTTP_TARGET=$TARGET
bench_ticketbooth 18182 --flaws token-in-storage
STORAGE_TARGET=$TARGET
STORAGE_PROFILE=$BENCH_WORK/storage/app.yaml
mkdir -p "$(dirname "$STORAGE_PROFILE")"
sed 's/^  cookie: \[__Host-tb_sid, __Secure-tb_sid, tb_sid\]$/  local_storage: tb_token/' \
  scenarios/ticketbooth/app.yaml > "$STORAGE_PROFILE"
grep -q 'local_storage: tb_token' "$STORAGE_PROFILE"

one() {
  local label=$1 profile=$2 target=$3 samples=$4
  rm -rf "$BENCH_WORK/report"
  echo "== $label (load $(load_avg))" >&2
  bash benches/cpu.sh "$USHER" run --suite builtin --profile "$profile" --only token-predictability \
    --target "$target" --report-dir "$BENCH_WORK/report" "${SECRETS[@]}" \
    --policy token_samples="$samples" > /dev/null
  python3 - "$BENCH_WORK/report/results.json" <<'PY' >&2
import json, sys
f = json.load(open(sys.argv[1]))["flows"][0]
c = next(c for c in f["checks"] if c["check"] == "entropy_at_least")
m = c["measured"]
t = {e["state"].split(" ")[0]: e["at"] for e in f["timeline"]}
took = t.get("sampled", 0) - t.get("sampling", 0)
http = f', sampling itself {took:.1f} s' if "sampled" in t else ''
print(f'   {f["verdict"]}: {m.get("samples")} tokens sampled by {m.get("sampling")}, flow {f["duration"]:.1f} s{http}')
PY
}

one "HTTP, 1000 samples" scenarios/ticketbooth/app.yaml "$HTTP_TARGET" 1000
one "browser, 40 samples" "$STORAGE_PROFILE" "$STORAGE_TARGET" 40
one "browser, 200 samples" "$STORAGE_PROFILE" "$STORAGE_TARGET" 200
