#!/usr/bin/env bash
# The README's first command: installs what is missing, builds usher, and runs the bundled scenarios
# against a secure and an all-flaws Ticketbooth in headless Chromium; reports go to reports/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
echo "usher: building (the first build takes a few minutes)"
cargo build --quiet
exec ./target/debug/usher demo "$@"
