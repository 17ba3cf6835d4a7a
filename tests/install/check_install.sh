#!/usr/bin/env bash
# Installs the build tree BUILD into a temporary prefix, builds the project
# tests/install/consumer against it with find_package(pretokdb), and checks
# what it counts and that the installed CLI runs.
# Usage: check_install.sh BUILD
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
for f in bin/pretok-db include/pretokdb/reader.h include/pretokdb/indexer.h \
         lib/libpretokdb.a lib/cmake/pretokdb/pretokdbConfig.cmake; do
  [ -e "$tmp/prefix/$f" ] || { echo "FAIL installed tree lacks $f"; exit 1; }
done
"$tmp/prefix/bin/pretok-db" --version

cmake -S "$here/consumer" -B "$tmp/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log"; echo "FAIL find_package(pretokdb) against the installed tree"; exit 1; }
cmake --build "$tmp/consumer" -j 2 > "$tmp/build.log" 2>&1 ||
  { tail -n 40 "$tmp/build.log"; echo "FAIL the consumer does not build"; exit 1; }

printf 'hello world hello<|endoftext|>hello' > "$tmp/in.txt"
got=$("$tmp/consumer/consumer" "$tmp/db" "$tmp/in.txt" hello " hello" " world" "<|endoftext|>")
want=$(printf 'pretok-db %s\n2\n1\n1\n0' "$("$tmp/prefix/bin/pretok-db" --version | cut -d' ' -f2)")
if [ "$got" != "$want" ]; then
  printf 'FAIL the consumer printed\n%s\ninstead of\n%s\n' "$got" "$want"; exit 1
fi
echo "PASS find_package(pretokdb): a project built against the installed tree counts as pretok-db does"
