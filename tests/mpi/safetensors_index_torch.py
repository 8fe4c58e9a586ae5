"""PyTorch reads a sharded checkpoint that ginit_mpi writes on 3
processes the way transformers reads one: the index's weight_map, each
file with safetensors.torch.load_file. The tensors (every dtype, sharded by
rows, columns, a grid, flat ranges, replicated; 0-D and empty ones) equal
those of the file one process writes of the whole tensors, bit for bit, and
total_size is their data's size.

Usage (run by safetensors_torch.sh): safetensors_index_torch.py HELPER
WORKDIR, with GINIT_MPIEXEC the mpiexec command line (processes included).
"""
import json
import os
import subprocess
import sys

import torch
from safetensors.torch import load_file

HELPER, WORK = sys.argv[1], sys.argv[2]


def raw(t):
    if t.numel() == 0:
        return b""
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def main():
    subprocess.run(os.environ["GINIT_MPIEXEC"].split() + [HELPER, WORK],
                   check=True)
    ckpt = os.path.join(WORK, "ckpt")
    with open(os.path.join(ckpt, "model.safetensors.index.json")) as f:
        index = json.load(f)
    weight_map = index["weight_map"]
    state = {}
    files = sorted(set(weight_map.values()))
    for name in files:
        part = load_file(os.path.join(ckpt, name))
        assert all(weight_map[k] == name for k in part), name
        state.update(part)
    whole = load_file(os.path.join(WORK, "whole.safetensors"))
    assert sorted(state) == sorted(whole) == sorted(weight_map)
    size = 0
    for name, want in whole.items():
        got = state[name]
        assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
        assert got.shape == want.shape, (name, got.shape, want.shape)
        assert raw(got) == raw(want), f"{name}: the bytes differ"
        size += want.numel() * want.element_size()
    assert index["metadata"]["total_size"] == size, index["metadata"]
    print(f"index: {len(files)} files, {len(state)} tensors bit for bit, "
          f"total_size {size}")


main()
