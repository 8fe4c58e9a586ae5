#!/usr/bin/env bash
# examples/tp_linear on 1, 2, 3 and 4 processes: every run must print the
# same checksums (each whole parameter's and the model's) and write the
# same file, byte for byte; and the file must be the one a single process
# writes for the whole model (the 1-process run, whose shards are whole).
#   example_tp_linear.sh MPIEXEC "FLAGS" TP_LINEAR [FEATURES]
set -euo pipefail
mpiexec=$1 flags=$2 exe=$3 features=${4:-4096}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for np in 1 2 3 4; do
    # shellcheck disable=SC2086
    "$mpiexec" -n "$np" $flags "$exe" --features "$features" --seed 3 \
        "$scratch/model_$np.safetensors" > "$scratch/out_$np.txt"
    # The lines without the rank count and the file name.
    sed -e 's/ on [0-9]* rank(s)//' -e 's/  saved to .*//' \
        "$scratch/out_$np.txt" > "$scratch/sums_$np.txt"
done
cat "$scratch/out_4.txt"
status=0
for np in 2 3 4; do
    if ! cmp -s "$scratch/sums_1.txt" "$scratch/sums_$np.txt"; then
        echo "checksums on $np processes differ from 1 process's:"
        diff "$scratch/sums_1.txt" "$scratch/sums_$np.txt" || true
        status=1
    fi
    if ! cmp "$scratch/model_1.safetensors" "$scratch/model_$np.safetensors"; then
        echo "the file written by $np processes differs from 1 process's"
        status=1
    fi
done
[ "$(wc -l < "$scratch/sums_1.txt")" -eq 5 ] || { echo "expected 5 lines"; status=1; }
[ $status -eq 0 ] && echo "tp_linear: the same checksums and file on 1-4 processes"
exit $status
