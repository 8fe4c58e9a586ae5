#!/usr/bin/env bash
# CTest's test_safetensors_torch: the PyTorch round trips of
# safetensors_torch.py (or of SCRIPT: test_mpi_safetensors_torch's
# mpi/safetensors_index_torch.py), with Debian's python3-torch
# (/usr/bin/python3) and the safetensors package from PyPI, installed at
# the first run into a virtual environment that sees the system's packages
# (VENV, under the build directory).
#
# Usage: safetensors_torch.sh HELPER VENV [SCRIPT]
# Without torch, venv or pip the test is skipped (exit status 77, saying
# why), unless GINIT_REQUIRE_TORCH=1 (CI), which makes that a failure.
set -euo pipefail
helper="$1" venv="$2"
here="$(cd "$(dirname "$0")" && pwd)"
script="${3:-$here/safetensors_torch.py}"
# The last version tested with torch 1.13 and Python 3.11.
pin="safetensors==0.4.5"

unavailable() {
    echo "$(basename "$script"): $1" >&2
    if [ "${GINIT_REQUIRE_TORCH:-0}" = 1 ]; then
        echo "GINIT_REQUIRE_TORCH=1: failing instead of skipping" >&2
        exit 1
    fi
    exit 77
}

python=/usr/bin/python3
[ -x "$python" ] || unavailable "no $python"
"$python" -c "import torch" 2>/dev/null ||
    unavailable "$python has no torch (Debian: python3-torch)"
if ! "$venv/bin/python" -c "import safetensors.torch" 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m venv --system-site-packages "$venv" 2>&1 ||
        unavailable "cannot make a venv (Debian: python3-venv)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$pin" 2>&1 || unavailable "pip cannot install $pin"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$script" "$helper" "$work"
