#!/usr/bin/env bash
# Builds the micro-benchmarks: the library with CMake (Release, no tests),
# then each benchmark with g++ against that library and its headers.
#
# Usage: tools/bench/micro/build.sh [--rev REV] [BUILD_DIR]
#   (no --rev)  library and headers from the working tree; BUILD_DIR
#               defaults to build-micro at the repository root.
#   --rev REV   library and headers from commit REV, exported with
#               `git archive` to BUILD_DIR/src (default BUILD_DIR:
#               /tmp/pretokdb-micro-REV). Use it to measure a fixed version
#               while others edit the tree. The benchmark sources always
#               come from this directory.
# The library is rebuilt incrementally every time: the benchmarks include
# its headers, and a header newer than libpretokdb.a breaks the layout.
#
# Env: CXXFLAGS_BENCH (default "-O2 -DNDEBUG"). The scanner is a header
# template, so these flags compile ScanGpt2; the library (CountTable,
# IsValidUtf8, FindAll) keeps CMake's Release flags (-O3 -DNDEBUG).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rev=""
if [[ "${1:-}" == "--rev" ]]; then
  rev="$2"
  shift 2
fi
flags="${CXXFLAGS_BENCH:--O2 -DNDEBUG}"

if [[ -n "$rev" ]]; then
  out="${1:-/tmp/pretokdb-micro-$rev}"
  src="$out/src"
  rm -rf "$src"
  mkdir -p "$src"
  git -C "$root" archive "$rev" | tar -x -C "$src"
  lib="$out/lib"
else
  out="${1:-$root/build-micro}"
  src="$root"
  lib="$out"
fi

if [[ ! -f "$lib/CMakeCache.txt" ]]; then
  cmake -S "$src" -B "$lib" -DCMAKE_BUILD_TYPE=Release \
    -DPRETOKDB_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$lib" -j2 --target pretokdb > /dev/null

# read_bench is POSIX only; it does not need the library.
g++ -std=c++20 $flags -Wall -Wextra -o "$out/read_bench" "$here/read_bench.cc"

g++ -std=c++20 $flags -Wall -Wextra -I"$src/include" -I"$src/src" \
  -o "$out/hot_loop_bench" "$here/hot_loop_bench.cc" \
  "$lib/libpretokdb.a" -lbenchmark_main -lbenchmark \
  -lrocksdb -lre2 -lxxhash -lpthread

# The three scanners side by side, when the revision has them.
if [[ -f "$src/src/text/cl100k_scanner.h" ]]; then
  g++ -std=c++20 $flags -Wall -Wextra -I"$src/include" -I"$src/src" \
    -o "$out/scanner_bench" "$here/scanner_bench.cc" \
    "$lib/libpretokdb.a" -lbenchmark -lrocksdb -lre2 -lxxhash -lpthread
fi

echo "built $out/read_bench $out/hot_loop_bench $out/scanner_bench (library: ${rev:-working tree})"
