#!/usr/bin/env bash
# The README's second command: installs what is missing and runs the whole test suite (unit tests,
# golden diagnostics, the Ticketbooth flaw matrix, and real scenarios in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
exec cargo test --no-fail-fast "$@"
