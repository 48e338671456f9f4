#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs the whole suite:
# the clang-format check, every ctest tier (unit, bpf, integration), then the
# fuzzers for a bounded number of runs under ASan+UBSan. Exits non-zero on any
# failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
cmake --build build --target format-check
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900)
scripts/fuzz.sh
