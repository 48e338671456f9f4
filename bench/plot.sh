#!/bin/bash
# Renders the selectivity plots from a pushdown_bench --report CSV:
#   OUTDIR/<prefix>_time.png           median seconds vs selectivity
#   OUTDIR/<prefix>_bytes_to_host.png  median bytes delivered to the host vs selectivity
#   OUTDIR/<prefix>_speedup_vs_best.png  speedup_vs_best (fastest 1-thread baseline /
#                                      pushdown) and speedup_vs_best_allcores vs selectivity
# one line per path: the plain iterator baseline (RocksDB iterator + hand-written
# filter), the host JIT device and the kernel BPF device; the speedup plot
# compares each device with the best expert baseline of its own invocation.
# usage: bench/plot.sh REPORT.csv OUTDIR PREFIX "TITLE"
#
# bench/plot.sh --bars DAT OUTDIR PREFIX "TITLE" THREADS renders
#   OUTDIR/<prefix>_speedup_vs_best.png  speedup_vs_best per benchmark, compression and
#                                      device: pushdown at 1 worker vs the best 1-thread
#                                      baseline, at THREADS workers vs the best THREADS-thread one
# from bench/pushdown_bench/scaling.py --dat ("label" speedup_1t speedup_allcores).
set -euo pipefail
if [ "${1:-}" = --bars ]; then
  dat=$2 outdir=$3 prefix=$4 title=$5 threads=$6
  mkdir -p "$outdir"
  if [ -s "$dat" ]; then
    gnuplot <<GP
set terminal pngcairo size 900,560 font ",11" noenhanced
set output '$outdir/${prefix}_speedup_vs_best.png'
set title "$title: speedup_vs_best at equal thread counts"
set ylabel 'speedup_vs_best (best baseline s / pushdown s)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -25
set yrange [0:*]
set grid ytics
set key top right
plot '$dat' using 2:xtic(1) lc rgb '#0072b2' title 'pushdown 1 worker vs best 1-thread baseline', \
     '' using 3 lc rgb '#e69f00' title 'pushdown $threads workers vs best $threads-thread baseline', \
     1 with lines lw 1.5 lc rgb '#444444' dt 3 title 'break-even (1x)'
GP
  fi
  echo "wrote $outdir/${prefix}_speedup_vs_best.png"
  exit 0
fi
csv=$1
outdir=$2
prefix=$3
title=${4:-selectivity sweep}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$outdir"

# series target value -> median per (series, target), one file per series.
medians() {  # column-name
  awk -F, -v col="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
    $1 == "selectivity_sweep" {
      if ($2 != "baseline" && $2 != "pushdown") next
      s = ($2 == "baseline") ? "iterator" : $3
      print s, $idx["selectivity"], $idx[col]
    }' "$csv" |
    sort -k1,1 -k2,2g -k3,3g |
    awk '
      function flush() {
        if (n == 0) return
        m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        print cur_t, m >> (dir "/" cur_s ".'"$1"'.dat")
        n = 0
      }
      { if ($1 != cur_s || $2 != cur_t) { flush(); cur_s = $1; cur_t = $2 } v[++n] = $3 }
      END { flush() }' dir="$tmp"
}
medians seconds
medians bytes_to_host

plot() {  # metric ylabel outfile scale
  local lines=""
  for s in iterator host kernel; do
    local f="$tmp/$s.$1.dat"
    [ -s "$f" ] || continue
    local label=$s
    [ "$s" = iterator ] && label="iterator baseline (RocksDB iterator + hand-written filter)"
    [ "$s" = host ] && label="pushdown, host JIT"
    [ "$s" = kernel ] && label="pushdown, kernel eBPF"
    local style="lw 2 pt 7 ps 1.6"
    [ "$s" = kernel ] && style="lw 2 dt 2 pt 5 ps 1.0"
    lines+="${lines:+, }'$f' using (\$1*100):(\$2/$4) with linespoints $style title '$label'"
  done
  gnuplot <<GP
set terminal pngcairo size 900,560 font ",11" noenhanced
set output '$3'
set title "$title"
set xlabel 'rows selected (%, log scale)'
set ylabel '$2'
set logscale x
set logscale y
set grid
set key top left
plot $lines
GP
}
plot seconds 'median seconds per scan (log scale)' "$outdir/${prefix}_time.png" 1
plot bytes_to_host 'bytes delivered to the host, MiB (log scale)' "$outdir/${prefix}_bytes_to_host.png" 1048576

# speedup_vs_best per device and selectivity: the rows of one invocation (one
# sweep step) follow its pushdown_first row; best = min over the baselines' medians.
python3 - "$csv" "$tmp" <<'PY'
import csv, statistics, sys
from collections import defaultdict
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["benchmark"] == "selectivity_sweep"]
runs, cur = [], None
for r in rows:
    if r["path"] == "pushdown_first" or cur is None:
        cur = {"device": r["device"], "rows": []}
        runs.append(cur)
    cur["rows"].append(r)
out = defaultdict(list)
for run in runs:
    by = defaultdict(list)
    for r in run["rows"]:
        if r["path"] != "pushdown_first":
            by[r["path"]].append(r)
    if "pushdown" not in by:
        continue
    pm = statistics.median(float(r["seconds"]) for r in by["pushdown"])
    base = [(statistics.median(float(r["seconds"]) for r in rs), int(rs[0].get("threads") or 1))
            for p, rs in by.items() if p != "pushdown"]
    b1 = min(s for s, t in base if t == 1)
    ba = min(s for s, t in base)
    sel = float(by["pushdown"][0]["selectivity"])
    out[by["pushdown"][0]["device"]].append((sel, b1 / pm, ba / pm))
for dev, pts in out.items():
    with open(f"{sys.argv[2]}/{dev}.speedup.dat", "w") as f:
        for p in sorted(pts):
            f.write("%g %g %g\n" % p)
PY
lines=""
for s in host kernel; do
  f="$tmp/$s.speedup.dat"
  [ -s "$f" ] || continue
  label="pushdown, host JIT"
  color="#9400d3"
  [ "$s" = kernel ] && label="pushdown, kernel eBPF" && color="#0072b2"
  lines+="${lines:+, }'$f' using (\$1*100):2 with linespoints lw 2 lc rgb '$color' pt 7 ps 1.4 title '$label vs best 1-thread baseline'"
  lines+=", '$f' using (\$1*100):3 with linespoints lw 2 dt 2 lc rgb '$color' pt 5 ps 1.0 title '$label vs best all-core baseline'"
done
if [ -n "$lines" ]; then
  gnuplot <<GP
set terminal pngcairo size 900,560 font ",11" noenhanced
set output '$outdir/${prefix}_speedup_vs_best.png'
set title "$title: speedup vs the best baseline"
set xlabel 'rows selected (%, log scale)'
set ylabel 'speedup_vs_best (baseline s / pushdown s)'
set logscale x
set yrange [0:*]
set grid
set key top right
plot $lines, 1 with lines lw 1.5 lc rgb '#444444' dt 3 title 'break-even (1x)'
GP
fi
echo "wrote $outdir/${prefix}_time.png $outdir/${prefix}_bytes_to_host.png $outdir/${prefix}_speedup_vs_best.png"
