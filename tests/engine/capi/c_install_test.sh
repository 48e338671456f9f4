#!/bin/sh
# The C API from the INSTALLED package: installs the rocksdb_pushdown
# component into a temporary prefix, checks that pushdown/c.h is there,
# compiles tests/engine/capi/c_api_test.c with the C compiler against the
# installed header and library only (include and link flags from the
# installed rocksdb_pushdown.pc), and runs it; every function the header
# declares must be exported by the installed library.
# Usage: c_install_test.sh CMAKE BINARY_DIR SOURCE_DIR CC
set -eu
cmake=$1 bin=$2 src=$3 cc=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd_c_install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$cmake" --install "$bin" --component rocksdb_pushdown --prefix "$tmp/prefix" > "$tmp/install.log"
header="$tmp/prefix/include/rocksdb_pushdown/pushdown/c.h"
[ -f "$header" ] || { echo "not installed: $header"; exit 1; }
pc=$(find "$tmp/prefix" -name rocksdb_pushdown.pc | head -n 1)
[ -n "$pc" ] || { echo "no rocksdb_pushdown.pc in the install"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir=$(pkg-config --variable=libdir rocksdb_pushdown)
# -I flags only: the C compiler gets no C++ language flag the .pc may carry.
"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
  $(pkg-config --cflags-only-I rocksdb_pushdown) \
  "$src/tests/engine/capi/c_api_test.c" -o "$tmp/c_api_test" \
  $(pkg-config --libs rocksdb_pushdown) -pthread -Wl,-rpath,"$libdir"
# Every function the installed header declares is exported by the library.
lib=$(ls "$libdir"/librocksdb_pushdown.so* | head -n 1)
grep -oE 'pushdown_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '{print $3}' | sort -u > "$tmp/exported"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
[ -z "$missing" ] || { echo "declared in pushdown/c.h, not exported: $missing"; exit 1; }
echo "c_install_test: $(wc -l < "$tmp/declared") functions declared, all exported"
mkdir "$tmp/db"
"$tmp/c_api_test" "$tmp/db"
