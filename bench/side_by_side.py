#!/usr/bin/env python3
"""ginit and PyTorch in one process, taking turns: each repetition times one
ginit call (through ctypes, on the CPU) and then the same PyTorch call on a
tensor of the same shape, so that both see the same moment of a machine
whose speed drifts. Prints the medians and their ratios, PyTorch at its own
thread count and again on every core; ginit always on every core.

    side_by_side.py LIBGINIT_SO [--log2 N] [--reps R]
"""
import argparse
import ctypes as C
import os
import statistics
import sys
import time

# OpenMP threads that spin after a parallel region (libgomp's default) take
# processor time from whatever runs next: here the other library's turn,
# which they slowed by up to 1.7x. Both libraries share libgomp, which
# reads this once, when torch loads it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    import torch
except ImportError:
    sys.exit("side_by_side: PyTorch is not importable here; skipped")
from torch_reference import INITS  # PyTorch's side: the same calls

GI_DEVICE_CPU, GI_F32 = 1, 0
GI_FAN_IN, GI_NONLIN_RELU = 0, 9
GI_COMPONENT_UNIFORM, GI_COMPONENT_CONSTANT = 0, 2


class Component(C.Structure):
    _fields_ = [("prob", C.c_double), ("law", C.c_int), ("a", C.c_double),
                ("b", C.c_double)]


def load(path):
    lib = C.CDLL(path)
    p, d, i64 = C.c_void_p, C.c_double, C.c_int64
    sigs = {
        "gi_context_create": [C.POINTER(p), C.c_int],
        "gi_context_set_num_threads": [p, C.c_int],
        "gi_tensor_create": [C.POINTER(p), p, C.c_int, C.c_int, C.POINTER(i64)],
        "gi_uniform_": [p, d, d, p],
        "gi_normal_": [p, d, d, p],
        "gi_trunc_normal_": [p, d, d, d, d, p],
        "gi_xavier_uniform_": [p, d, p],
        "gi_kaiming_normal_": [p, d, C.c_int, C.c_int, p],
        "gi_zeros_": [p],
        "gi_mixture_": [p, C.c_int, C.POINTER(Component), p],
        "gi_last_error": [],
    }
    for name, args in sigs.items():
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = C.c_int
    lib.gi_last_error.restype = C.c_char_p
    return lib


def check(lib, status):
    if status != 0:
        sys.exit("side_by_side: " + lib.gi_last_error().decode())


def ginit_calls(lib, t):
    """ginit's side of each row of torch_reference.INITS, same arguments."""
    chapter = (Component * 3)(Component(0.25, GI_COMPONENT_UNIFORM, 5, 10),
                              Component(0.5, GI_COMPONENT_CONSTANT, 0, 0),
                              Component(0.25, GI_COMPONENT_UNIFORM, -10, -5))
    return {
        "uniform_": lambda: lib.gi_uniform_(t, -1, 1, None),
        "normal_": lambda: lib.gi_normal_(t, 0, 1, None),
        "trunc_normal_": lambda: lib.gi_trunc_normal_(t, 0, 1, -2, 2, None),
        "xavier_uniform_": lambda: lib.gi_xavier_uniform_(t, 1, None),
        "kaiming_normal_":
            lambda: lib.gi_kaiming_normal_(t, 0, GI_FAN_IN, GI_NONLIN_RELU, None),
        "zeros_": lambda: lib.gi_zeros_(t),
        "mixture_": lambda: lib.gi_mixture_(t, 3, chapter, None),
    }


def taking_turns(lib, ours, theirs, w, reps):
    """Medians (ms) of ours() and theirs(w), timed alternately."""
    check(lib, ours())
    theirs(w)
    mine, other = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        check(lib, ours())
        t1 = time.perf_counter()
        theirs(w)
        t2 = time.perf_counter()
        mine.append((t1 - t0) * 1e3)
        other.append((t2 - t1) * 1e3)
    return statistics.median(mine), statistics.median(other)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--log2", type=int, default=24)
    ap.add_argument("--reps", type=int, default=15)
    a = ap.parse_args()
    lib = load(a.lib)
    cores = os.cpu_count() or 1
    ctx, t = C.c_void_p(), C.c_void_p()
    check(lib, lib.gi_context_create(C.byref(ctx), GI_DEVICE_CPU))
    # PyTorch may have set OpenMP's default to its own count: ginit's own
    # setting keeps it on every core.
    check(lib, lib.gi_context_set_num_threads(ctx, cores))
    rows, cols = 1 << (a.log2 // 2), 1 << (a.log2 - a.log2 // 2)
    shape = (C.c_int64 * 2)(rows, cols)
    check(lib, lib.gi_tensor_create(C.byref(t), ctx, GI_F32, 2, shape))
    w = torch.empty(rows, cols)
    counts = [torch.get_num_threads()]
    if cores > counts[0]:
        counts.append(cores)
    print(f"{rows} x {cols} float32 on the CPU, median of {a.reps} turns; "
          f"ginit on {cores} threads, PyTorch {torch.__version__}")
    head = f"{'initializer':16}"
    for c in counts:
        head += f" | {'ginit ms':>9} {f'torch {c}t ms':>12} {'ratio':>7}"
    print(head)
    with torch.no_grad():
        ours_by_name = ginit_calls(lib, t)
        for name, theirs in INITS.items():
            ours = ours_by_name[name]
            line = f"{name:16}"
            for c in counts:
                torch.set_num_threads(c)
                mine, other = taking_turns(lib, ours, theirs, w, a.reps)
                line += f" | {mine:9.2f} {other:12.2f} {other / mine:6.2f}x"
            print(line)


if __name__ == "__main__":
    main()
