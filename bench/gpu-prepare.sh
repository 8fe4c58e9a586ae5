#!/usr/bin/env bash
# Builds a GPU-ready tree here (no GPU needed) for a machine that cannot
# install anything: build-gpu/ for sm_90 plus, in build-gpu/libs, every
# shared library its programs load that is not part of the base system.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DGINIT_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
cmake --build build-gpu -j "$(nproc)" >/dev/null
mkdir -p build-gpu/libs
for exe in build-gpu/tests/test_* build-gpu/examples/walkthrough \
           build-gpu/bench/ginit_bench_*; do
    ldd "$exe" | awk '/=> \//{print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|librt|libpthread|ld-linux[^/]*)\.so' |
    while read -r lib; do cp -L "$lib" build-gpu/libs/; done
du -sh build-gpu/libs
