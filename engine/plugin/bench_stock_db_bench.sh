#!/usr/bin/env bash
# Stock db_bench with and without the pushdown:// plugin, side by side.
# Usage: engine/plugin/bench_stock_db_bench.sh <build-dir> <work-dir> [runs]
# Prints one line per measurement: "<bench> <variant> <run> <micros/op> <ops/sec> <cpu us/op>",
# then markdown tables: median/min/max of db_bench's micros/op (wall) and of the
# process's CPU microseconds per op, per benchmark and variant.
# Each run executes "stock" and "plugin" back to back, alternating which goes
# first, so that machine noise and cache warmth hit both alike.
set -euo pipefail
BUILD=${1:?build dir}
WORK=${2:?work dir}
RUNS=${3:-5}
# The library by its SONAME (librocksdb_pushdown.so.X), the installed name.
SONAME=$(readelf -d "$BUILD/lib/librocksdb_pushdown.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
SO="$BUILD/lib/$SONAME"
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
  # /usr/bin/time adds the process's CPU seconds (user, sys): with a loaded
  # shared machine, CPU time per op is steadier than wall time per op.
  if [[ $variant == plugin ]]; then
    out=$(LD_PRELOAD="$SO" /usr/bin/time -f "pdcpu %U %S" "$DB_BENCH" --fs_uri=pushdown:// "$@" 2>&1)
  else
    out=$(/usr/bin/time -f "pdcpu %U %S" "$DB_BENCH" "$@" 2>&1)
  fi
  local line cpu
  line=$(grep -E "^[a-z]+ +: " <<<"$out" | tail -1)
  cpu=$(grep -E "^pdcpu " <<<"$out" | tail -1)
  [[ -n $line && -n $cpu ]] || { echo "db_bench failed: $out" >&2; exit 1; }
  # name variant run wall_us/op ops/sec cpu_us/op
  awk -v n="$name" -v v="$variant" -v i="$i" -v cpu="$cpu" '{
      split(cpu, c, " "); printf "%s %s %s %s %s %.3f\n", n, v, i, $3, $5, (c[2] + c[3]) * 1e6 / $9 }' \
    <<<"$line" | tee -a "$RESULTS"
}

# Drops the read DB's files (only those) from the page cache.
evict() {
  python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$READ_DB"/*.sst
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
    evict
    run multireadrandom_b32_cold "$variant" "$i" "${COMMON_READ[@]}" --benchmarks=multireadrandom \
      --reads="$DIRECT_READS" --batch_size=32 --multiread_batched=true
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
    name, variant, _, micros, _, cpu = line.split()
    if name not in order:
        order.append(name)
    rows.setdefault((name, variant), []).append((float(micros), float(cpu)))
fmt = lambda v: f"{statistics.median(v):.3f} ({min(v):.3f}..{max(v):.3f})"
for col, title in ((0, "wall micros/op (db_bench)"), (1, "process CPU us/op")):
    print()
    print(f"| benchmark | stock: {title}, median (min..max) | plugin: median (min..max) | stock/plugin |")
    print("|---|---|---|---|")
    for name in order:
        s = [r[col] for r in rows[(name, "stock")]]
        p = [r[col] for r in rows[(name, "plugin")]]
        print(f"| {name} | {fmt(s)} | {fmt(p)} | {statistics.median(s) / statistics.median(p):.2f}x |")
PY
