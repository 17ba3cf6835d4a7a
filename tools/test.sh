#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs
#   1. every test (unit tests; the end-to-end differential, resume, growth,
#      fault, CLI, trainer and tokenizer-file tests against Python `regex`
#      and the real tokenizer libraries; the Python module's tests; a CMake
#      project built against the installed library) on a Release build, with
#      ctest;
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the indexer tests (the worker pool) under ThreadSanitizer.
# Every stage must run tests: ctest fails when it finds none, and each
# GoogleTest stage checks that it ran more than zero (a renamed test cannot
# make a filter pass empty).
# Usage: tools/test.sh [--quick]   (--quick: stage 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --tests

quick=0
[ "${1:-}" = "--quick" ] && quick=1

# The Python the suite uses: Debian's, the only one on a fresh Debian 12 and
# the one Debian's python3-* packages serve (not one that comes first on PATH).
PYTHON=/usr/bin/python3
echo "== Python: $PYTHON $("$PYTHON" -c 'import sys, importlib.metadata as m; print(sys.version.split()[0], "with regex", m.version("regex"))')"

# Runs a GoogleTest binary and fails unless it ran at least one test.
run_gtest() {
  local log
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local ran
  ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from .* ran\..*/\1/p' "$log" | tail -n 1)
  rm -f "$log"
  if [ "$status" -ne 0 ]; then return "$status"; fi
  if [ -z "$ran" ] || [ "$ran" -eq 0 ]; then
    echo "test.sh: error: '$*' ran no test" >&2
    return 1
  fi
  echo "test.sh: $ran tests ran"
}

# Options are given explicitly: a build tree configured otherwise before (the
# demo's has no tests) is reconfigured, not reused as it is.
common=(-DPRETOKDB_BUILD_TESTS=ON -DPRETOKDB_PYTHON="$PYTHON")

echo "== Release build, all tests"
bash tools/build.sh build -DCMAKE_BUILD_TYPE=Release -DPRETOKDB_SANITIZE= "${common[@]}"
(cd build && ctest --output-on-failure --no-tests=error -j 2 --timeout 900)

if [ "$quick" = 1 ]; then exit 0; fi

echo "== AddressSanitizer + UndefinedBehaviorSanitizer, unit tests"
bash tools/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPRETOKDB_SANITIZE=address,undefined "${common[@]}"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
ASAN_OPTIONS=detect_leaks=1 \
  run_gtest ./build-asan/pretokdb_tests --gtest_brief=1

echo "== ThreadSanitizer, worker pool"
bash tools/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPRETOKDB_SANITIZE=thread "${common[@]}"
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tools/tsan.supp" \
  run_gtest ./build-tsan/pretokdb_tests --gtest_brief=1 --gtest_filter='Indexer*:Worker*'
echo "== all test stages passed"
if [ -f tests/js/.npm-registry-unreachable ]; then
  echo "== but skipped: the tokenizer files in Hugging Face tokenizers and tiktoken ($(cat tests/js/.npm-registry-unreachable))"
fi
