#!/bin/bash
# Renders the selectivity plots from a pushdown_bench --report CSV:
#   OUTDIR/<prefix>_time.png           median seconds vs selectivity
#   OUTDIR/<prefix>_bytes_to_host.png  median bytes delivered to the host vs selectivity
# one line per path: the iterator baseline (RocksDB iterator + hand-written
# filter), the host JIT device and the kernel BPF device.
# usage: bench/plot.sh REPORT.csv OUTDIR PREFIX "TITLE"
set -euo pipefail
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
echo "wrote $outdir/${prefix}_time.png $outdir/${prefix}_bytes_to_host.png"
