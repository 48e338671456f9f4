#!/usr/bin/env bash
# README command 1: installs what is missing, builds (release), and runs the
# main job:
#   1. TPC-H Q6 compiled for the kernel eBPF device: the plan (device/residual
#      split), then the program loaded into the kernel verifier with its
#      statistics (or the fallback reason).
#   2. TPC-H lineitem at scale 0.1 (~600,000 rows) loaded into ./data/tpch-0.1
#      (skipped when ./data/tpch-0.1.loaded says that DB is already fully
#      loaded at scale 0.1 with the default seed; otherwise the directory is
#      removed and loaded again).
#   3. Q6 (count + revenue) scanned on the kernel device, the host device and
#      the RocksDB iterator path; the three results must be identical (the
#      script fails loudly if not), each with its scan statistics: bytes read
#      from storage vs bytes delivered to the host.
# Environment: PUSHDOWN (the CLI, default build/bin/pushdown), DATA (default
# ./data), SCALE (default 0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh

PUSHDOWN=${PUSHDOWN:-build/bin/pushdown}
DATA=${DATA:-data}
SCALE=${SCALE:-0.1}
DB="$DATA/tpch-$SCALE"
MARKER="$DB.loaded"
Q6="l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"
AGG='count(*), sum(l_extendedprice * l_discount)'

echo "== pushdown compile: TPC-H Q6 over lineitem, plan"
"$PUSHDOWN" compile --schema lineitem --where "$Q6" --emit plan
echo
echo "== pushdown compile: TPC-H Q6 loaded on the kernel device (verifier statistics)"
"$PUSHDOWN" compile --schema lineitem --where "$Q6" --device kernel
echo

echo "== TPC-H lineitem, scale $SCALE, in $DB"
EXPECTED_MARKER="scale=$SCALE seed=default"
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$EXPECTED_MARKER" && -f "$DB/CURRENT" ]]; then
  echo "already loaded ($MARKER: $EXPECTED_MARKER)"
else
  rm -rf "$DB" "$MARKER"
  mkdir -p "$DATA"
  "$PUSHDOWN" load-tpch --db "$DB" --scale "$SCALE"
  echo "$EXPECTED_MARKER" > "$MARKER"
fi
"$PUSHDOWN" tables --db "$DB"
echo

echo "== pushdown explain: Q6 on the kernel device"
"$PUSHDOWN" explain --db "$DB" --table lineitem --where "$Q6" --device kernel
echo

# json_field JSON KEY: the value of a top-level number or string key.
json_field() {
  sed -E -n "s/.*\"$2\":(\"([^\"]*)\"|([0-9.]+)).*/\2\3/p" <<< "$1"
}

declare -A RESULT
for device in kernel host iterator; do
  echo "== Q6 on device=$device"
  err=$(mktemp)
  "$PUSHDOWN" scan --db "$DB" --table lineitem --where "$Q6" --aggregate "$AGG" \
    --device "$device" --stats > "$err.out" 2> "$err"
  RESULT[$device]=$(cat "$err.out")
  stats=$(tail -n 1 "$err")
  rm -f "$err" "$err.out"
  echo "${RESULT[$device]}"
  echo "stats: $stats"
  fallback=$(json_field "$stats" fallback_reason)
  printf 'path %s, device %s%s\n' "$(json_field "$stats" path)" "$(json_field "$stats" device)" \
    "${fallback:+ (fallback: $fallback)}"
  read=$(json_field "$stats" bytes_read)
  to_host=$(json_field "$stats" bytes_to_host)
  if [[ "$(json_field "$stats" path)" == iterator ]]; then
    read="(not measured on the iterator path: every data block)"
  elif [[ "$read" -gt 0 ]]; then
    to_host="$to_host ($(( to_host * 1000 / read / 10 )).$(( to_host * 1000 / read % 10 ))% of the bytes read)"
  fi
  printf 'bytes read from storage %s\nbytes delivered to the host %s\n' "$read" "$to_host"
  printf 'rows scanned %s, matched %s, %s ms\n' "$(json_field "$stats" rows_scanned)" \
    "$(json_field "$stats" rows_matched)" "$(json_field "$stats" elapsed_ms)"
  echo
done

if [[ "${RESULT[kernel]}" != "${RESULT[iterator]}" || "${RESULT[host]}" != "${RESULT[iterator]}" ]]; then
  echo "FAIL: Q6 results differ between devices:" >&2
  for device in kernel host iterator; do echo "  $device: ${RESULT[$device]//$'\n'/ | }" >&2; done
  exit 1
fi
echo "OK: Q6 results identical on kernel, host and iterator paths"
