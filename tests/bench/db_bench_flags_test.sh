#!/bin/sh
# pushdown_bench takes db_bench's flags with db_bench's meaning (issue 15 item 4):
# one case per flag, each checking that the flag is accepted AND acts, on tiny
# data (2,000 raw keys, --pushdown=host, which runs without BPF privileges).
# Effects on RocksDB's options are read back from the OPTIONS file the DB wrote
# (RocksDB's own record of the options it ran with); effects on operations from
# the counts pushdown_bench prints ("# <bench>: ops threads=N operations=K",
# the histogram's Count). No assertion depends on how long anything took: the
# --duration cases only bound counts from above by a budget no run can reach.
# usage: db_bench_flags_test.sh PUSHDOWN_BENCH CASE
set -u
bin=$1
case_name=$2
dir=$(mktemp -d /tmp/pushdown_bench_flags.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL ($case_name): $*"; exit 1; }

# run NAME ARGS...: runs pushdown_bench on $dir/NAME, output in $out (fails on exit != 0).
run() {
  name=$1
  shift
  out=$("$bin" --db="$dir/$name" --pushdown=host --noexpert_baselines --repeats=1 "$@" 2>&1) ||
    { printf '%s\n' "$out"; fail "exit status of: pushdown_bench $*"; }
}
# opts NAME: the DB's latest OPTIONS file.
opts() {
  f=$(ls "$dir/$1"/OPTIONS-* 2>/dev/null | sort -t- -k2 -n | tail -n 1)
  [ -n "$f" ] || fail "no OPTIONS file in $dir/$1"
  cat "$f"
}
has() { printf '%s\n' "$1" | grep -Eq -- "$2" || { printf '%s\n' "$1" | tail -n 40; fail "missing: $3"; }; }
hasnt() { printf '%s\n' "$1" | grep -Eq -- "$2" && { printf '%s\n' "$1" | tail -n 40; fail "unexpected: $3"; }; return 0; }
# ops BENCH: the operations count of BENCH's "# BENCH: ops ..." line in $out.
ops() { printf '%s\n' "$out" | sed -n "s/^# $1: ops threads=[0-9]* operations=\([0-9]*\) .*/\1/p" | tail -n 1; }

scan='--benchmarks=fillseq,filterscan --num=2000 --predicate=u64be(key,0)%10<3'

case $case_name in
helpshort)
  out=$("$bin" --helpshort 2>&1)  # gflags' help flags exit 1
  hasnt "$out" 'No modules matched' "gflags found no module"
  for f in predicate pushdown threads baseline_threads bloom_bits options_file histogram \
    duration reads stats_interval_seconds report_file write_buffer_size max_background_jobs \
    num_levels compaction_style; do
    has "$out" "-$f \(" "--$f in --helpshort"
  done
  ;;
write_buffer_size)
  # 2,000 x 116 B = 232 KB: 64 KiB memtables flush on their own while filling.
  run wbs --benchmarks=fillseq --num=2000 --write_buffer_size=65536
  has "$(opts wbs)" '^ *write_buffer_size=65536$' "write_buffer_size in OPTIONS"
  flushes=$(grep -c '"event": "flush_started"' "$dir/wbs/LOG")
  [ "$flushes" -ge 2 ] || fail "expected >= 2 memtable flushes with 64 KiB buffers, got $flushes"
  run wbs_default --benchmarks=fillseq --num=2000
  has "$(opts wbs_default)" '^ *write_buffer_size=67108864$' "db_bench's default 64 MiB"
  flushes=$(grep -c '"event": "flush_started"' "$dir/wbs_default/LOG")
  [ "$flushes" -eq 0 ] || fail "no flush expected with 64 MiB buffers, got $flushes"
  ;;
num_levels)
  run nl $scan --num_levels=3
  has "$(opts nl)" '^ *num_levels=3$' "num_levels=3 in OPTIONS"
  has "$out" '^filterscan +: .* matched=600 ' "exact filterscan"
  ;;
max_background_jobs)
  run mbj --benchmarks=fillseq --num=100 --max_background_jobs=5
  has "$(opts mbj)" '^ *max_background_jobs=5$' "max_background_jobs=5 in OPTIONS"
  ;;
compaction_style)
  run cs --benchmarks=fillrandom,compact,fillseq,filterscan --num=2000 \
    --predicate='u64be(key,0)%10<3' --compaction_style=1
  has "$(opts cs)" '^ *compaction_style=kCompactionStyleUniversal$' "universal compaction in OPTIONS"
  has "$out" '^filterscan +: .* matched=600 ' "exact filterscan under universal compaction"
  out=$("$bin" --db="$dir/bad" --benchmarks=fillseq --num=10 --compaction_style=7 2>&1) &&
    fail "--compaction_style=7 accepted"
  has "$out" 'compaction_style must be' "the error for an unknown style"
  ;;
bloom_bits)
  run bloom $scan --bloom_bits=10
  has "$(opts bloom)" '^ *filter_policy=bloomfilter:10' "Bloom filter policy in OPTIONS"
  grep -aq 'fullfilter.rocksdb.BuiltinBloomFilter' "$dir"/bloom/*.sst || fail "no filter block in the SST"
  has "$out" '^filterscan +: .* matched=600 ' "exact filterscan over files with filter blocks"
  run nobloom $scan
  hasnt "$(opts nobloom)" 'filter_policy=bloomfilter' "a filter without --bloom_bits"
  grep -aq 'fullfilter.rocksdb.BuiltinBloomFilter' "$dir"/nobloom/*.sst && fail "filter block without --bloom_bits"
  ;;
options_file)
  cat > "$dir/opts.ini" <<'INI'
[Version]
  rocksdb_version=7.8.3
  options_file_version=1.1
[DBOptions]
  max_background_jobs=6
  create_if_missing=true
[CFOptions "default"]
  write_buffer_size=3145728
  num_levels=5
[TableOptions/BlockBasedTable "default"]
  block_size=8192
INI
  # The file replaces the option flags (db_bench): --write_buffer_size loses.
  run of $scan --options_file="$dir/opts.ini" --write_buffer_size=999424
  o=$(opts of)
  has "$o" '^ *write_buffer_size=3145728$' "the file's write_buffer_size"
  has "$o" '^ *num_levels=5$' "the file's num_levels"
  has "$o" '^ *max_background_jobs=6$' "the file's max_background_jobs"
  has "$o" '^ *block_size=8192$' "the file's block_size"
  has "$out" '^filterscan +: .* matched=600 ' "exact filterscan"
  out=$("$bin" --db="$dir/bad" --benchmarks=fillseq --num=10 --options_file="$dir/missing.ini" 2>&1) &&
    fail "a missing --options_file accepted"
  has "$out" 'options_file' "the error names --options_file"
  ;;
histogram)
  run h $scan --histogram --repeats=3
  has "$out" '^Microseconds per write:$' "the write histogram (fillseq)"
  has "$out" '^Count: 2000 Average: [0-9.]+  StdDev: [0-9.]+$' "2000 writes counted"
  has "$out" '^Microseconds per read:$' "the read histogram (filterscan)"
  has "$out" '^Count: 3 Average: [0-9.]+  StdDev: [0-9.]+$' "3 scans counted"
  has "$out" '^Min: [0-9]+  Median: [0-9.]+  Max: [0-9]+$' "Min/Median/Max"
  has "$out" '^Percentiles: P50: [0-9.]+ P75: [0-9.]+ P99: [0-9.]+ P99.9: [0-9.]+ P99.99: [0-9.]+$' "Percentiles"
  has "$out" '^[[(] +[0-9]+, +[0-9]+ \] +[0-9]+ +[0-9.]+% +[0-9.]+% #*$' "a bucket row"
  run nh $scan
  hasnt "$out" 'Percentiles:' "a histogram without --histogram"
  ;;
reads)
  run r $scan --reads=4
  [ "$(ops filterscan)" = 4 ] || fail "--reads=4: $(ops filterscan) operations"
  has "$out" '^# filterscan: repeats=4 ' "4 timed rounds"
  run r0 $scan
  [ "$(ops filterscan)" = 1 ] || fail "without --reads (--repeats=1): $(ops filterscan) operations"
  ;;
threads)
  # db_bench's --threads: N readers, each doing --reads scans (per reader).
  run t $scan --reads=2 --threads=3 --histogram
  [ "$(ops filterscan)" = 6 ] || fail "--reads=2 --threads=3: $(ops filterscan) operations"
  has "$out" '^# filterscan: ops threads=3 ' "3 readers"
  has "$out" '^Count: 6 ' "6 scans in the histogram"
  has "$out" '^filterscan +: .* matched=600 ' "exact filterscan with 3 readers"
  # Q6 (the aggregate path) with 2 readers; the all-core baselines stay at --baseline_threads.
  run tq --benchmarks=loadtpch,tpch_q6 --tpch_scale=0.002 --threads=2 --reads=2 --baseline_threads=2 \
    --expert_baselines
  [ "$(ops tpch_q6)" = 4 ] || fail "tpch_q6 --reads=2 --threads=2: $(ops tpch_q6) operations"
  has "$out" '^tpch_q6 +: .* threads=2$' "the Q6 line"
  has "$out" 'expert_iter_2t=' "the 2-thread baseline"
  ;;
duration)
  # A budget of a million scans, stopped by --duration=1 after some.
  run d $scan --reads=1000000 --duration=1
  n=$(ops filterscan)
  [ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt 1000000 ] || fail "--duration=1: '$n' operations"
  # fillrandom: a budget of 10^9 writes (db_bench: --duration bounds fillrandom).
  run dw --benchmarks=fillrandom --num=1000000000 --value_size=8 --duration=1
  n=$(printf '%s\n' "$out" | sed -n 's/^fillrandom .* seconds \([0-9]*\) operations;.*/\1/p')
  [ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt 1000000000 ] || fail "fillrandom --duration=1: '$n' operations"
  # fillseq ignores --duration (as db_bench): all --num writes (on a 2-core VM
  # more than a second's worth, so a bounded fillseq would show fewer).
  run ds --benchmarks=fillseq --num=300000 --value_size=8 --duration=1
  has "$out" '^fillseq +: .* seconds 300000 operations;' "fillseq writes --num keys despite --duration"
  ;;
stats_interval_seconds)
  run si $scan --reads=1000000 --duration=3 --stats_interval_seconds=1
  has "$out" '^[0-9/]+-[0-9:]+  \.\.\. thread 0: \([0-9]+,[0-9]+\) ops and \([0-9.]+,[0-9.]+\) ops/second in \([0-9.]+,[0-9.]+\) seconds$' \
    "db_bench's interval line"
  run nsi $scan --reads=1000000 --duration=2
  hasnt "$out" '\.\.\. thread 0:' "interval lines without --stats_interval_seconds"
  ;;
report_file)
  run rf $scan --reads=1000000 --duration=3 --report_file="$dir/qps.csv" --report_interval_seconds=1
  [ "$(head -n 1 "$dir/qps.csv")" = "secs_elapsed,interval_qps" ] || fail "CSV header: $(head -n 1 "$dir/qps.csv")"
  rows=$(tail -n +2 "$dir/qps.csv" | grep -Ec '^[0-9]+,[0-9]+$')
  [ "$rows" -ge 2 ] || fail "expected >= 2 rows after 3 s at 1 s intervals: $(cat "$dir/qps.csv")"
  [ "$(tail -n +2 "$dir/qps.csv" | grep -Evc '^[0-9]+,[0-9]+$')" = 0 ] || fail "malformed rows: $(cat "$dir/qps.csv")"
  total=$(tail -n +2 "$dir/qps.csv" | awk -F, '{s += $2} END {print s}')
  n=$(ops filterscan)
  [ "$total" -le $((n + 2000)) ] || fail "CSV counts $total operations, the run $n (+2000 writes)"
  [ "$total" -ge 1 ] || fail "no operations in the CSV: $(cat "$dir/qps.csv")"
  # Without the flag (and no interval): no CSV, as db_bench.
  (cd "$dir" && "$bin" --db="$dir/nrf" --pushdown=host --noexpert_baselines --repeats=1 \
    --benchmarks=fillseq --num=10 > /dev/null 2>&1) || fail "exit status without --report_file"
  [ ! -e "$dir/report.csv" ] || fail "report.csv written without --report_file"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS ($case_name)"
