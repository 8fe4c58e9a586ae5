#!/usr/bin/env bash
# Installs a configured build into a scratch prefix, then builds and runs a
# consumer through find_package(ginit) (shared and static) and pkg-config.
set -euo pipefail
build=${1:-build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S tests/consumer -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
# CMake links the build tree with the run path of the imported library:
# no LD_LIBRARY_PATH needed (README, Install).
"$prefix/consumer/consumer_shared"
"$prefix/consumer/consumer_static"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc tests/consumer/main.c $(pkg-config --cflags --libs ginit) -Wl,-rpath,"$prefix/lib" -o "$prefix/pc_shared"
"$prefix/pc_shared"
static_deps=$(pkg-config --static --libs ginit | sed 's/-lginit\b//')
cc tests/consumer/main.c $(pkg-config --cflags ginit) "$prefix/lib/libginit.a" $static_deps -o "$prefix/pc_static"
"$prefix/pc_static"
mpi=""
if [ -x "$prefix/consumer/consumer_mpi" ]; then
    # ginit_mpi from CMake (ginit::ginit_mpi) and from pkg-config, on two
    # processes (as root, Open MPI must be told it may run).
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    mpiexec -n 2 --oversubscribe "$prefix/consumer/consumer_mpi"
    mpicc tests/consumer/mpi_main.c $(pkg-config --cflags --libs ginit_mpi) \
          -Wl,-rpath,"$prefix/lib" -o "$prefix/pc_mpi"
    mpiexec -n 2 --oversubscribe "$prefix/pc_mpi"
    mpi=", and ginit_mpi through both on 2 processes"
fi
echo "install check: find_package (shared, static) and pkg-config (shared, static) all ran$mpi"
