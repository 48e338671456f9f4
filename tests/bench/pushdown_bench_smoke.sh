#!/bin/sh
# Smoke test of build/bin/pushdown_bench: loads a tiny TPC-H lineitem, runs Q6
# with --pushdown=kernel (and a raw db_bench filterscan), and checks the output
# line: db_bench's format followed by every key=value field, matching rows, and
# device=kernel when BPF is allowed (root), host otherwise.
# usage: pushdown_bench_smoke.sh PUSHDOWN_BENCH
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

fields_re='rows=[0-9]+ matched=[0-9]+ bytes_read=[0-9]+ bytes_to_host=[0-9]+ host_cpu_s=[0-9.]+ baseline_s=[0-9.]+ pushdown_s=[0-9.]+ speedup_vs_iterator=[0-9.]+ device=[a-z]+$'
line_re=' : +[0-9.]+ micros/op [0-9]+ ops/sec [0-9.]+ seconds [0-9]+ operations; +[0-9.]+ MB/s '

check_line() {  # name output expected_device
  line=$(printf '%s\n' "$2" | grep -E "^$1 +: " | tail -n 1)
  [ -n "$line" ] || fail "no '$1' output line"
  printf '%s\n' "$line" | grep -Eq "^$1 *${line_re}${fields_re}" || fail "bad line format: $line"
  printf '%s\n' "$line" | grep -Eq ' matched=0 ' && fail "no rows matched: $line"
  printf '%s\n' "$line" | grep -Eq " device=$3\$" || fail "expected device=$3: $line"
  echo "ok: $line"
}

if [ "$(id -u)" = 0 ]; then want=kernel; else want='(kernel|host)'; fi

out=$("$bin" --db="$dir/tpch" --benchmarks=loadtpch,tpch_q6 --tpch_scale=0.005 \
  --pushdown=kernel --repeats=1 2>&1) || { printf '%s\n' "$out"; fail "tpch_q6 exit status"; }
printf '%s\n' "$out"
check_line tpch_q6 "$out" "$want"

out=$("$bin" --db="$dir/raw" --benchmarks=fillseq,compact,filterscan --num=5000 \
  --predicate='u64be(key, 0) % 100 < 7' --pushdown=host --repeats=1 2>&1) ||
  { printf '%s\n' "$out"; fail "filterscan exit status"; }
printf '%s\n' "$out"
check_line filterscan "$out" host
printf '%s\n' "$out" | grep -q ' matched=350 ' || fail "raw filterscan should match 350 of 5000 rows"
echo PASS
