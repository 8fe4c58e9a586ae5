#!/usr/bin/env bash
# Runs a libFuzzer target (ASan + UBSan, CPU only) for a bounded time.
#
# Debian 12 packages: clang-14 libclang-rt-14-dev libomp-14-dev
#                     libopenblas-dev liblapacke-dev libjansson-dev pkg-config
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET]   (default 60 fuzz_ginit)
#   TARGET fuzz_ginit: the API, from the corpus tests/fuzz/corpus/;
#   TARGET fuzz_safetensors: the file loader, from tests/fuzz/corpus_safetensors/;
#   TARGET fuzz_st_index: the index of a sharded checkpoint, from
#   tests/fuzz/corpus_st_index/.
#
# Builds the targets first when they are missing or older than the
# sources (tests/fuzz/build.sh), then fuzzes starting from the target's
# committed corpus (read only: new inputs go to build-fuzz/corpus/ or
# build-fuzz/corpus_safetensors/, so the work tree stays clean).
# Exits non-zero on any finding: a crash, a sanitizer report, a leak, a
# failed check() of the target, a timeout (10 s for one input) or going
# over 2 GiB; the input that did it is saved under
# build-fuzz/artifacts/ and can be replayed with
#   build-fuzz/fuzz_ginit build-fuzz/artifacts/crash-...
# To grow the committed corpus after a long run (keep it small):
#   build-fuzz/fuzz_ginit -merge=1 tests/fuzz/corpus build-fuzz/corpus
set -euo pipefail

secs="${1:-60}"
target="${2:-fuzz_ginit}"
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET]" >&2; exit 2 ;; esac
case "$target" in
fuzz_ginit) corpus=corpus ;;
fuzz_safetensors) corpus=corpus_safetensors ;;
fuzz_st_index) corpus=corpus_st_index ;;
*) echo "$0: unknown target '$target'" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/../.." && pwd)"
# FUZZ_FAULTS=1: the build with allocation-failure injection (build.sh).
if [ "${FUZZ_FAULTS:-0}" != 0 ]; then
    out="${FUZZ_OUT:-$root/build-fuzz-faults}"
else
    out="${FUZZ_OUT:-$root/build-fuzz}"
fi
bin="$out/$target"

if [ ! -x "$bin" ] || [ -n "$(find "$root/src" "$root/include" "$root/tests/fuzz" \
        "$root/CMakeLists.txt" -newer "$bin" \( -name '*.[ch]' -o -name '*.sh' \
        -o -name CMakeLists.txt \) -print -quit)" ]; then
    "$root/tests/fuzz/build.sh" "$out"
fi

mkdir -p "$out/$corpus" "$out/artifacts"
# Sanitizer reports end the run with a non-zero status; UBSan's included.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# Few threads: results never depend on them, and runs stay comparable.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2
unset GINIT_DEVICE

echo "fuzzing $target for ${secs}s (corpus: tests/fuzz/$corpus + $out/$corpus)"
status=0
# The hard limit covers loading the corpus and a last slow input.
timeout --kill-after=10 $((secs + 120)) "$bin" \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$out/$corpus" "$root/tests/fuzz/$corpus" || status=$?
if [ "$status" -ne 0 ]; then
    echo "fuzz: FINDING (exit status $status); reproducer(s):" >&2
    # shellcheck disable=SC2012 # names are libFuzzer's crash-<sha1>
    ls -t "$out/artifacts" | head -5 | sed "s|^|  $out/artifacts/|" >&2
    exit "$status"
fi
echo "fuzz: no finding in $target in ${secs}s"
