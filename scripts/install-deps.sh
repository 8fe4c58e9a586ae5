#!/usr/bin/env bash
# Installs the Debian packages ginit needs to build and test, when missing.
# Run as root (as CI does) it installs them; otherwise it says what to run.
#   install-deps.sh        what `make demo` and `make test` need
#   install-deps.sh --ci   that plus CI's checkers (valgrind, clang's
#                          sanitizers and libFuzzer) and Debian's PyTorch
#                          with venv, for the safetensors round trips,
#                          the DLPack exchanges and the torch_cpu
#                          generator's checks against PyTorch
#   install-deps.sh --bench  that plus Debian's PyTorch (python3-torch), which
#                          `make bench` compares ginit with (the tests skip
#                          their PyTorch checks without it), and ScaLAPACK,
#                          which the MPI orthogonal_ benchmark compares
#                          ginit_mpi with
set -euo pipefail

packages=(cmake make gcc g++ pkg-config libcriterion-dev libopenblas-dev
          liblapacke-dev libjansson-dev libdlpack-dev openmpi-bin
          libopenmpi-dev)
case "${1:-}" in
--ci) packages+=(valgrind clang-14 libclang-rt-14-dev libomp-14-dev
                python3-torch python3-venv libscalapack-openmpi-dev) ;;
--bench) packages+=(python3-torch libscalapack-openmpi-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "ginit needs these packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
