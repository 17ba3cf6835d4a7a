#!/usr/bin/env bash
# Installs what pretok-db needs on Debian 12: the Debian packages below that
# are missing and, with --tests, the npm packages of tests/js (the tokenizer
# libraries the tests load files with). Needs root (or sudo) only when a
# Debian package is missing. This list is the only one: the README points
# here.
#
#   tools/install-deps.sh           to build (and run the demo)
#   tools/install-deps.sh --tests   to build and run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(
  build-essential cmake pkg-config
  librocksdb-dev liblz4-dev libre2-dev libxxhash-dev libboost-dev
  libcli11-dev nlohmann-json3-dev
  # compressed inputs (.zst, .gz) and JSON Lines
  libzstd-dev zlib1g-dev libsimdjson-dev
  # the Python module (built against Debian's /usr/bin/python3)
  python3 python3-dev pybind11-dev
)
TEST_PACKAGES=(
  # GoogleTest, the Python reference (`regex`), pytest, Dask
  libgtest-dev python3-regex python3-pytest python3-distributed
  # Node.js, for Hugging Face tokenizers and tiktoken (npm packages)
  nodejs npm
  # peak RSS in the benchmarks
  time
  # compressed test inputs (zstd, pzstd, gzip)
  zstd gzip
)

packages=("${BUILD_PACKAGES[@]}")
tests=0
if [ "${1:-}" = "--tests" ]; then tests=1; packages+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${packages[@]}"; do
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

[ "$tests" = 1 ] || exit 0

# npm packages, pinned (with their sha512) by tests/js/package-lock.json,
# into tests/js/node_modules; again only when the lock file changed.
js=tests/js
unreachable=$js/.npm-registry-unreachable
if [ ! -f $js/node_modules/.package-lock.json ] || [ $js/package-lock.json -nt $js/node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci in $js"
  rm -f "$unreachable"
  if ! log=$(cd $js && npm ci --no-audit --no-fund --loglevel=error 2>&1); then
    echo "$log" >&2
    # The registry out of reach (no network, or a TLS proxy whose certificate
    # this machine does not trust) is the machine's state, not the project's:
    # say so loudly and record why, so that the tests that need the packages
    # report it as their reason to skip. Any other failure stops here.
    code=$(echo "$log" | sed -n 's/^npm ERR! code //p' | head -n 1)
    case "$code" in
      ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT)
        echo "npm ci in $js: the npm registry is out of reach ($code)" > "$unreachable"
        echo "install-deps: WARNING: the npm registry is out of reach ($code): the tests that load tokenizer files in Hugging Face tokenizers and tiktoken will be skipped" >&2
        ;;
      *)
        echo "install-deps: error: npm ci in $js failed (${code:-see above})" >&2
        exit 1
        ;;
    esac
  fi
fi
