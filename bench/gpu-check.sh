#!/usr/bin/env bash
# Runs on a GPU machine over a tree prepared by bench/gpu-prepare.sh (its
# build-gpu.tar.gz carried along, or build-gpu itself): the
# whole test suite (GPU tests included), the walkthrough on both devices
# (same seed, same numbers), and the benchmarks; a short table comes last.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -d build-gpu ] && [ -f build-gpu.tar.gz ]; then
    tar -xzf build-gpu.tar.gz
fi
cuda_lib=$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")/../lib64
export LD_LIBRARY_PATH="$PWD/build-gpu/libs:$PWD/build-gpu:$cuda_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
out=${OUT:-/tmp}
# The build recorded this tree's absolute path (test data, CTest files):
# make that path lead here when the tree was copied elsewhere.
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' build-gpu/CMakeCache.txt)
if [ -n "$src" ] && [ ! -e "$src" ]; then
    mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"
fi
nvidia-smi --query-gpu=name,clocks.max.sm,memory.total --format=csv,noheader || true

(cd build-gpu && ctest --output-on-failure 2>&1) | tee "$out/ctest.log" | tail -20
tests=$(grep -E "tests passed" "$out/ctest.log" || echo "ctest: no summary")

build-gpu/examples/walkthrough --device cuda --seed 0 > "$out/walk_cuda.txt"
build-gpu/examples/walkthrough --device cpu --seed 0 > "$out/walk_cpu.txt"
if diff <(sed 1d "$out/walk_cpu.txt") \
        <(sed 1d "$out/walk_cuda.txt" | sed "s/, device='cuda:0'//") >/dev/null; then
    walk="walkthrough: CPU and GPU print the same numbers"
else
    walk="walkthrough: CPU and GPU DIFFER (see walk_*.txt)"
fi

build-gpu/bench/ginit_bench --device cuda --reps 9 --csv "$out/bench_init_cuda.csv" \
    | tee "$out/bench_init_cuda.txt"
build-gpu/bench/ginit_bench_forward --device cuda | tee "$out/bench_forward_cuda.txt"

echo
echo "== summary"
head -1 "$out/walk_cuda.txt"
echo "$tests"
echo "$walk"
grep -E "^(uniform_|normal_) +2\^28" "$out/bench_init_cuda.txt"
grep -E "^tree" "$out/bench_init_cuda.txt"
tail -3 "$out/bench_forward_cuda.txt"
