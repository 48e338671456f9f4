#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) in build-fuzz/ and
# runs each for a bounded number of iterations. Usage: scripts/fuzz.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-${FUZZ_RUNS:-20000}}
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPD_FUZZ=ON -DPD_BUILD_TESTS=OFF > build-fuzz.cmake.log 2>&1 || { cat build-fuzz.cmake.log; exit 1; }
rm -f build-fuzz.cmake.log
targets=$(ls fuzz/*_fuzz.cc 2>/dev/null | xargs -r -n1 basename | sed 's/\.cc$//')
if [ -z "$targets" ]; then echo "fuzz: no fuzz targets"; exit 0; fi
cmake --build build-fuzz -j "$(nproc)" --target $targets
for t in $targets; do
  corpus="fuzz/corpus/${t%_fuzz}"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $t, $RUNS runs"
  build-fuzz/fuzz/"$t" -runs="$RUNS" -max_len=4096 -rss_limit_mb=4096 "$work"
  rm -rf "$work"
done
echo "fuzz: all targets ran $RUNS iterations without a finding"
