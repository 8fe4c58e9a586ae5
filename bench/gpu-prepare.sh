#!/usr/bin/env bash
# Builds a GPU-ready tree here (no GPU needed) for a machine that cannot
# install anything: build-gpu/ for sm_90 (the probe then refuses older
# GPUs: it accepts what the build carries) plus, in build-gpu/libs, the
# shared libraries its programs load that such a machine lacks: Criterion,
# OpenBLAS, LAPACKE and their own dependencies. Never the C library, the
# C++ runtime or anything else of the base system (a copy built for this
# glibc fails to load on an older one), never the CUDA libraries (the GPU
# machine has its own CUDA 13). Packed as build-gpu.tar.gz, the one file to
# carry there. The simulator's tests are left out: they need no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# ginit_mpi stays out: the GPU machine has no MPI to load.
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DGINIT_CUDA=ON \
      -DGINIT_MPI=OFF -DCMAKE_CUDA_ARCHITECTURES=90 -DGINIT_CUDA_SIM=OFF \
      >/dev/null
cmake --build build-gpu -j "$(nproc)" >/dev/null
rm -rf build-gpu/libs && mkdir -p build-gpu/libs
for exe in build-gpu/tests/test_* build-gpu/examples/walkthrough \
           build-gpu/bench/ginit_bench_*; do
    ldd "$exe" | awk '/=> \//{print $3}'
done | sort -u |
    grep -vE '/(libc|libm|libdl|librt|libpthread|libresolv|libutil|libstdc\+\+|libgcc_s|libz|libcrypt|ld-linux[^/]*)\.so|/libcu|/libnv' |
    while read -r lib; do cp -L "$lib" build-gpu/libs/; done
# What travels must stay under the transfer limit: drop the object files,
# and send one gzip archive (the libraries alone pass 64 MiB; gzip is on
# every Debian machine). gpu-check.sh unpacks it where build-gpu is absent.
find build-gpu -name CMakeFiles -prune -exec rm -rf {} +
find build-gpu -name '*.a' -delete
rm -f build-gpu/libs/libginit.so* # the build's own copy is found first
tar -czf build-gpu.tar.gz build-gpu
du -sh build-gpu build-gpu.tar.gz
