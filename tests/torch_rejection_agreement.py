#!/usr/bin/env python3
"""Measures how often ginit's trunc_normal_ by rejection
(GI_TORCH_TRUNC_REJECTION on a torch_cpu generator) gives PyTorch's bits,
against a PyTorch of 2.12 or later in the same process. Not a CTest (CI's
PyTorch is 1.13, which samples by inverse CDF); docs/rng.md quotes its
output.

    python tests/torch_rejection_agreement.py PATH/TO/libginit.so \\
        [--cases N] [--seed S] [--kernels avx2|default]

Random cases, half with intervals of probability above 0.3 (PyTorch's
normal_ branch, some with an infinite bound), half narrow ones (its
uniform_ branch); sizes from 1 to 100000. Prints, per branch, the cases
and values compared and those that differ. With --kernels default, run
it under ATEN_CPU_CAPABILITY=default.
"""
import argparse
import ctypes as C
import math
import random
import warnings

import numpy as np
import torch

GI_DEVICE_CPU, GI_F32, GI_GENERATOR_TORCH_CPU = 1, 0, 1
GI_TORCH_TRUNC_REJECTION = 1
SIZES = [1, 3, 15, 16, 17, 100, 1000, 4097, 100000]


def load(path):
    lib = C.CDLL(path)
    p = C.c_void_p
    sigs = {
        "gi_context_create": [C.POINTER(p), C.c_int],
        "gi_context_set_generator_kind": [p, C.c_int],
        "gi_generator_set_torch_trunc": [p, C.c_int],
        "gi_generator_set_torch_kernels": [p, C.c_int],
        "gi_manual_seed": [p, C.c_uint64],
        "gi_tensor_create": [C.POINTER(p), p, C.c_int, C.c_int,
                             C.POINTER(C.c_int64)],
        "gi_trunc_normal_": [p] + [C.c_double] * 4 + [p],
        "gi_tensor_copy_to_host": [p, p, C.c_size_t],
    }
    for name, args in sigs.items():
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = C.c_int
    lib.gi_context_generator.argtypes = [p]
    lib.gi_context_generator.restype = p
    lib.gi_tensor_destroy.argtypes = [p]
    lib.gi_last_error.restype = C.c_char_p
    return lib


def check(lib, status):
    if status != 0:
        raise SystemExit(lib.gi_last_error().decode())


def probability(mean, std, a, b):
    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    return cdf((b - mean) / std) - cdf((a - mean) / std)


def draw_case(rng, wide):
    mean = rng.uniform(-2, 2)
    std = rng.choice([0.01, 0.5, 1.0, 3.0])
    if wide:
        a = -math.inf if rng.random() < 0.1 else mean - std * rng.uniform(
            0.05, 3)
        b = math.inf if rng.random() < 0.1 else mean + std * rng.uniform(
            0.3, 3)
    else:
        a = mean + std * rng.uniform(-4, 3)
        b = a + std * rng.choice([0.01, 0.1, 0.5, 1, 2, 4])
    return mean, std, a, b


def ginit_values(lib, ctx, seed, n, args):
    check(lib, lib.gi_manual_seed(ctx, seed))
    t = C.c_void_p()
    check(lib, lib.gi_tensor_create(C.byref(t), ctx, GI_F32, 1,
                                    (C.c_int64 * 1)(n)))
    check(lib, lib.gi_trunc_normal_(t, *args, None))
    out = np.empty(n, dtype=np.float32)
    check(lib, lib.gi_tensor_copy_to_host(t, out.ctypes.data, 4 * n))
    lib.gi_tensor_destroy(t)
    return out.view(np.uint32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kernels", choices=("avx2", "default"), default="avx2")
    o = ap.parse_args()
    warnings.filterwarnings("ignore")
    lib = load(o.lib)
    ctx = C.c_void_p()
    check(lib, lib.gi_context_create(C.byref(ctx), GI_DEVICE_CPU))
    check(lib, lib.gi_context_set_generator_kind(ctx, GI_GENERATOR_TORCH_CPU))
    gen = lib.gi_context_generator(ctx)
    check(lib, lib.gi_generator_set_torch_trunc(gen, GI_TORCH_TRUNC_REJECTION))
    check(lib, lib.gi_generator_set_torch_kernels(
        gen, 0 if o.kernels == "avx2" else 1))
    rng = random.Random(o.seed)
    tally = {True: [0, 0, 0, 0], False: [0, 0, 0, 0]}
    for i in range(o.cases):
        args = draw_case(rng, wide=i % 2 == 0)
        seed, n = rng.randrange(0, 2 ** 40), rng.choice(SIZES)
        torch.manual_seed(seed)
        t = torch.empty(n)
        torch.nn.init.trunc_normal_(t, *args)
        mine = ginit_values(lib, ctx, seed, n, args)
        differ = int((mine != t.numpy().view(np.uint32)).sum())
        row = tally[probability(*args) > 0.3]
        row[0] += 1
        row[1] += n
        row[2] += differ > 0
        row[3] += differ
    print("torch %s (%s), ginit kernels %s, %d cases from seed %d"
          % (torch.__version__, torch.backends.cpu.get_cpu_capability(),
             o.kernels, o.cases, o.seed))
    for wide, name in ((True, "p > 0.3, normal_"), (False, "p <= 0.3, uniform_")):
        c, v, dc, dv = tally[wide]
        print("%-20s %5d cases %9d values; differing: %d cases, %d values"
              % (name, c, v, dc, dv))


main()
