#!/usr/bin/env bash
# Installs the Debian 12 packages pretok-db needs to build, test and benchmark,
# skipping the ones already present. Needs root (or sudo) only when something
# is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  librocksdb-dev liblz4-dev libre2-dev libxxhash-dev libboost-dev
  libgtest-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  python3 python3-regex time
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
