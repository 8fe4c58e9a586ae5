#!/usr/bin/python3
"""Writes tests/data/torch_generator_cases.txt: what PyTorch's CPU
generator gives after torch.manual_seed(seed) and a sequence of calls
(uniform_, normal_, torch.rand, torch.randn, the xavier and kaiming
initializers, nn.Linear's construction, the LazyLinear chapter), as
reference data for tests/test_torch_generator.c, which makes the same
calls through ginit's 'torch_cpu' generator.

Run with a Python that has torch (Debian: /usr/bin/python3, python3-torch):
    /usr/bin/python3 tests/gen_torch_generator_cases.py \\
        > tests/data/torch_generator_cases.txt

The cases with kernels 'default' come from this script run again with
ATEN_CPU_CAPABILITY=default (PyTorch's default-capability build).

With --torch2, under PyTorch 2.12 or later, it writes
tests/data/torch2_cases.txt instead: golden values of a PyTorch 2.x for
the AVX2 kernels, in cases marked "rejection" (ginit's
GI_TORCH_TRUNC_REJECTION, how 2.12 and later sample trunc_normal_): the
same calls as above but orthogonal_ (PyPI's wheels use MKL's LAPACK,
whose QR rounds otherwise), plus trunc_normal_ over wide and narrow
intervals. E.g. from a virtual environment:
    python -m venv torch2-venv && torch2-venv/bin/pip install torch numpy
    torch2-venv/bin/python tests/gen_torch_generator_cases.py --torch2 \\
        > tests/data/torch2_cases.txt

File format (line oriented, '#' lines are comments):
    case <start> <kernels> [<trunc>]
                               trunc: inverse_cdf (the default) or
                               rejection, how trunc_normal_ samples;
                               start: a seed (manual_seed's argument as a
                               uint64), 'fresh' (the state of a new
                               torch.Generator(), seed 67280421310721;
                               a new process's default generator is
                               seeded at random) or 'restore' (the next
                               line)
    bytes <hex>                (restore only) torch.set_rng_state's bytes
    call <op> <a> <b> <mode> <nl> <ndim> <dims...> : <values>
        op: uniform, normal (a, b: from, to or mean, std), rand, randn,
        xavier_uniform, xavier_normal (a: gain), kaiming_uniform,
        kaiming_normal (a; mode fan_in or fan_out; nl), init_<op> (the
        same through gi_init_); a, b as the bits of a double ("%016x");
        '-' where unused
    fill <op> <nargs> <args...> <ndim> <dims...> : <values>
        nn.init.<op>_(torch.empty(dims), *args): trunc_normal (mean, std,
        a, b), sparse (sparsity, std), orthogonal (gain); init_<op> the same through
        gi_init_; sparse_gen (sparsity, std, seed): what ginit's sparse_
        does on an explicit generator, every draw (normal_ and each
        column's randperm) from torch.Generator().manual_seed(seed); args
        as the bits of doubles
    linear <in> <out> <bias>   nn.Linear(in, out, bias) constructed
    chapter                    Sequential(LazyLinear(8), ReLU(),
                               LazyLinear(1)); X = torch.rand(2, 4); net(X)
    apply_normal               the chapter's init_normal applied to the
                               last module tree: weights normal_(0, 0.01),
                               biases zeros_
    param <name> : <values>    a tensor of the last linear, chapter or
                               apply_normal line ('X', '0.weight', ...)
    state <hash> : <hex>       torch.get_rng_state() at the case's end:
                               its hash and, for restore cases, its bytes
    end
    cases <total>              (last line: guards against truncation)

<values> is "<n> <hash> <k> <bits...>": n floats, the hash of their bits,
and the first k of them (all when n <= 64, else 8) as "%08x". hash of
x_0..x_{n-1} (uint32, or bytes as uint8): the sum over i of (x_i ^ i) *
(i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019 | 1) modulo 2^64.
"""
import math
import os
import subprocess
import sys

import warnings

import numpy as np
import torch
from torch import nn

from torch_bits import dbits, hash_values

MASK64 = (1 << 64) - 1
SEEDS = [0, 42, -1, 2 ** 32 + 5]
SIZES = [1, 2, 15, 16, 17, 33]
SHAPES = [(8, 4), (3, 5), (64, 33)]
ANY = float("nan")


def values(t):
    bits = t.detach().contiguous().view(-1).view(torch.int32).numpy()
    bits = bits.view(np.uint32)
    k = len(bits) if len(bits) <= 64 else 8
    return "%d %016x %d %s" % (len(bits), hash_values(bits), k,
                               " ".join("%08x" % v for v in bits[:k]))


def init_call(op, t, a, b, mode, nl):
    name = op[5:] if op.startswith("init_") else op
    if name == "uniform":
        return nn.init.uniform_(t, a, b)
    if name == "normal":
        return nn.init.normal_(t, a, b)
    if name.startswith("xavier"):
        return getattr(nn.init, name + "_")(t, gain=a)
    return getattr(nn.init, name + "_")(t, a=a, mode=mode, nonlinearity=nl)


def call(op, shape, a=ANY, b=ANY, mode="-", nl="-"):
    if op == "rand":
        t = torch.rand(*shape)
    elif op == "randn":
        t = torch.randn(*shape)
    else:
        t = init_call(op, torch.empty(*shape), a, b, mode, nl)
    return "call %s %s %s %s %s %d %s : %s" % (
        op, dbits(a), dbits(b), mode, nl, len(shape),
        " ".join(str(d) for d in shape), values(t))


def sparse_gen(t, sparsity, std, seed):
    g = torch.Generator().manual_seed(int(seed))
    rows, cols = t.shape
    t.normal_(0, std, generator=g)
    for col in range(cols):
        t[torch.randperm(rows, generator=g)[:math.ceil(sparsity * rows)],
          col] = 0
    return t


def fill(op, shape, *args):
    name = op[5:] if op.startswith("init_") else op
    f = sparse_gen if op == "sparse_gen" else getattr(nn.init, name + "_")
    t = f(torch.empty(*shape), *args)
    return "fill %s %d %s %d %s : %s" % (
        op, len(args), " ".join(dbits(a) for a in args), len(shape),
        " ".join(str(d) for d in shape), values(t))


def trunc_calls():
    out = []
    for n in SIZES:
        out += [fill("trunc_normal", (n,), 0.0, 1.0, -2.0, 2.0),
                fill("trunc_normal", (n,), 1.0, 3.0, 0.5, 0.75),
                fill("trunc_normal", (n,), -1.0, 0.5, 0.0, 4.0)]
    return out + [fill("trunc_normal", (64, 33), 0.0, 0.02, -0.04, 0.04),
                  fill("trunc_normal", (5, 7), 2.0, 1.0, -3.0, -2.5),
                  fill("init_trunc_normal", (17,), 0.5, 2.0, -1.0, 3.0),
                  call("randn", (3,))]


def sparse_calls():
    out = []
    for shape in [(10, 7), (33, 5), (3, 2), (1, 4), (40, 3)]:
        for sparsity in (0.1, 0.9):
            out.append(fill("sparse", shape, sparsity, 0.01))
    return out + [fill("sparse", (10, 7), 0.5, 2.0),
                  fill("init_sparse", (33, 5), 0.25, 1.0),
                  fill("sparse_gen", (10, 7), 0.3, 0.01, 5.0),
                  fill("sparse_gen", (33, 5), 0.9, 1.0, 123.0),
                  call("randn", (3,))]


def orthogonal_calls():
    out = []
    for shape in [(8, 4), (4, 8), (3, 5, 2), (5, 5), (1, 6), (6, 1),
                  (40, 3), (3, 40)]:
        out.append(fill("orthogonal", shape, 1.0))
    return out + [fill("orthogonal", (8, 4), 2.5),
                  fill("init_orthogonal", (4, 8), 0.5),
                  call("randn", (3,))]


def params(named):
    return ["param %s : %s" % (name, values(p)) for name, p in named]


def basic_calls():
    out = []
    for n in SIZES:
        out.append(call("uniform", (n,), -3.0, 7.0))
        out.append(call("normal", (n,), 1.0, 3.0))
    out += [call("uniform", (5,), 0.5, 0.5), call("rand", (3,)),
            call("normal", (3,), -0.5, 0.1), call("randn", (20,)),
            call("randn", (1,)), call("normal", (2,), 1e3, 1.0 / 3.0),
            call("rand", (2, 3)), call("randn", (4, 5)),
            call("uniform", (7,), 0.1, 0.2), call("randn", (15,)),
            call("randn", (3,))]
    return out


def init_calls():
    out = []
    for shape in SHAPES:
        out += [call("xavier_uniform", shape, 1.0),
                call("xavier_normal", shape, 2.0),
                call("kaiming_uniform", shape, 0.0, ANY, "fan_in",
                     "leaky_relu"),
                call("kaiming_uniform", shape, math.sqrt(5.0), ANY,
                     "fan_in", "leaky_relu"),
                call("kaiming_normal", shape, 0.0, ANY, "fan_out", "relu"),
                call("init_xavier_normal", shape, 1.0),
                call("init_kaiming_uniform", shape, 0.0, ANY, "fan_in",
                     "relu"),
                call("init_normal", shape, 0.0, 0.01)]
    return out


def linear_lines():
    a = nn.Linear(4, 8)
    out = ["linear 4 8 1"] + params(a.named_parameters())
    b = nn.Linear(5, 3, bias=False)
    return out + ["linear 5 3 0"] + params(b.named_parameters())


def chapter_lines():
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    x = torch.rand(size=(2, 4))
    net(x)
    out = ["chapter"] + params([("X", x)] + list(net.named_parameters()))

    def init_normal(module):
        if type(module) == nn.Linear:
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)
    net.apply(init_normal)
    return out + ["apply_normal"] + params(net.named_parameters())


def state_line(with_bytes):
    s = torch.get_rng_state().numpy()
    tail = " : " + bytes(s).hex() if with_bytes else ""
    return "state %016x%s" % (hash_values(s), tail)


def case(start, kernels, body, lines, with_bytes=False):
    label = start & MASK64 if isinstance(start, int) else start
    lines.append("case %s %s" % (label, kernels))
    if start == "restore":
        lines.append("bytes " + bytes(torch.get_rng_state().numpy()).hex())
    elif start == "fresh":
        fresh = torch.Generator()
        assert fresh.initial_seed() == 67280421310721
        torch.set_rng_state(fresh.get_state())
    else:
        torch.manual_seed(start)
    lines += body()
    lines += [state_line(with_bytes), "end"]


def restore_body():
    return [call("randn", (3,)), call("uniform", (17,), -1.0, 1.0),
            call("normal", (1,), 2.0, 0.5)]


def cases(kernels):
    lines = []
    case("fresh", kernels, lambda: [call("rand", (5,)), call("randn", (3,))]
         + linear_lines(), lines)
    for seed in SEEDS:
        for body in (basic_calls, init_calls, linear_lines, chapter_lines,
                     trunc_calls, sparse_calls, orthogonal_calls):
            case(seed, kernels, body, lines)
    torch.manual_seed(7)
    torch.randn(5)  # a cached double normal travels in the bytes
    case("restore", kernels, restore_body, lines, with_bytes=True)
    return lines


def rejection_calls():
    """trunc_normal_ as PyTorch 2.12 and later sample it: wide intervals
    (probability above 0.3) by normal_, narrow ones by uniform_."""
    out = []
    for n in SIZES:
        out += [fill("trunc_normal", (n,), 0.0, 1.0, -2.0, 2.0),
                fill("trunc_normal", (n,), 0.0, 1.0, -0.5, 1.0),
                call("normal", (3,), 0.0, 1.0),
                fill("trunc_normal", (n,), 1.0, 3.0, 0.5, 0.75),
                fill("trunc_normal", (n,), -1.0, 0.5, 0.0, 4.0)]
    return out + [fill("trunc_normal", (64, 33), 0.0, 0.02, -0.04, 0.04),
                  fill("trunc_normal", (5, 7), 2.0, 1.0, -3.0, -2.5),
                  fill("trunc_normal", (40, 25), 0.0, 1.0, 0.0, 0.1),
                  fill("trunc_normal", (300, 100), 0.0, 1.0, -1.0, 1.0),
                  fill("init_trunc_normal", (17,), 0.5, 2.0, -1.0, 3.0),
                  call("randn", (3,))]


def torch2_cases():
    """Needs PyTorch 2.12 or later (its trunc_normal_); avx2 kernels."""
    lines = []
    for seed in SEEDS:
        for body in (basic_calls, init_calls, linear_lines, chapter_lines,
                     sparse_calls, rejection_calls):
            case(seed, "avx2 rejection", body, lines)
    return lines


def main():
    warnings.filterwarnings("ignore", message="Lazy modules")
    warnings.filterwarnings("ignore", message="mean is more than 2 std")
    if sys.argv[1:] == ["--default"]:
        print("\n".join(cases("default")))
        return
    if sys.argv[1:] == ["--torch2"]:
        lines = torch2_cases()
        print("# Generated by tests/gen_torch_generator_cases.py --torch2 "
              "with torch %s; do not edit." % torch.__version__)
        print("\n".join(lines))
        print("cases %d" % sum(l.startswith("case ") for l in lines))
        return
    print("# Generated by tests/gen_torch_generator_cases.py with torch %s; "
          "do not edit." % torch.__version__)
    lines = cases("avx2")
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    lines += subprocess.run([sys.executable, __file__, "--default"], env=env,
                            check=True, capture_output=True,
                            text=True).stdout.rstrip("\n").split("\n")
    print("\n".join(lines))
    print("cases %d" % sum(l.startswith("case ") for l in lines))


main()
