#!/usr/bin/env bash
# The main job on the sample corpus: installs what is missing, builds
# pretok-db (Release), indexes data/*.txt into build/demo.db, and prints
# `stats` and `top`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh build -DCMAKE_BUILD_TYPE=Release -DPRETOKDB_BUILD_TESTS=OFF
rm -rf build/demo.db
./build/pretok-db index --db build/demo.db data/sample-stories.txt data/sample-web.txt
./build/pretok-db stats --db build/demo.db
./build/pretok-db top --db build/demo.db -n 20
