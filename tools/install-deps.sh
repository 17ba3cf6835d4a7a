#!/usr/bin/env bash
# Installs what pretok-db needs to build, test and benchmark on Debian 12:
# the Debian packages below that are missing, then the npm packages of
# tests/js (the tokenizer libraries the tests load files with). Needs root
# (or sudo) only when a Debian package is missing. This list is the only one:
# the README points here.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build
  build-essential cmake pkg-config
  librocksdb-dev liblz4-dev libre2-dev libxxhash-dev libboost-dev
  libcli11-dev nlohmann-json3-dev
  # the Python module (built against Debian's /usr/bin/python3)
  python3 python3-dev pybind11-dev
  # tests: GoogleTest, the Python reference (`regex`), pytest, Dask
  libgtest-dev python3-regex python3-pytest python3-distributed
  # tests: Node.js for Hugging Face tokenizers and tiktoken (npm packages)
  nodejs npm
  # benchmarks: peak RSS
  time
)

missing=()
for p in "${PACKAGES[@]}"; do
  # A Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm)
  # serves as well as Debian's: Debian's npm is not needed then.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all Debian packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by tests/js/package-lock.json, into tests/js/node_modules.
if [ -f tests/js/package-lock.json ] && [ ! -f tests/js/node_modules/.package-lock.json -o tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci in tests/js"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi
