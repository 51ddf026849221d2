#!/usr/bin/env bash
# Installs what `usher run --browser firefox` (and tests/it/firefox.rs) needs, and only what is missing:
# Firefox ESR (Debian package) and geckodriver, built from crates.io with `cargo install` (Debian 12
# does not package it, and usher never downloads a driver at run time). geckodriver lands in
# $CARGO_HOME/bin (~/.cargo/bin), which must be on PATH. It is built without optimisation: it only
# relays WebDriver commands, and the debug build takes about a third of the release build's time.
set -euo pipefail

geckodriver_version="${USHER_GECKODRIVER_VERSION:-0.37.1}"

if ! command -v firefox-esr >/dev/null 2>&1 && ! command -v firefox >/dev/null 2>&1; then
  echo "usher: installing firefox-esr (Debian package)" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends firefox-esr >/dev/null
fi

installed="$(geckodriver --version 2>/dev/null | sed -n 1p | awk '{print $2}' || true)"
if [ "$installed" != "$geckodriver_version" ]; then
  echo "usher: building geckodriver $geckodriver_version (cargo install, about 1-3 min)" >&2
  # Not through the clippy-driver wrapper .ci/run exports: that would lint geckodriver as a workspace.
  env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
    cargo install --quiet --locked --debug geckodriver --version "$geckodriver_version" >&2
fi

firefox="$(command -v firefox-esr || command -v firefox)"
echo "usher: $("$firefox" --version 2>/dev/null | head -1); $(geckodriver --version | sed -n 1p)" >&2
