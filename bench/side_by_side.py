#!/usr/bin/env python3
"""ginit and PyTorch in one process, taking turns: each repetition times one
ginit call (through ctypes, on the CPU) and then the same PyTorch call on a
tensor of the same shape, so that both see the same moment of a machine
whose speed drifts. Prints the medians and their ratios, PyTorch at its own
thread count and again on every core; ginit always on every core.

--generator torch_cpu fills ginit's tensors from its PyTorch-compatible
generator instead of Philox: before each call either side is seeded with
the same seed (gi_manual_seed, torch.manual_seed; untimed), and each row
first checks that both gave the same bits (a row whose bits differ stops
the run). sparse_ and orthogonal_ run on a smaller tensor (--small-log2),
and a last row times nn.Linear(1024, 1024) against gi_linear_create.

    side_by_side.py LIBGINIT_SO [--log2 N] [--reps R]
                    [--generator philox|torch_cpu] [--small-log2 N]
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
# PyTorch's side: the same calls
from torch_reference import INITS, SEEDED

GI_DEVICE_CPU, GI_F32 = 1, 0
GI_FAN_IN, GI_NONLIN_RELU, GI_NONLIN_LEAKY_RELU = 0, 9, 10
GI_COMPONENT_UNIFORM, GI_COMPONENT_CONSTANT = 0, 2
GI_GENERATOR_TORCH_CPU = 1
SEED = 20261201


class Component(C.Structure):
    _fields_ = [("prob", C.c_double), ("law", C.c_int), ("a", C.c_double),
                ("b", C.c_double)]


def load(path):
    lib = C.CDLL(path)
    p, d, i64 = C.c_void_p, C.c_double, C.c_int64
    sigs = {
        "gi_context_create": [C.POINTER(p), C.c_int],
        "gi_context_set_num_threads": [p, C.c_int],
        "gi_context_set_generator_kind": [p, C.c_int],
        "gi_manual_seed": [p, C.c_uint64],
        "gi_tensor_create": [C.POINTER(p), p, C.c_int, C.c_int, C.POINTER(i64)],
        "gi_tensor_copy_to_host": [p, p, C.c_size_t],
        "gi_uniform_": [p, d, d, p],
        "gi_normal_": [p, d, d, p],
        "gi_trunc_normal_": [p, d, d, d, d, p],
        "gi_xavier_uniform_": [p, d, p],
        "gi_kaiming_uniform_": [p, d, C.c_int, C.c_int, p],
        "gi_kaiming_normal_": [p, d, C.c_int, C.c_int, p],
        "gi_sparse_": [p, d, d, p],
        "gi_orthogonal_": [p, d, p],
        "gi_zeros_": [p],
        "gi_mixture_": [p, C.c_int, C.POINTER(Component), p],
        "gi_linear_create": [C.POINTER(p), p, i64, i64, C.c_int, C.c_int],
        "gi_last_error": [],
    }
    for name, args in sigs.items():
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = C.c_int
    lib.gi_last_error.restype = C.c_char_p
    for name in ("gi_module_weight", "gi_module_bias"):
        getattr(lib, name).argtypes = [p]
        getattr(lib, name).restype = p
    lib.gi_module_destroy.argtypes = [p]
    lib.gi_module_destroy.restype = None
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
        "kaiming_uniform_": lambda: lib.gi_kaiming_uniform_(
            t, 0, GI_FAN_IN, GI_NONLIN_LEAKY_RELU, None),
        "kaiming_normal_": lambda: lib.gi_kaiming_normal_(
            t, 0, GI_FAN_IN, GI_NONLIN_RELU, None),
        "zeros_": lambda: lib.gi_zeros_(t),
        "mixture_": lambda: lib.gi_mixture_(t, 3, chapter, None),
        "sparse_": lambda: lib.gi_sparse_(t, 0.1, 0.01, None),
        "orthogonal_": lambda: lib.gi_orthogonal_(t, 1, None),
    }


def taking_turns(lib, ours, theirs, reps, seed=None):
    """Medians (ms) of ours() and theirs(), timed alternately; seed(),
    when given, runs untimed before each of them."""
    seed = seed or (lambda: None)
    seed()
    check(lib, ours())
    seed()
    theirs()
    mine, other = [], []
    for _ in range(reps):
        seed()
        t0 = time.perf_counter()
        check(lib, ours())
        t1 = time.perf_counter()
        seed()
        t2 = time.perf_counter()
        theirs()
        t3 = time.perf_counter()
        mine.append((t1 - t0) * 1e3)
        other.append((t3 - t2) * 1e3)
    return statistics.median(mine), statistics.median(other)


def new_tensor(lib, ctx, rows, cols):
    t = C.c_void_p()
    shape = (C.c_int64 * 2)(rows, cols)
    check(lib, lib.gi_tensor_create(C.byref(t), ctx, GI_F32, 2, shape))
    return t


def host(lib, t, like):
    """ginit tensor t's values, as a torch tensor shaped like `like`."""
    out = torch.empty_like(like)
    check(lib, lib.gi_tensor_copy_to_host(t, out.data_ptr(),
                                          out.numel() * 4))
    return out


def seeded_rows(lib, ctx, big, small):
    """--generator torch_cpu's rows: (name, ours, theirs, values), where
    values() gives ginit's and PyTorch's tensors after the last calls."""
    rows = []
    names = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
             "kaiming_uniform_", "kaiming_normal_", "sparse_", "orthogonal_"]
    torch_side = {**INITS, **SEEDED}
    shapes = {"sparse_": small, "orthogonal_": small}
    for name in names:
        shape = shapes.get(name, big)
        t, w = new_tensor(lib, ctx, *shape), torch.empty(*shape)
        fn = torch_side[name]
        rows.append((name, ginit_calls(lib, t)[name],
                     lambda fn=fn, w=w: fn(w),
                     lambda t=t, w=w: ([host(lib, t, w)], [w])))
    rows.append(linear_row(lib, ctx))
    return rows


def linear_row(lib, ctx):
    """nn.Linear(1024, 1024) against gi_linear_create: each call also
    frees the module before it, as PyTorch drops the one it replaces."""
    made, theirs = [None], [None]

    def ours():
        m = C.c_void_p()
        status = lib.gi_linear_create(C.byref(m), ctx, 1024, 1024, 1, GI_F32)
        lib.gi_module_destroy(made[0])
        made[0] = m
        return status

    def torch_linear():
        theirs[0] = torch.nn.Linear(1024, 1024)

    def values():
        lin = theirs[0]
        mine = [host(lib, lib.gi_module_weight(made[0]), lin.weight),
                host(lib, lib.gi_module_bias(made[0]), lin.bias)]
        return mine, [lin.weight, lin.bias]

    return "Linear(1024,1024)", ours, torch_linear, values


def blas_on_one_thread():
    """PyTorch's QR, as ginit's, on one OpenBLAS thread: OpenBLAS's
    threads split the blocked steps' sums, and so round them otherwise."""
    try:
        C.CDLL("libblas.so.3").openblas_set_num_threads(1)
    except (OSError, AttributeError):
        pass  # not OpenBLAS: its QR is what it is


def same_bits(mine, other):
    return all(torch.equal(a.view(torch.int32), b.view(torch.int32))
               for a, b in zip(mine, other))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--log2", type=int, default=24)
    ap.add_argument("--small-log2", type=int, default=20)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--generator", choices=("philox", "torch_cpu"),
                    default="philox")
    a = ap.parse_args()
    lib = load(a.lib)
    cores = os.cpu_count() or 1
    ctx = C.c_void_p()
    check(lib, lib.gi_context_create(C.byref(ctx), GI_DEVICE_CPU))
    # PyTorch may have set OpenMP's default to its own count: ginit's own
    # setting keeps it on every core.
    check(lib, lib.gi_context_set_num_threads(ctx, cores))
    big, small = halves(a.log2), halves(a.small_log2)
    counts = [torch.get_num_threads()]
    if cores > counts[0]:
        counts.append(cores)
    print(f"{big[0]} x {big[1]} float32 on the CPU, median of {a.reps} "
          f"turns; ginit on {cores} threads, PyTorch {torch.__version__}; "
          f"{a.generator} generator")
    if a.generator == "torch_cpu":
        check(lib, lib.gi_context_set_generator_kind(
            ctx, GI_GENERATOR_TORCH_CPU))
        print(f"seed {SEED} before each call on both sides; sparse_ and "
              f"orthogonal_ on {small[0]} x {small[1]}. Both generators "
              "draw on one thread: PyTorch's threads can speed only "
              "trunc_normal_'s erfinv, mul, add and clamp passes and "
              "orthogonal_'s elementwise steps; its QR runs on one "
              "OpenBLAS thread, as ginit's does (on more, OpenBLAS rounds "
              "it otherwise)")
        blas_on_one_thread()
        rows = seeded_rows(lib, ctx, big, small)
    else:
        rows = philox_rows(lib, new_tensor(lib, ctx, *big), torch.empty(*big))
    head = f"{'initializer':17}"
    for c in counts:
        head += f" | {'ginit ms':>9} {f'torch {c}t ms':>12} {'ratio':>7}"
    print(head)
    with torch.no_grad():
        for row in rows:
            print(timed_row(lib, ctx, a, counts, row))


def halves(log2):
    return 1 << (log2 // 2), 1 << (log2 - log2 // 2)


def philox_rows(lib, t, w):
    ours = ginit_calls(lib, t)
    return [(name, ours[name], lambda fn=fn: fn(w), None)
            for name, fn in INITS.items()]


def timed_row(lib, ctx, a, counts, row):
    """One printed row; a seeded row's bits are compared once first."""
    name, ours, theirs, values = row
    seed = None
    if values:
        def seed():
            check(lib, lib.gi_manual_seed(ctx, SEED))
            torch.manual_seed(SEED)
        seed()
        check(lib, ours())
        torch.manual_seed(SEED)
        theirs()
        if not same_bits(*values()):
            sys.exit(f"side_by_side: {name}: ginit's torch_cpu values "
                     "differ from PyTorch's")
    line = f"{name:17}"
    for c in counts:
        torch.set_num_threads(c)
        mine, other = taking_turns(lib, ours, theirs, a.reps, seed)
        line += f" | {mine:9.2f} {other:12.2f} {other / mine:6.2f}x"
    return line


if __name__ == "__main__":
    main()
