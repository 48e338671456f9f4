#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and tests with, if missing.
# Idempotent: a machine that has everything runs no apt command at all.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  llvm-19-dev                 # code generation: BPF target + ORC JIT (see README)
  librocksdb-dev rocksdb-tools  # RocksDB 7.8 and stock db_bench, ldb, sst_dump
  libbpf-dev bpftool liburing-dev
  libgflags-dev libsnappy-dev liblz4-dev libzstd-dev zlib1g-dev libbz2-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev  # libFuzzer targets
  clang-format-14
  libcap2-bin util-linux       # capsh / setpriv: privilege-drop tests
  strace                       # codegen_no_files_test: no file opened by codegen
  gnuplot-nox                  # bench plots
  python3                      # examples/python/scan.py (the C API through ctypes; a ctest runs it)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
