#!/usr/bin/env bash
# README command 1: installs what is missing, builds (release), and runs the
# main job: TPC-H Q6 compiled for the kernel eBPF device (plan, then the
# program loaded into the kernel verifier with its statistics) and for the
# host device (native JIT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh

LINEITEM='l_orderkey INT64 KEY, l_linenumber INT32 KEY, l_partkey INT64 NOT NULL, l_suppkey INT64 NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_linestatus CHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct CHAR(25) NOT NULL, l_shipmode CHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL'
Q6="l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"

echo "== pushdown compile: TPC-H Q6 over lineitem, plan"
build/bin/pushdown compile --schema "$LINEITEM" --where "$Q6" --emit plan
