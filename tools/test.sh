#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs
#   1. every test (unit tests and the end-to-end differential, resume and CLI
#      tests against Python `regex`) on a Release build, with ctest;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the indexer tests (the worker pool) under ThreadSanitizer.
# Usage: tools/test.sh [--quick]   (--quick: step 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh

quick=0
[ "${1:-}" = "--quick" ] && quick=1

echo "== Release build, all tests"
bash tools/build.sh build -DCMAKE_BUILD_TYPE=Release
(cd build && ctest --output-on-failure -j 2 --timeout 900)

if [ "$quick" = 1 ]; then exit 0; fi

echo "== AddressSanitizer + UndefinedBehaviorSanitizer, unit tests"
bash tools/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPRETOKDB_SANITIZE=address,undefined
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
ASAN_OPTIONS=detect_leaks=1 \
  ./build-asan/pretokdb_tests --gtest_brief=1

echo "== ThreadSanitizer, worker pool"
bash tools/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPRETOKDB_SANITIZE=thread
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tools/tsan.supp" \
  ./build-tsan/pretokdb_tests --gtest_brief=1 --gtest_filter='Indexer*:Worker*'
echo "== all test stages passed"
