#!/bin/bash
# Regenerates bench/RESULTS.md and bench/plots/*.png: builds pushdown_bench,
# loads TPC-H lineitem (uncompressed and lz4), runs TPC-H Q6 (warm and cold),
# the selectivity sweeps (lineitem and raw db_bench data), raw filterscans and the
# block filters alone (device_bench), on the host and kernel devices, beside the
# plain and the expert baselines (bench/pushdown_bench/baselines.h; the static-link
# ones through bench/expert_scan), renders the plots and writes RESULTS.md, which
# leads with speedup_vs_best. Prints how long it took (also into RESULTS.md).
#
#   bench/run_all.sh                 # SCALE=1 REPEATS=5, all cores
#   SCALE=0.1 REPEATS=5 bench/run_all.sh
# Q6 and the TRUE filterscan run the pushdown scan at 1 worker and at THREADS workers
# (--scan_workers), each beside the baselines of the same thread count; the scaling
# (THREADS workers vs 1) is printed and kept in scaling.txt.
# Environment: SCALE (TPC-H scale factor), REPEATS (timed runs per path),
# NUM (raw db_bench rows), THREADS (threads of the all-core baselines; default nproc),
# TARGET_FILE_SIZE (SST target file size of the loads; db_bench's 64 MiB),
# REUSE_LOAD=1 (keep the lineitem databases of an earlier run at the same SCALE),
# BUILD (build dir), WORK (databases + logs; several GB at SF1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
SCALE=${SCALE:-1}
REPEATS=${REPEATS:-5}
NUM=${NUM:-1000000}
THREADS=${THREADS:-$(nproc)}
TARGET_FILE_SIZE=${TARGET_FILE_SIZE:-67108864}
START_S=$(date +%s)
WORK=${WORK:-/tmp/pushdown_bench_work}
BIN=$BUILD/bin/pushdown_bench
PLOTS=$ROOT/bench/plots
mkdir -p "$WORK" "$PLOTS"
LOG=$WORK/log.txt
: > "$LOG"
rm -f "$WORK"/*.csv "$WORK"/*.dat "$WORK"/scaling.txt "$WORK"/device.json "$WORK"/compile.out \
  "$WORK"/sst_read.out "$WORK"/expert_scan_*.out "$WORK"/runtime.txt "$WORK"/load.txt

# say also samples the 1-minute load average into load.txt, which RESULTS.md
# summarises: whether the machine was quiet is measured, not asserted.
say() {
  echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG" >&2
  cut -d' ' -f1 /proc/loadavg >> "$WORK/load.txt"
}
run() {  # label args... : runs pushdown_bench, logs the command and output
  local label=$1
  shift
  say "$label: pushdown_bench $*"
  {
    printf '$ pushdown_bench'
    for a in "$@"; do
      case "$a" in *[\ \(\)\<\>\%\&\;]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
    done
    echo
  } >> "$WORK/commands.txt"
  "$BIN" "$@" 2>&1 | tee "$WORK/$label.out" >> "$LOG"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { say "FAILED: $label"; exit 1; }
}
: > "$WORK/commands.txt"

say "build"
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" > /dev/null
cmake --build "$BUILD" -j2 --target pushdown_bench expert_scan expert_scan_shared device_bench pushdown \
  sst_read_bench > /dev/null

ROOT_USER=0
[ "$(id -u)" = 0 ] && ROOT_USER=1
drop_caches() { if [ $ROOT_USER = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }

# 1. TPC-H lineitem, uncompressed and lz4 (loaded + compacted to one sorted run).
#    REUSE_LOAD=1 keeps databases (and their load logs) of an earlier run at the same SCALE.
for c in none lz4; do
  if [ "${REUSE_LOAD:-0}" = 1 ] && [ -f "$WORK/load_$c.out" ] && grep -q "scale=$SCALE " "$WORK/load_$c.out" \
    && [ -d "$WORK/tpch_$c" ]; then
    say "load_$c: reusing $WORK/tpch_$c (REUSE_LOAD=1)"
    echo "# reused (REUSE_LOAD=1): pushdown_bench --db=$WORK/tpch_$c --benchmarks=loadtpch --tpch_scale=$SCALE --compression_type=$c" >> "$WORK/commands.txt"
    continue
  fi
  run "load_$c" --db="$WORK/tpch_$c" --benchmarks=loadtpch --tpch_scale="$SCALE" \
    --compression_type="$c" --target_file_size_base="$TARGET_FILE_SIZE"
done

common=(--use_existing_db --tpch_scale="$SCALE" --repeats="$REPEATS" --baseline_threads="$THREADS")
# Pushdown scan workers: 1 and all cores (THREADS), each compared with the baselines of
# the same thread count (speedup_vs_best); label suffix _w<N> for N > 1.
WORKER_COUNTS=(1)
[ "$THREADS" -gt 1 ] && WORKER_COUNTS+=("$THREADS")
wsuffix() { [ "$1" = 1 ] || echo "_w$1"; }
# 2. Q6 warm (the page cache and the block cache hold the data after a warm-up run).
for c in none lz4; do
  for d in host kernel; do
    for w in "${WORKER_COUNTS[@]}"; do
      run "q6_${c}_$d$(wsuffix "$w")" --db="$WORK/tpch_$c" --compression_type="$c" "${common[@]}" \
        --benchmarks=tpch_q6 --pushdown="$d" --scan_workers="$w" --report="$WORK/q6.csv"
    done
  done
done
# 2a. Q1 (GROUP BY l_returnflag, l_linestatus) and Q6 as SQL through Query(), against
#     the same baselines (hand-written Q1 aggregation for the baselines, results checked).
for c in none lz4; do
  for d in host kernel; do
    for w in "${WORKER_COUNTS[@]}"; do
      run "q1_${c}_$d$(wsuffix "$w")" --db="$WORK/tpch_$c" --compression_type="$c" "${common[@]}" \
        --benchmarks=tpch_q1,tpch_q6_sql --pushdown="$d" --scan_workers="$w" --report="$WORK/q1.csv"
    done
  done
done
# 2b. The expert baselines linked statically (librocksdb.a cannot share a process with
#     the shared librocksdb of pushdown_bench): the same DBs, read-only, back to back with
#     the same program linked against the shared librocksdb (expert_scan_shared), which
#     isolates what the link mode alone is worth.
for c in none lz4; do
  for v in expert_scan_shared expert_scan; do
    say "${v}_$c"
    echo "\$ $v --db=$WORK/tpch_$c --repeats=$REPEATS --threads=$THREADS" >> "$WORK/commands.txt"
    "$BUILD/bin/$v" --db="$WORK/tpch_$c" --repeats="$REPEATS" --threads="$THREADS" \
      > "$WORK/${v}_$c.out" 2>&1 || { cat "$WORK/${v}_$c.out"; say "FAILED: ${v}_$c"; exit 1; }
    cat "$WORK/${v}_$c.out" >> "$LOG"
  done
done
# 3. Raw read limit of the same fast path: a TRUE filter over the same table.
for d in host kernel; do
  for w in "${WORKER_COUNTS[@]}"; do
    run "true_none_$d$(wsuffix "$w")" --db="$WORK/tpch_none" --compression_type=none "${common[@]}" \
      --benchmarks=filterscan --table=lineitem --predicate=TRUE --pushdown="$d" \
      --scan_workers="$w" --report="$WORK/true.csv"
  done
done
# 3a. Scaling of the pushdown scan: THREADS workers vs 1 (Q6 none and lz4, TRUE; host and
#     kernel), with speedup_vs_best at equal thread counts.
python3 "$ROOT/bench/pushdown_bench/scaling.py" --dat "$WORK/q6_speedup.dat" "$WORK/q6.csv" \
  "$WORK/true.csv" | tee "$WORK/scaling.txt" | tee -a "$LOG" >&2
# 3b. The floor of any filter through this path: every entry read, checksummed and
#     filtered, nothing delivered (l_orderkey < 0 matches no row).
for d in host kernel; do
  run "empty_none_$d" --db="$WORK/tpch_none" --compression_type=none "${common[@]}" \
    --benchmarks=filterscan --table=lineitem --predicate='l_orderkey < 0' --pushdown="$d" \
    --report="$WORK/empty.csv"
done
# 4. Selectivity sweep over lineitem (l_partkey ranges), uncompressed.
for d in host kernel; do
  run "sweep_tpch_$d" --db="$WORK/tpch_none" --compression_type=none "${common[@]}" \
    --benchmarks=selectivity_sweep --table=lineitem --pushdown="$d" --report="$WORK/sweep_tpch.csv"
done
# 5. Raw db_bench data (snappy, db_bench defaults): fillseq + compact, then
#    filterscan and the sweep on u64be(key, 0) % 1000 < k.
run fill_raw --db="$WORK/raw" --benchmarks=fillseq,compact --num="$NUM" \
  --target_file_size_base="$TARGET_FILE_SIZE"
for d in host kernel; do
  run "raw_$d" --db="$WORK/raw" --use_existing_db --num="$NUM" --repeats="$REPEATS" \
    --baseline_threads="$THREADS" --benchmarks=filterscan,selectivity_sweep \
    --predicate='u64be(key, 0) % 100 < 1' --pushdown="$d" --report="$WORK/sweep_raw.csv"
done
# 6. Cold Q6: page cache dropped before every timed run (root), O_DIRECT on the
#    fast path and use_direct_reads for the plain baseline, no block cache; the expert
#    baselines read with a 2 MiB readahead (what an expert uses for cold data).
for d in host kernel; do
  drop_caches
  run "q6_cold_none_$d" --db="$WORK/tpch_none" --compression_type=none "${common[@]}" \
    --benchmarks=tpch_q6 --pushdown="$d" --use_direct_reads --drop_caches --cache_size=-1 \
    --expert_reads=readahead \
    --report="$WORK/q6_cold.csv"
done

# 6b. The block filters alone (Google Benchmark): ns per entry, GB/s, fixed cost per batch.
say "device_bench"
echo "\$ device_bench --benchmark_min_time=0.2 --benchmark_out=$WORK/device.json --benchmark_out_format=json" >> "$WORK/commands.txt"
"$BUILD/bin/device_bench" --benchmark_min_time=0.2 --benchmark_out="$WORK/device.json" \
  --benchmark_out_format=json >> "$LOG" 2>&1 || { say "FAILED: device_bench"; exit 1; }

# 6b'. The plain read limit of the same files: io_uring reads + checksum verification of the
#      uncompressed lineitem table's SST files (read-only), no block walk, no filter.
say "sst_read_bench"
echo "\$ sst_read_bench --existing=$WORK/tpch_none --iters=5" >> "$WORK/commands.txt"
"$BUILD/tests/sst_read_bench" --existing="$WORK/tpch_none" --iters=5 > "$WORK/sst_read.out" 2>&1 \
  || { say "FAILED: sst_read_bench"; exit 1; }
cat "$WORK/sst_read.out" >> "$LOG"

# 6c. Q6 compile + verify + load on the kernel device through the CLI, five fresh processes.
say "compile"
Q6="l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"
echo "\$ for i in 1 2 3 4 5; do pushdown compile --schema lineitem --where \"$Q6\" --device kernel; done" >> "$WORK/commands.txt"
: > "$WORK/compile.out"
for i in 1 2 3 4 5; do
  "$BUILD/bin/pushdown" compile --schema lineitem --where "$Q6" --device kernel >> "$WORK/compile.out" 2>&1 \
    || { say "FAILED: compile"; exit 1; }
done

# 7. Plots.
"$ROOT/bench/plot.sh" --bars "$WORK/q6_speedup.dat" "$PLOTS" q6 \
  "TPC-H Q6 and TRUE filterscan, SF$SCALE, warm" "$THREADS" >> "$LOG"
"$ROOT/bench/plot.sh" "$WORK/sweep_tpch.csv" "$PLOTS" sweep_tpch \
  "lineitem SF$SCALE, uncompressed, warm: l_partkey <= P" >> "$LOG"
"$ROOT/bench/plot.sh" "$WORK/sweep_raw.csv" "$PLOTS" sweep_raw \
  "db_bench fillseq $NUM rows, snappy, warm: u64be(key, 0) % 1000 < k" >> "$LOG"

# 8. RESULTS.md
ELAPSED=$(( $(date +%s) - START_S ))
echo "run_all.sh took $((ELAPSED / 60)) min $((ELAPSED % 60)) s up to RESULTS.md (SCALE=$SCALE REPEATS=$REPEATS THREADS=$THREADS, REUSE_LOAD=${REUSE_LOAD:-0}), $(date -u '+%Y-%m-%d %H:%M') UTC." > "$WORK/runtime.txt"
SCALE="$SCALE" REPEATS="$REPEATS" NUM="$NUM" WORK="$WORK" ROOT_USER=$ROOT_USER THREADS="$THREADS" \
  TARGET_FILE_SIZE="$TARGET_FILE_SIZE" REUSE_LOAD="${REUSE_LOAD:-0}" \
  python3 "$ROOT/bench/pushdown_bench/write_results.py" > "$ROOT/bench/RESULTS.md"
say "wrote bench/RESULTS.md"
say "$(cat "$WORK/runtime.txt")"
