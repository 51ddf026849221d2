#!/usr/bin/env bash
# `usher analyze` on 20 000 tokens (release build): whole-process wall time (start, reading the file,
# the analysis, printing), median and best of RUNS, and the peak RSS. The token files are
# generated from a fixed seed, so every run analyses the same bytes. Peak RSS from GNU time.
#   bash benches/analyze.sh [RUNS] [TOKENS]
set -euo pipefail
runs=${1:-7}; count=${2:-20000}
source "$(dirname "$0")/common.sh"
trap bench_cleanup EXIT
(cd "$BENCH_ROOT" && cargo build --release --quiet --bin usher)

python3 - "$BENCH_WORK" "$count" <<'EOF'
import random, string, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20000)
alnum = string.ascii_letters + string.digits
sets = {
    "hex64": lambda: f"{rng.getrandbits(256):064x}",
    "hex32": lambda: f"{rng.getrandbits(128):032x}",
    "alnum32": lambda: "".join(rng.choice(alnum) for _ in range(32)),
}
for name, make in sets.items():
    with open(f"{work}/{name}.txt", "w") as f:
        f.write("\n".join(make() for _ in range(n)) + "\n")
EOF

echo "load before: $(load_avg); $(nproc) cores"
echo "| tokens | what | median | best | usher peak RSS |"
echo "| --- | --- | --- | --- | --- |"
for case in "hex64" "hex64 --no-hash-search" "hex32" "hex32 --no-hash-search" "alnum32"; do
  read -r name flag <<< "$case"
  walls=()
  for _ in $(seq "$runs"); do
    timed "$USHER" analyze "$BENCH_WORK/$name.txt" ${flag:+"$flag"}
    # 0: PASS; anything else means the random sample was judged predictable or the run broke.
    if [ "$RC" != 0 ]; then echo "usher analyze $name $flag exited $RC" >&2; cat "$BENCH_WORK/last.out" >&2; exit 1; fi
    walls+=("$WALL")
  done
  read -r _ med _ best _ <<< "$(printf '%s\n' "${walls[@]}" | stats)"
  # No child processes here, so GNU time's maximum RSS is usher's own.
  rss=$(/usr/bin/time -f %M "$USHER" analyze "$BENCH_WORK/$name.txt" ${flag:+"$flag"} 2>&1 >/dev/null | tail -1)
  what=$(sed -n 's/^Hash of counter: no \([^ ]*\) .* among \([0-9]*\) candidates.*/\1 search over \2 candidates/p' "$BENCH_WORK/last.out")
  printf '| %d %s | %s | %.0f ms | %.0f ms | %.1f MiB |\n' "$count" "$name" "${flag:-${what:-no hash search applies}}" \
    "$(echo "$med * 1000" | bc -l)" "$(echo "$best * 1000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done
echo "load after: $(load_avg)"
