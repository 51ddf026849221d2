#!/usr/bin/env bash
# Runs a command and prints its wall time and the whole machine's busy CPU seconds meanwhile
# (browsers are grandchildren that `time` does not see). Run it on an otherwise idle machine.
#   bash benches/cpu.sh ./target/debug/usher demo
set -euo pipefail
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)
b0=$(busy); t0=$(date +%s.%N)
rc=0; "$@" || rc=$?
b1=$(busy); t1=$(date +%s.%N)
awk -v w="$(echo "$t1 - $t0" | bc)" -v c="$(( (b1 - b0) ))" -v hz="$hz" -v rc="$rc" \
  'BEGIN { printf "exit %d, wall %.1f s, machine CPU %.1f s\n", rc, w, c / hz }' >&2
exit "$rc"
