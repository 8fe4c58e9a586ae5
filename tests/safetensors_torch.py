"""PyTorch round trips of ginit's safetensors files (run by
safetensors_torch.sh with a Python that has torch and safetensors).

  1. ginit saves Sequential(Linear(4, 8), ReLU(), Linear(8, 3)); the same
     nn.Sequential loads it with load_state_dict(strict=True) and its
     forward equals ginit's;
  2. ginit saves every dtype (0-D and empty tensors too) with metadata;
     safetensors.torch.load_file reads them bit for bit;
  3. safetensors.torch.save_file writes every dtype, special values
     included, with metadata; ginit reads them bit for bit;
  4. PyTorch writes a model as a sharded checkpoint in Hugging Face's
     layout (two files and model.safetensors.index.json, as
     save_pretrained does); ginit loads it into the same tree through the
     index, bit for bit.

Usage: safetensors_torch.py HELPER WORKDIR
"""
import json
import os
import subprocess
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

HELPER, WORK = sys.argv[1], sys.argv[2]
NAMES = {torch.float32: "float32", torch.float64: "float64",
         torch.float16: "float16", torch.bfloat16: "bfloat16"}


def ginit(*args):
    out = subprocess.run([HELPER, *args], check=True, capture_output=True,
                         text=True)
    return out.stdout.splitlines()


def parse(lines):
    """{name: (dtype name, shape, bytes)} from the helper's tensor lines."""
    tensors, meta = {}, {}
    for line in lines:
        if line.startswith("meta "):
            key, _, value = line[5:].partition("=")
            meta[key] = value
            continue
        name, dtype, shape, data = line.split(" ")
        dims = () if shape == "-" else tuple(int(s) for s in shape.split(","))
        tensors[name] = (dtype, dims, b"" if data == "-" else
                         bytes.fromhex(data))
    return tensors, meta


def raw(t):
    if t.numel() == 0:
        return b""
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def check_tensor(name, t, want):
    dtype, shape, data = want
    assert NAMES[t.dtype] == dtype, (name, t.dtype, dtype)
    assert tuple(t.shape) == shape, (name, tuple(t.shape), shape)
    assert raw(t) == data, f"{name}: the bytes differ"


def tree_loads_into_pytorch():
    path = os.path.join(WORK, "tree.safetensors")
    tensors, _ = parse(ginit("save-tree", path))
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 3))
    state = load_file(path)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    net.load_state_dict(state, strict=True)
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1
    with torch.no_grad():
        y = net(x)
    _, shape, data = tensors["forward"]
    ours = torch.frombuffer(bytearray(data), dtype=torch.float32).reshape(shape)
    # One GEMM against another: the same sums, perhaps in another order.
    diff = (y - ours).abs().max().item()
    assert torch.allclose(y, ours, rtol=1e-6, atol=1e-6), diff
    print(f"tree: strict load_state_dict, forward equal (max diff {diff:g})")


def ginit_dtypes_load_in_pytorch():
    path = os.path.join(WORK, "dtypes.safetensors")
    want, _ = parse(ginit("save-dtypes", path))
    got = load_file(path)
    assert sorted(got) == sorted(want)
    for name, t in got.items():
        check_tensor(name, t, want[name])
    with safe_open(path, "pt") as f:
        assert f.metadata() == {"format": "pt", "made by": "ginit"}
    print(f"ginit -> torch: {len(got)} tensors bit for bit, metadata kept")


def pytorch_dtypes_load_in_ginit():
    g = torch.Generator().manual_seed(5)
    special = torch.tensor([0.0, -0.0, float("inf"), float("-inf"),
                            float("nan"), 1e-40, -3.5, 65504.0])
    tensors = {}
    for dtype in NAMES:
        name = NAMES[dtype]
        tensors[name] = torch.randn(4, 3, generator=g).to(dtype)
        tensors[name + ".special"] = special.to(dtype)
        tensors[name + ".scalar"] = torch.tensor(1.25, dtype=dtype)
        tensors[name + ".empty"] = torch.zeros(0, 2, dtype=dtype)
    tensors["nested.0.weight"] = torch.randn(2, 1, 3, 1, generator=g)
    path = os.path.join(WORK, "torch.safetensors")
    save_file(tensors, path, metadata={"format": "pt", "note": "caf\u00e9"})
    got, meta = parse(ginit("dump", path, "format", "note", "absent"))
    assert sorted(got) == sorted(tensors), sorted(got)
    for name, t in tensors.items():
        check_tensor(name, t, got[name])
    assert meta == {"format": "pt", "note": "caf\u00e9",
                    "absent": "(absent)"}, meta
    print(f"torch -> ginit: {len(got)} tensors bit for bit, metadata kept")


def pytorch_sharded_checkpoint_loads_in_ginit():
    torch.manual_seed(11)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 3))
    state = net.state_dict()
    files = {"0.": "model-00001-of-00002.safetensors",
             "2.": "model-00002-of-00002.safetensors"}
    weight_map = {}
    for prefix, file in files.items():
        part = {k: v for k, v in state.items() if k.startswith(prefix)}
        save_file(part, os.path.join(WORK, file), metadata={"format": "pt"})
        weight_map.update({k: file for k in part})
    index = os.path.join(WORK, "model.safetensors.index.json")
    total = sum(t.numel() * t.element_size() for t in state.values())
    with open(index, "w") as f:
        json.dump({"metadata": {"total_size": total},
                   "weight_map": weight_map}, f, indent=2)
    got, _ = parse(ginit("load-index", index))
    assert sorted(got) == sorted(state), sorted(got)
    for name, t in state.items():
        check_tensor(name, t, got[name])
    print(f"torch sharded checkpoint -> ginit: {len(got)} parameters from "
          f"{len(files)} files through the index, bit for bit")


tree_loads_into_pytorch()
ginit_dtypes_load_in_pytorch()
pytorch_dtypes_load_in_ginit()
pytorch_sharded_checkpoint_loads_in_ginit()
