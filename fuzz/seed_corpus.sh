#!/bin/sh
# Rebuilds the seed corpus of the `load_scenario` fuzz target from the repository's own YAML:
# the Ticketbooth profile and scenarios, and the malformed cases under tests/data/bad/.
# One seed = a profile, the separator line `---8<---`, a scenario (see fuzz_targets/load_scenario.rs).
# Run from anywhere; it writes fuzz/corpus/load_scenario/seed-*.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/fuzz/corpus/load_scenario"
mkdir -p "$out"
rm -f "$out"/seed-*
sep='---8<---'

# seed NAME PROFILE [SCENARIO]
seed() {
    {
        cat "$2"
        if [ $# -ge 3 ]; then
            printf '\n%s\n' "$sep"
            cat "$3"
        fi
    } >"$out/seed-$1"
}

tb="$root/scenarios/ticketbooth"
seed tb-app "$tb/app.yaml"
for s in "$tb"/*.yaml; do
    n=$(basename "$s" .yaml)
    [ "$n" = app ] && continue
    seed "tb-$n" "$tb/app.yaml" "$s"
done

bad="$root/tests/data/bad"
for c in "$bad"/*; do
    n=$(basename "$c" .yaml)
    if [ -d "$c" ]; then
        app="$c/app.yaml"
        [ -f "$app" ] || app="$tb/app.yaml"
        found=0
        for s in "$c"/*.yaml; do
            [ "$(basename "$s")" = app.yaml ] && continue
            found=1
            seed "bad-$n-$(basename "$s" .yaml)" "$app" "$s"
        done
        [ "$found" = 1 ] || seed "bad-$n" "$app"
    elif grep -q '^app:' "$c"; then
        seed "bad-$n" "$c"
    else
        seed "bad-$n" "$tb/app.yaml" "$c"
    fi
done
echo "$(ls "$out"/seed-* | wc -l) seeds in $out"
