#!/usr/bin/env bash
# Prints the library's CPU sources, one path relative to the repository a
# line: the GINIT_SOURCES list of CMakeLists.txt (the CUDA files and the
# fault-injection hooks are appended to it elsewhere), so that builds made
# outside CMake (tests/fuzz, tests/tsan) compile exactly what the library
# does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sources=$(sed -n '/^set(GINIT_SOURCES/,/)/p' "$root/CMakeLists.txt" |
          grep -o 'src/[A-Za-z0-9_/]*\.c' || true)
if [ -z "$sources" ]; then
    echo "cpu-sources.sh: no GINIT_SOURCES list in CMakeLists.txt" >&2
    exit 1
fi
echo "$sources"
