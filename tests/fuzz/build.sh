#!/usr/bin/env bash
# Builds the libFuzzer targets tests/fuzz/fuzz_ginit.c (the API) and
# tests/fuzz/fuzz_safetensors.c (the file loader) and
# tests/fuzz/fuzz_st_index.c (the sharded-checkpoint index) with ASan + UBSan,
# against the library's CPU sources compiled with the same sanitizers.
#
# Debian 12 packages: clang-14 libclang-rt-14-dev libomp-14-dev
#                     libopenblas-dev liblapacke-dev libjansson-dev pkg-config
#   (libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes;
#    libomp-14-dev is clang's OpenMP runtime, for -fopenmp)
#
# Usage: tests/fuzz/build.sh [OUT_DIR]   (default: build-fuzz, git-ignored)
# Environment: CC (default: clang-14, else clang), FUZZ_OPENMP=0 to build
# without OpenMP, FUZZ_FAULTS=1 to build the library with its allocation
# failure injection (-DGINIT_FAULT_INJECTION, src/core/fault.c), which the target
# then drives: fuzzed allocations fail, and each failing call must report it
# and leave everything as it was.
#
# OpenMP: the library's parallel loops only fork at 32768 elements or more;
# the fuzzer's own tensors stay below 4096 elements but forward outputs reach
# 262144, so with -fopenmp those loops really run on libomp's threads. libomp
# is not ASan-instrumented, but ASan only needs its allocations intercepted,
# which they are, and it has given no false reports; FUZZ_OPENMP=0 turns it
# off should a future runtime disagree.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build-fuzz}"
mkdir -p "$out/obj"

if [ -z "${CC:-}" ]; then
    if command -v clang-14 >/dev/null; then CC=clang-14; else CC=clang; fi
fi
omp=()
if [ "${FUZZ_OPENMP:-1}" != 0 ]; then omp=(-fopenmp); fi

# shellcheck disable=SC2207
blas_cflags=($(pkg-config --cflags openblas lapacke jansson))
# shellcheck disable=SC2207
blas_libs=($(pkg-config --libs openblas lapacke jansson))

common=(-std=c11 -g -O1 -fno-omit-frame-pointer
        -ffp-contract=off -fno-fast-math -fno-math-errno -fno-trapping-math
        -fno-sanitize-recover=undefined "${omp[@]}")
if [ "${FUZZ_FAULTS:-0}" != 0 ]; then common+=(-DGINIT_FAULT_INJECTION=1); fi
# shellcheck disable=SC2054 # the commas belong to -fsanitize=
cflags=("${common[@]}" -fsanitize=fuzzer-no-link,address,undefined
        -I"$root/include" -I"$root/src" "${blas_cflags[@]}")

list=$("$root/scripts/cpu-sources.sh")
mapfile -t sources <<<"$list"
if [ "${FUZZ_FAULTS:-0}" != 0 ]; then sources+=(src/core/fault.c); fi
objs=()
for rel in "${sources[@]}"; do
    src="$root/$rel"
    obj="$out/obj/$(basename "${src%.c}").o"
    "$CC" "${cflags[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done


for target in fuzz_ginit fuzz_safetensors fuzz_st_index; do
    "$CC" "${cflags[@]}" -c "$root/tests/fuzz/$target.c" \
        -o "$out/obj/$target.o"
    "$CC" "${common[@]}" -fsanitize=fuzzer,address,undefined \
        "$out/obj/$target.o" "${objs[@]}" "${blas_libs[@]}" -lm \
        -o "$out/$target"
    echo "built $out/$target"
done
