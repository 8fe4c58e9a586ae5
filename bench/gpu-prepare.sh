#!/usr/bin/env bash
# Builds a GPU-ready tree here (no GPU needed) for a machine that cannot
# install anything: build-gpu/ for sm_90 plus, in build-gpu/libs, every
# shared library its programs load that is neither part of the base system
# nor of the CUDA toolkit (the GPU machine has its own CUDA 13 libraries),
# packed as build-gpu.tar.gz, the one file to carry there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DGINIT_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
cmake --build build-gpu -j "$(nproc)" >/dev/null
rm -rf build-gpu/libs && mkdir -p build-gpu/libs
for exe in build-gpu/tests/test_* build-gpu/examples/walkthrough \
           build-gpu/bench/ginit_bench_*; do
    ldd "$exe" | awk '/=> \//{print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|librt|libpthread|ld-linux[^/]*)\.so|/libcu|/libnv' |
    while read -r lib; do cp -L "$lib" build-gpu/libs/; done
# What travels must stay under the transfer limit: drop the object files,
# and send one gzip archive (the libraries alone pass 64 MiB; gzip is on
# every Debian machine). gpu-check.sh unpacks it where build-gpu is absent.
find build-gpu -name CMakeFiles -prune -exec rm -rf {} +
find build-gpu -name '*.a' -delete
rm -f build-gpu/libs/libginit.so* # the build's own copy is found first
tar -czf build-gpu.tar.gz build-gpu
du -sh build-gpu build-gpu.tar.gz
