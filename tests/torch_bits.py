"""Bit-level helpers shared by the scripts that write PyTorch's reference
data for the torch_cpu generator (gen_torchgen_cases.py,
gen_torch_generator_cases.py)."""
import struct

import numpy as np


def dbits(x):
    """A double's 16 hex digits; "-" for NaN, which marks "no argument"."""
    if x != x:
        return "-"
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def hash_values(x):
    """One 64-bit hash of a sequence of words that changes with any single
    word or its position: what the C tests recompute for long outputs."""
    x = np.asarray(x).astype(np.uint64)
    i = np.arange(len(x), dtype=np.uint64)
    with np.errstate(over="ignore"):
        k = (i * np.uint64(0x9E3779B97F4A7C15)
             + np.uint64(0x632BE59BD9B4E019)) | np.uint64(1)
        return int(np.sum((x ^ i) * k, dtype=np.uint64))
