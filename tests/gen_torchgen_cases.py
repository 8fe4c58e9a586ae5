#!/usr/bin/python3
"""Writes tests/data/torchgen_cases.txt: PyTorch's own float32 results of
torch.rand, torch.randn, uniform_ and normal_ after torch.manual_seed, as
reference data for tests/test_torchgen.c, from both builds of PyTorch's
CPU kernels: the one this machine runs (AVX2) and the default-capability
one (this script run again with ATEN_CPU_CAPABILITY=default).

Run with a Python that has torch (Debian: /usr/bin/python3, python3-torch):
    /usr/bin/python3 tests/gen_torchgen_cases.py > tests/data/torchgen_cases.txt
(minutes: the sweeps). With --no-sweeps it leaves the sweep lines out and
counts the cases without them, in seconds: what the CTest
torch_reference_data compares with the rest of the committed file.

File format (line oriented, '#' lines are comments):
    seq <kernels> <seed> <ops>      kernels: avx2 or default; seed: the
                                    argument of manual_seed as a uint64
    <op> <n> <a> <b> <hash> <k> <bits...>   (ops lines)
        op: rand (uniform_(0, 1) via torch.rand), randn, uniform, normal;
        a, b: from, to or mean, std as the bits of a double ("%016x");
        hash: of all n results (below); then the first k results' bits
        (all of them when n <= 40, else 8)
    state <hash>                    of torch.get_rng_state()'s bytes after
                                    the sequence
    cached <kernels> <v> <mean> <std> <bits>
        normal_(mean, std) on one element with the double path's cache
        set to v through set_rng_state: values chosen so that a fused and
        an unfused v * std + mean round to different floats
    sweep <kernels> <mean> <std> <hash>
        normal_ of 2^21 blocks of 16 whose uniforms are chosen through
        set_rng_state: lane j of block b takes u1 = i 2^-24 and
        u2 = (i * 0x9E3779B1 mod 2^24) 2^-24, i = 8 b + j, so every
        float that 1 - uniform and uniform take enters log and sincos
        once. Chunks of 38 blocks: words = untemper(outputs), left = 624,
        next = 0.
    cases <total>                   (last line: guards against truncation)

hash of values x_0..x_{n-1} (uint32 or bytes as uint8): the sum over i of
(x_i ^ i) * (i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019 | 1) modulo 2^64;
every multiplier is odd, so one changed value always changes it.
"""
import os
import random
import struct
import subprocess
import sys

import numpy as np
import torch

from torch_bits import dbits, hash_values

MASK64 = (1 << 64) - 1
SEEDS = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 63, -1, -12345]
FULL_SEEDS = [0, 1, 42, 2 ** 32 + 5, -12345]
UNIFORM_ARGS = [(-3.0, 7.0), (0.1, 0.2), (-1.0 / 3.0, 1e-3),
                (-1e6, 3.25)]
NORMAL_ARGS = [(1.0, 3.0), (-0.5, 0.1), (1e3, 1.0 / 3.0)]
ARG_SIZES = [1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1000]
LARGE = [1000, 4099, 65536, 65537]
MIXED = [("randn", 3), ("randn", 20), ("rand", 5), ("randn", 1),
         ("randn", 17), ("normal", 2), ("uniform", 7), ("randn", 15),
         ("randn", 1), ("randn", 16), ("randn", 2)]
BLOCK_LANES = 8
SWEEP_BLOCKS = 1 << 21
CHUNK_BLOCKS = 38
# The sweeps take minutes: --no-sweeps leaves their lines out (and counts
# the cases without them), for CI's check of the rest of the file.
SWEEPS = "--no-sweeps" not in sys.argv[1:]


def capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    sys.exit("torch does not say which CPU capability it uses")


def float_bits(t):
    return t.contiguous().view(torch.int32).numpy().view(np.uint32)


def run_op(op, n, a, b):
    if op == "rand":
        return torch.rand(n)
    if op == "randn":
        return torch.randn(n)
    t = torch.empty(n)
    return t.uniform_(a, b) if op == "uniform" else t.normal_(a, b)


def op_line(op, n, a, b):
    bits = float_bits(run_op(op, n, a, b))
    k = n if n <= 40 else 8
    return "%s %d %s %s %016x %d %s" % (
        op, n, dbits(a), dbits(b), hash_values(bits), k,
        " ".join("%08x" % v for v in bits[:k]))


def state_hash():
    return hash_values(torch.get_rng_state().numpy())


def args_of(op, rng):
    if op == "uniform":
        return UNIFORM_ARGS[rng.randrange(len(UNIFORM_ARGS))]
    if op == "normal":
        return NORMAL_ARGS[rng.randrange(len(NORMAL_ARGS))]
    return (0.0, 1.0)


class Writer:
    def __init__(self, kernels):
        self.kernels, self.cases, self.lines = kernels, 0, []

    def seq(self, seed, ops):
        torch.manual_seed(seed)
        self.lines.append("seq %s %d %d" % (self.kernels, seed & MASK64,
                                             len(ops)))
        self.lines.extend(op_line(*op) for op in ops)
        self.lines.append("state %016x" % state_hash())
        self.cases += 1


def sizes_cases(wr, seeds):
    for seed in seeds:
        sizes = range(1, 101) if seed in FULL_SEEDS else \
            list(range(1, 41)) + [47, 48, 49, 63, 64, 65, 99, 100]
        for op in ("rand", "randn"):
            for n in sizes:
                wr.seq(seed, [(op, n, 0.0, 1.0)])
        for n in LARGE if seed in FULL_SEEDS[:3] else []:
            wr.seq(seed, [("rand", n, 0.0, 1.0)])
            wr.seq(seed, [("randn", n, 0.0, 1.0)])


def argument_cases(wr, seeds):
    for seed in seeds[:4]:
        for n in ARG_SIZES:
            for a, b in UNIFORM_ARGS:
                wr.seq(seed, [("uniform", n, a, b)])
            for a, b in NORMAL_ARGS:
                wr.seq(seed, [("normal", n, a, b)])


def mixed_cases(wr, seeds, rng):
    for seed in seeds:
        wr.seq(seed, [(op, n) + args_of(op, rng) for op, n in MIXED])
        ops = []
        for _ in range(12):
            op = rng.choice(["rand", "randn", "randn", "uniform", "normal"])
            ops.append((op, rng.choice([1, 1, 2, 3, 5, 15, 16, 17, 40]))
                       + args_of(op, rng))
        wr.seq(seed, ops)


def untemper(y):
    y = y.astype(np.uint32)
    y ^= y >> np.uint32(18)
    y ^= (y << np.uint32(15)) & np.uint32(0xefc60000)
    t = y.copy()
    for _ in range(4):
        t = y ^ ((t << np.uint32(7)) & np.uint32(0x9d2c5680))
    y = t
    t = y.copy()
    for _ in range(2):
        t = y ^ (t >> np.uint32(11))
    return t


def state_of(words, normal=None):
    """The state bytes that make the next draws temper to `words`, or that
    hold `normal` as the double path's cached value."""
    raw = bytearray(TEMPLATE)
    struct.pack_into("<iiQ", raw, 8, 624, 1, 0)
    full = np.zeros(624, dtype=np.uint64)
    full[:len(words)] = untemper(words)
    raw[24:24 + 8 * 624] = full.tobytes()
    if normal is not None:
        struct.pack_into("<d", raw, 5024, normal)
        struct.pack_into("<i", raw, 5040, 1)
    return torch.frombuffer(raw, dtype=torch.uint8)


TEMPLATE = bytes(5056)


def sweep_inputs():
    i = np.arange(SWEEP_BLOCKS * BLOCK_LANES, dtype=np.uint64)
    u2 = (i * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFF)
    i = i.reshape(SWEEP_BLOCKS, BLOCK_LANES)
    u2 = u2.reshape(SWEEP_BLOCKS, BLOCK_LANES)
    return np.concatenate([i, u2], axis=1).astype(np.uint32)


def sweep(wr, mean, std):
    draws = sweep_inputs()
    out = []
    for c in range(0, SWEEP_BLOCKS, CHUNK_BLOCKS):
        words = draws[c:c + CHUNK_BLOCKS].reshape(-1)
        torch.set_rng_state(state_of(words))
        out.append(float_bits(torch.empty(len(words)).normal_(mean, std)))
    wr.lines.append("sweep %s %s %s %016x" % (
        wr.kernels, dbits(mean), dbits(std),
        hash_values(np.concatenate(out))))
    wr.cases += 1


def cached(wr, v, mean, std):
    torch.set_rng_state(state_of(np.zeros(0), v))
    bits = float_bits(torch.empty(1).normal_(mean, std))
    wr.lines.append("cached %s %s %s %s %08x" % (
        wr.kernels, dbits(v), dbits(mean), dbits(std), bits[0]))
    wr.cases += 1


def fusion_inputs():
    """(v, mean, std) with v * std exactly 0.3 to 0.5 of a double ulp below
    a float's tie and mean -0.2 ulp: fused, v * std + mean rounds below
    the tie; unfused, the product rounds onto the tie first, which then
    rounds to the even float, upwards."""
    from fractions import Fraction as F
    ulp = F(1, 2 ** 52)
    tie = 1 + F(3, 2 ** 24)
    rng = random.Random(5)
    while True:
        std = 1.0 + rng.getrandbits(52) * 2.0 ** -53
        v = float(tie / F(std))
        off = (F(v) * F(std) - tie) / ulp
        if F(-1, 2) < off < F(-3, 10):
            return v, -0.2 * 2.0 ** -52, std


def cases(kernels):
    rng = random.Random(20240613)
    seeds = SEEDS + [rng.getrandbits(64) for _ in range(4)]
    wr = Writer(kernels)
    sizes_cases(wr, seeds)
    argument_cases(wr, seeds)
    mixed_cases(wr, seeds, rng)
    cached(wr, *fusion_inputs())
    for mean, std in [(0.0, 1.0), (0.25, 1.5)] if SWEEPS else []:
        sweep(wr, mean, std)
    return wr


def main():
    if "--default" in sys.argv[1:]:
        wr = cases("default")
        print("\n".join(wr.lines))
        print("count %d" % wr.cases)
        return
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    other = subprocess.run([sys.executable, __file__, "--default"]
                           + sys.argv[1:], env=env,
                           check=True, capture_output=True, text=True)
    other_cap = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.__config__.show())"],
        env=env, check=True, capture_output=True, text=True).stdout
    cap = capability()
    if not cap.startswith("AVX"):
        sys.exit("this torch runs its %s kernels, not AVX2's" % cap)
    if "capability usage: NO AVX" not in other_cap:
        sys.exit("ATEN_CPU_CAPABILITY=default did not select the default "
                 "kernels")
    wr = cases("avx2")
    *lines, count = other.stdout.splitlines()
    w = sys.stdout.write
    w("# Generated by tests/gen_torchgen_cases.py with torch %s; do not "
      "edit.\n" % torch.__version__)
    w("# avx2: torch's capability %s; default: NO AVX "
      "(ATEN_CPU_CAPABILITY=default)\n" % cap)
    w("\n".join(wr.lines + lines) + "\n")
    w("cases %d\n" % (wr.cases + int(count.split()[1])))


main()
