#!/usr/bin/env bash
# Stock db_bench with and without the pushdown:// plugin, side by side.
# Usage: engine/plugin/bench_stock_db_bench.sh <build-dir> <work-dir> [runs]
# Prints one line per measurement: "<bench> <variant> <run> <micros/op> <ops/sec>",
# then a markdown table: median/min/max micros/op per benchmark and variant.
# Each run executes "stock" and "plugin" back to back, alternating which goes
# first, so that machine noise and cache warmth hit both alike.
set -euo pipefail
BUILD=${1:?build dir}
WORK=${2:?work dir}
RUNS=${3:-5}
SO="$BUILD/lib/librocksdb_pushdown.so"
DB_BENCH=/usr/bin/db_bench
test -f "$SO" || { echo "missing $SO" >&2; exit 1; }
mkdir -p "$WORK"

NUM=${NUM:-1000000}
READS=${READS:-200000}
DIRECT_READS=${DIRECT_READS:-50000}
FILL_NUM=${FILL_NUM:-500000}

run() {  # run <bench-name> <variant> <run#> <db_bench args...>
  local name=$1 variant=$2 i=$3
  shift 3
  local out
  if [[ $variant == plugin ]]; then
    out=$(LD_PRELOAD="$SO" "$DB_BENCH" --fs_uri=pushdown:// "$@" 2>&1)
  else
    out=$("$DB_BENCH" "$@" 2>&1)
  fi
  local line
  line=$(grep -E "^[a-z]+ +: " <<<"$out" | tail -1)
  [[ -n $line ]] || { echo "db_bench failed: $out" >&2; exit 1; }
  awk -v n="$name" -v v="$variant" -v i="$i" '{print n, v, i, $3, $5}' <<<"$line" |
    tee -a "$RESULTS"
}

# Read benchmarks share one DB, built once and compacted (no plugin).
READ_DB="$WORK/readdb"
if [[ ! -f "$READ_DB/CURRENT" ]]; then
  "$DB_BENCH" --db="$READ_DB" --benchmarks=fillrandom,compact --num="$NUM" >/dev/null 2>&1
fi
COMMON_READ=(--db="$READ_DB" --use_existing_db=1 --num="$NUM")

RESULTS="$WORK/results.txt"
: >"$RESULTS"
for i in $(seq 1 "$RUNS"); do
  order="stock plugin"
  if ((i % 2 == 0)); then order="plugin stock"; fi
  for variant in $order; do
    rm -rf "$WORK/filldb"
    run fillrandom "$variant" "$i" --db="$WORK/filldb" --benchmarks=fillrandom --num="$FILL_NUM"
    run readrandom "$variant" "$i" "${COMMON_READ[@]}" --benchmarks=readrandom --reads="$READS"
    run multireadrandom_b1 "$variant" "$i" "${COMMON_READ[@]}" --benchmarks=multireadrandom \
      --reads="$READS"
    run multireadrandom_b32 "$variant" "$i" "${COMMON_READ[@]}" --benchmarks=multireadrandom \
      --reads="$READS" --batch_size=32 --multiread_batched=true
    run multireadrandom_b32_direct "$variant" "$i" "${COMMON_READ[@]}" \
      --benchmarks=multireadrandom --reads="$DIRECT_READS" --batch_size=32 \
      --multiread_batched=true --use_direct_reads=true
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    name, variant, _, micros, _ = line.split()
    if name not in order:
        order.append(name)
    rows.setdefault((name, variant), []).append(float(micros))
print()
print("| benchmark | stock median (min..max) us/op | plugin median (min..max) us/op | speedup (stock/plugin medians) |")
print("|---|---|---|---|")
for name in order:
    s, p = rows[(name, "stock")], rows[(name, "plugin")]
    fmt = lambda v: f"{statistics.median(v):.3f} ({min(v):.3f}..{max(v):.3f})"
    print(f"| {name} | {fmt(s)} | {fmt(p)} | {statistics.median(s) / statistics.median(p):.2f}x |")
PY
