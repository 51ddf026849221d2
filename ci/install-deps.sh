#!/usr/bin/env bash
# Installs what usher's demo and tests need on a Debian machine, and only what is missing:
# Chromium, its headless shell (what usher prefers for headless runs: about a quarter of the CPU) and
# its ChromeDriver (Debian packages; usher never downloads a browser or driver itself).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v chromium-headless-shell >/dev/null 2>&1 || need+=(chromium-headless-shell)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)

if [ ${#need[@]} -eq 0 ]; then
  echo "usher: chromium, chromium-headless-shell, chromedriver and xmllint are installed"
  exit 0
fi

echo "usher: installing ${need[*]} (Debian packages)"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "usher: run as root or install sudo to install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "usher: $(chromium --version 2>/dev/null | head -1); $(chromedriver --version 2>/dev/null | head -1)"
