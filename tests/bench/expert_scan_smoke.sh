#!/bin/sh
# Smoke test of build/bin/expert_scan (static librocksdb.a) and expert_scan_shared:
# over a tiny TPC-H lineitem loaded by pushdown_bench (several files), every expert
# baseline (1 and 2 threads) prints its line with the link mode, and its Q6 count and
# revenue equal pushdown_bench's (pushdown side and baselines, checked there).
# usage: expert_scan_smoke.sh PUSHDOWN_BENCH EXPERT_SCAN EXPERT_SCAN_SHARED
set -u
bench=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bench" --db="$dir/tpch" --benchmarks=loadtpch,tpch_q6 --tpch_scale=0.005 \
  --target_file_size_base=1048576 --baseline_threads=2 --pushdown=host --repeats=1 2>&1) ||
  { printf '%s\n' "$out"; fail "pushdown_bench exit status"; }
want=$(printf '%s\n' "$out" | sed -n 's/^# tpch_q6: count=\([0-9]*\) revenue=\([0-9.]*\)$/count=\1 revenue=\2/p')
[ -n "$want" ] || fail "no Q6 result from pushdown_bench"
for link in static shared; do
  bin=$2
  [ "$link" = shared ] && bin=$3
  got=$("$bin" --db="$dir/tpch" --threads=2 --repeats=1 2>&1) || { printf '%s\n' "$got"; fail "$link exit status"; }
  printf '%s\n' "$got"
  for b in expert_iter_1t expert_iter_2t sst_reader_1t sst_reader_2t; do
    line=$(printf '%s\n' "$got" | grep -E "^expert_scan +: baseline=$b link=$link ")
    [ -n "$line" ] || fail "no $b line ($link)"
    printf '%s\n' "$line" | grep -q " $want\$" || fail "$b ($link) differs from pushdown_bench's $want: $line"
  done
done
echo PASS
