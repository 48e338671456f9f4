#!/usr/bin/env bash
# Configures and builds the project into build/ (release: RelWithDebInfo -O2).
# Usage: scripts/build.sh [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > build.cmake.log 2>&1 || {
  cat build.cmake.log; exit 1; }
rm -f build.cmake.log
cmake --build build -j "$JOBS"
