#!/usr/bin/env bash
# Installs what tests/it/appium.rs (mobile web on Chromium) and tests/it/appium_native.rs (a native fixture
# app on the fake driver) need, and only what is missing: Appium 3 (npm `appium`), its Chromium driver
# (npm `appium-chromium-driver`) and its fake driver (npm `@appium/fake-driver`) under
# $USHER_APPIUM_DIR (default: $HOME/.cache/usher-appium; not part of the repository), with
# APPIUM_HOME=$USHER_APPIUM_DIR/home. Nothing here downloads a browser or a
# chromedriver: sessions use Debian's /usr/bin/chromedriver and Chromium (ci/install-deps.sh) through
# the `appium:executable` capability. Prints the install directory on its last line.
#
# Afterwards:
#   APPIUM_HOME="$dir/home" "$dir/node_modules/.bin/appium" server --address 127.0.0.1 --port 4723
set -euo pipefail

appium_version="${USHER_APPIUM_VERSION:-3.8}"
chromium_driver_version="${USHER_APPIUM_CHROMIUM_DRIVER_VERSION:-3}"
fake_driver_version="${USHER_APPIUM_FAKE_DRIVER_VERSION:-6}"
dir="${USHER_APPIUM_DIR:-${HOME:-/tmp}/.cache/usher-appium}"
export APPIUM_HOME="$dir/home"
appium="$dir/node_modules/.bin/appium"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! command -v npm >/dev/null 2>&1; then
  echo "usher: installing nodejs and npm (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

installed_version() {
  [ -x "$appium" ] && "$appium" --version 2>/dev/null | tail -1 || true
}

# Each appium command starts Node and loads Appium (seconds on a loaded machine), and ci/test.sh runs
# this script again after .ci/run did: ask for the version and the driver list once each, again only
# after an install changed them.
version="$(installed_version)"
case "$version" in
  "$appium_version".*) ;;
  *)
    echo "usher: installing appium@$appium_version (npm) into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "appium@$appium_version" >&2
    version="$(installed_version)"
    ;;
esac

# The Chromium driver must not fetch a chromedriver of its own: we always pass Debian's.
export APPIUM_SKIP_CHROMEDRIVER_INSTALL=1
installed_drivers() { "$appium" driver list --installed --json 2>/dev/null || true; }
drivers_json="$(installed_drivers)"
if ! grep -q '"chromium"' <<<"$drivers_json"; then
  echo "usher: installing appium-chromium-driver@$chromium_driver_version (npm) into $APPIUM_HOME" >&2
  mkdir -p "$APPIUM_HOME"
  "$appium" driver install --source=npm "appium-chromium-driver@$chromium_driver_version" >&2
  drivers_json="$(installed_drivers)"
fi

# The fake driver (Appium's own test driver) plays a native app described in an XML file: no SDK,
# emulator or device needed.
if ! grep -q '"fake"' <<<"$drivers_json"; then
  echo "usher: installing @appium/fake-driver@$fake_driver_version (npm) into $APPIUM_HOME" >&2
  mkdir -p "$APPIUM_HOME"
  "$appium" driver install --source=npm "@appium/fake-driver@$fake_driver_version" >&2
  drivers_json="$(installed_drivers)"
fi

# shellcheck disable=SC2016 # JavaScript, not shell
drivers="$(node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const d = JSON.parse(s || "{}");
    console.log(Object.entries(d).map(([k, v]) => `${k}@${v.version}`).join(" "));
  });' <<<"$drivers_json" || true)"
echo "usher: appium $version (APPIUM_HOME=$APPIUM_HOME); drivers: ${drivers:-none}" >&2
echo "$dir"
