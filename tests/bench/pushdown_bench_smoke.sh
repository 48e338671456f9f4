#!/bin/sh
# Smoke test of build/bin/pushdown_bench: loads a tiny TPC-H lineitem (small
# files, so the all-core baselines get several partitions), runs Q6 with
# --pushdown=kernel (and a raw db_bench filterscan over two levels), and checks
# the output line: db_bench's format followed by every key=value field
# (speedup_vs_iterator and the best-baseline fields), matching rows, the expert
# baselines (tuned iterator and SstFileReader at 1 and 2 threads; SstFileReader
# skipped with its reason where the data is not one sorted run), and
# device=kernel when BPF is allowed (root), host otherwise.
# usage: pushdown_bench_smoke.sh PUSHDOWN_BENCH
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

num='[0-9.]+'
name='[a-z_0-9]+'
fields_re="rows=[0-9]+ matched=[0-9]+ bytes_read=[0-9]+ bytes_to_host=[0-9]+ host_cpu_s=$num baseline_s=$num pushdown_s=$num speedup_vs_iterator=$num device=[a-z]+ pushdown_threads=1 pushdown_cold_compile_s=$num pushdown_cached_s=$num best_baseline=$name best_baseline_s=$num speedup_vs_best=$num speedup_vs_best_cold_compile=$num best_baseline_allcores=$name best_baseline_allcores_s=$num speedup_vs_best_allcores=$num threads=2\$"
line_re=' : +[0-9.]+ micros/op [0-9]+ ops/sec [0-9.]+ seconds [0-9]+ operations; +[0-9.]+ MB/s '

check_line() {  # name output expected_device
  line=$(printf '%s\n' "$2" | grep -E "^$1 +: " | tail -n 1)
  [ -n "$line" ] || fail "no '$1' output line"
  printf '%s\n' "$line" | grep -Eq "^$1 *${line_re}${fields_re}" || fail "bad line format: $line"
  printf '%s\n' "$line" | grep -Eq ' matched=0 ' && fail "no rows matched: $line"
  printf '%s\n' "$line" | grep -Eq " device=$3 " || fail "expected device=$3: $line"
  # The best 1-thread baseline is a 1-thread one; the all-core best is the fastest of all.
  printf '%s\n' "$line" | grep -Eq ' best_baseline=[a-z_]+_1t ' || fail "best_baseline not 1-thread: $line"
  echo "ok: $line"
}
has() {  # output regex what
  printf '%s\n' "$1" | grep -Eq "$2" || fail "missing $3"
}

if [ "$(id -u)" = 0 ]; then want=kernel; else want='(kernel|host)'; fi

out=$("$bin" --db="$dir/tpch" --benchmarks=loadtpch,tpch_q6 --tpch_scale=0.005 \
  --target_file_size_base=1048576 --baseline_threads=2 --pushdown=kernel --repeats=1 2>&1) ||
  { printf '%s\n' "$out"; fail "tpch_q6 exit status"; }
printf '%s\n' "$out"
check_line tpch_q6 "$out" "$want"
for b in plain_iter_1t expert_iter_1t expert_iter_2t sst_reader_1t sst_reader_2t; do
  has "$out" "^# tpch_q6: baselines median_s: .*$b=$num" "baseline $b in the Q6 run"
done
has "$out" 'expert_iter_2t:partitions=2 ' "2 iterator partitions (several files)"
has "$out" 'sst_reader_2t:partitions=2' "2 SstFileReader partitions"

# Raw data over two levels (fillrandom after compact): SstFileReader is not exact there.
out=$("$bin" --db="$dir/raw" --benchmarks=fillseq,compact,fillrandom,filterscan --num=5000 \
  --baseline_threads=2 --predicate='u64be(key, 0) % 100 < 7' --pushdown=host --repeats=1 2>&1) ||
  { printf '%s\n' "$out"; fail "filterscan exit status"; }
printf '%s\n' "$out"
check_line filterscan "$out" host
printf '%s\n' "$out" | grep -q ' matched=350 ' || fail "raw filterscan should match 350 of 5000 rows"
has "$out" 'sst_reader=skipped\(files in 2 levels\)' "SstFileReader skipped over two levels"
has "$out" '^# filterscan: baselines median_s: .*expert_iter_2t=' "2-thread iterator over two levels"
echo PASS
