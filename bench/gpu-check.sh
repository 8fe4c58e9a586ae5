#!/usr/bin/env bash
# Runs on a GPU machine over a tree prepared by bench/gpu-prepare.sh (its
# build-gpu.tar.gz carried along, or build-gpu itself). First what decides
# whether anything can run there: the glibc version, libraries the
# programs cannot find, the GPU and whether it has memory pools. Then the
# whole test suite with GINIT_REQUIRE_GPU=1 (a GPU test that would skip
# fails instead), the walkthrough on both devices (same seed, same
# numbers), and the benchmarks; a short table comes last. Each step has a
# time limit so that the table is printed within one device session.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -d build-gpu ] && [ -f build-gpu.tar.gz ]; then
    tar -xzf build-gpu.tar.gz
fi
cuda_lib=$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")/../lib64
export LD_LIBRARY_PATH="$PWD/build-gpu/libs:$PWD/build-gpu:$cuda_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GINIT_REQUIRE_GPU=1
out=${OUT:-/tmp}
# The build recorded this tree's absolute path (test data, CTest files):
# make that path lead here when the tree was copied elsewhere.
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' build-gpu/CMakeCache.txt)
if [ -n "$src" ] && [ ! -e "$src" ]; then
    mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"
fi

echo "== machine"
ldd --version 2>&1 | head -1
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total \
           --format=csv,noheader || true
missing=$(for exe in build-gpu/tests/test_* build-gpu/examples/walkthrough \
                     build-gpu/bench/ginit_bench*; do
              ldd "$exe" 2>&1 | grep -E "not found|version .* not found" |
                  sed "s|^|$(basename "$exe"): |"
          done | sort -u)
if [ -n "$missing" ]; then
    echo "libraries not found:"
    echo "$missing"
else
    echo "libraries: every program finds all it loads"
fi
device=$(timeout 60 build-gpu/examples/walkthrough --device cuda --seed 0 2>&1 | head -1)
echo "$device"   # names the GPU, and ", no memory pools" where it has none

echo "== tests"
(cd build-gpu && timeout 420 ctest --output-on-failure -j 4 2>&1) |
    tee "$out/ctest.log" | tail -25
tests=$(grep -E "tests passed|tests failed" "$out/ctest.log" || echo "ctest: no summary (timed out?)")

echo "== walkthrough"
timeout 60 build-gpu/examples/walkthrough --device cuda --seed 0 > "$out/walk_cuda.txt"
timeout 60 build-gpu/examples/walkthrough --device cpu --seed 0 > "$out/walk_cpu.txt"
if diff <(sed 1d "$out/walk_cpu.txt") \
        <(sed 1d "$out/walk_cuda.txt" | sed "s/, device='cuda:0'//") >/dev/null; then
    walk="walkthrough: CPU and GPU print the same numbers"
else
    walk="walkthrough: CPU and GPU DIFFER (see walk_*.txt)"
fi

echo "== benchmarks"
timeout 150 build-gpu/bench/ginit_bench --device cuda --reps 9 \
    --csv "$out/bench_init_cuda.csv" | tee "$out/bench_init_cuda.txt"
timeout 60 build-gpu/bench/ginit_bench_forward --device cuda |
    tee "$out/bench_forward_cuda.txt"

echo
echo "== summary"
echo "$device"
echo "$tests"
echo "$walk"
grep -E "^(uniform_|normal_) +2\^28" "$out/bench_init_cuda.txt"
grep -E "^tree" "$out/bench_init_cuda.txt"
tail -3 "$out/bench_forward_cuda.txt"
