#!/usr/bin/python3
"""Writes tests/data/ops_cases.txt: PyTorch's own results of the in-place
operations ginit exposes (fill_, add_ and mul_ by a scalar, clamp_,
masked_fill_, multiplying by a comparison's mask, add_ and mul_ with a
second tensor of any dtype) on every dtype, as reference data for
tests/test_ops_dtypes.c.

Run with a Python that has torch (Debian: /usr/bin/python3, python3-torch):
    /usr/bin/python3 tests/gen_ops_cases.py > tests/data/ops_cases.txt

File format (line oriented, '#' lines are comments):
    op <dtype> <op> <cmp> <a> <b> <other dtype> <result> <n>
        a, b: the operation's scalars as the bits of a double ("%016x");
        cmp: the gi_compare of masked_fill / mul_mask, else 0;
        other dtype: of the second tensor of add / mul, else "-";
        result: "ok", or "refused" where torch raises (the tensor is kept)
    <x bits> <y bits> <expected bits>           (n lines; y "-" if none)
    cases <total>                     (last line: guards against truncation)
Bits are the elements' patterns in hex, as wide as the dtype.

The inputs of each dtype: signed zeros, the ends of the subnormal and
normal ranges, values next to the 16-bit overflow threshold and to
rounding ties, infinities, quiet NaNs with and without payloads, and
random values. The scalars: ties and values no dtype holds exactly,
values either side of the largest finite value, denormals, inf, NaN, -0.
Every case runs in one tensor padded to a multiple of 64 elements, so
that torch's vectorized loops compute every element (its scalar loop,
which a tensor's last few elements take, rounds bfloat16's
add_(other, alpha) differently). float16's clamp_ is not implemented on
torch's CPU: its expected values are the CUDA kernel's rule (the bounds
converted to float16, as a fill converts a value, then compared in
float16), computed from float32.
"""
import random
import struct
import sys

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64,
          "float16": torch.float16, "bfloat16": torch.bfloat16}
INTS = {2: torch.int16, 4: torch.int32, 8: torch.int64}
WIDTH = {2: 4, 4: 8, 8: 16}
NAN = float("nan")
INF = float("inf")
# gi_compare: value, torch expression of the mask.
COMPARES = [(0, lambda x, a: x < a), (1, lambda x, a: x <= a),
            (2, lambda x, a: x > a), (3, lambda x, a: x >= a),
            (4, lambda x, a: x == a), (5, lambda x, a: x != a),
            (6, lambda x, a: x.abs() < a), (7, lambda x, a: x.abs() <= a),
            (8, lambda x, a: x.abs() > a), (9, lambda x, a: x.abs() >= a)]

EDGE_BITS = {
    "float16": [0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00,
                0x3c01, 0x3bff, 0xbc00, 0x3555, 0x7bff, 0xfbff, 0x7bfe,
                0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e01, 0x4000, 0x3800,
                0x5640, 0x0200],
    "bfloat16": [0x0000, 0x8000, 0x0001, 0x807f, 0x0080, 0x3f80, 0x3f81,
                 0x3f7f, 0xbf80, 0x3eab, 0x7f7f, 0xff7f, 0x7f7e, 0x7f80,
                 0xff80, 0x7fc0, 0xffc0, 0x7fc1, 0x4000, 0x477f, 0x4780,
                 0x3b80],
    "float32": [0x00000000, 0x80000000, 0x00000001, 0x007fffff, 0x00800000,
                0x3f800000, 0x3f800001, 0x3f7fffff, 0xbf800000, 0x3eaaaaab,
                0x7f7fffff, 0xff7fffff, 0x477fe000, 0x477ff000, 0x7f800000,
                0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00001, 0x38800000,
                0x33800000, 0x33000000, 0x3f808000],
    "float64": [0x0000000000000000, 0x8000000000000000, 0x0000000000000001,
                0x000fffffffffffff, 0x0010000000000000, 0x3ff0000000000000,
                0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000,
                0x3fd5555555555555, 0x7fefffffffffffff, 0xffefffffffffffff,
                0x47efffffe0000000, 0x47efffffffffffff, 0x7ff0000000000000,
                0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000,
                0x7ff8000000000001, 0x40effc0000000000, 0x40effe0000000000,
                0x3ff0000010000000],
}

# Scalars: ties and near-ties for the 16-bit types, values no dtype holds,
# the ends of each range, denormals and the special values.
ARITH = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 1.0 / 3.0, 2.0 ** -11,
         2.0 ** -11 + 2.0 ** -40, 2.0 ** -8, 2.0 ** -8 + 2.0 ** -30,
         1.0 + 2.0 ** -11 + 2.0 ** -40, 65504.0, 65519.0, 65520.0, 1e5,
         2.0 ** -25, 1e-310, 1e39, -1e39, INF, -INF, NAN]
FILLS = [0.0, -0.0, 1.0 / 3.0, 0.1, 65504.0, 65505.0, 65519.99, 65520.0,
         -65520.0, 3.3895313892515355e38, 3.39e38,
         3.4028234663852886e38, 3.4028235e38, 1e39, 1e-8, 2.0 ** -25,
         2.0 ** -24 * 1.5, 1e-310, 2.0 ** -149, 2.0 ** -150,
         1.0 + 2.0 ** -11 + 2.0 ** -40, INF, -INF, NAN]
CLAMPS = [(-1.0, 1.0), (0.0, 0.0), (-0.0, 0.0), (2.0, 1.0), (1.0, -1.0),
          (1.0 / 3.0, 0.5), (-INF, INF), (INF, INF), (-INF, -INF),
          (NAN, 1.0), (-1.0, NAN), (-1e5, 1e5), (-1e39, 1e39),
          (65504.0, 65520.0), (0.1, 0.2), (1e-310, 2.0 ** -24)]
THRESHOLDS = [0.0, 1.0, 1.0 / 3.0, 1.0 + 2.0 ** -12, 65520.0, 1e39, INF,
              -1.0]
FILL_VALUES = [7.0, -0.0, 1.0 / 3.0, 1e5, 65505.0, 65519.0, 1e39, INF,
               NAN]
ALPHAS = [1.0, -1.0, 0.5, 3.0, 1.0 / 3.0, 1.0 + 2.0 ** -9 + 2.0 ** -30,
          0.0, 1e5, 1e39, INF, NAN]


def dbits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def tensor_of_bits(bits, dt):
    size = torch.empty(0, dtype=dt).element_size()
    signed = [b - (1 << (8 * size)) if b >= 1 << (8 * size - 1) else b
              for b in bits]
    return torch.tensor(signed, dtype=INTS[size]).view(dt)


def bits_of(t):
    size = t.element_size()
    mask = (1 << (8 * size)) - 1
    return [b & mask for b in t.view(INTS[size]).tolist()]


def inputs(name, rng):
    dt = DTYPES[name]
    values = [rng.uniform(-4.0, 4.0) * 2.0 ** rng.randint(-12, 12)
              for _ in range(18)]
    randoms = bits_of(torch.tensor(values, dtype=torch.float64).to(dt))
    return EDGE_BITS[name] + randoms


def padded(bits, dt):
    """The case's elements, then ones up to a multiple of 64."""
    pad = -len(bits) % 64
    return torch.cat([tensor_of_bits(bits, dt), torch.ones(pad, dtype=dt)])


def run(fn, x):
    """fn on a copy of x: its bits, or None where torch refuses."""
    t = x.clone()
    try:
        fn(t)
    except RuntimeError:
        return None
    return bits_of(t)


def half_clamp(t, lo, hi):
    """torch's CUDA clamp_ on float16: bounds converted as fill_ converts
    them (refused on overflow), NaN bounds give NaN, then compared in
    float16, which float32 does exactly."""
    for v in (lo, hi):
        torch.empty(1, dtype=torch.float16).fill_(v)
    f = t.float()
    if lo != lo or hi != hi:
        f.fill_(NAN)
    else:
        lo16 = torch.tensor(lo).to(torch.float16).item()
        hi16 = torch.tensor(hi).to(torch.float16).item()
        f.clamp_(lo16, hi16)
    t.copy_(f)


class Writer:
    def __init__(self, out):
        self.out = out
        self.cases = 0

    def case(self, name, op, cmp, a, b, other, xs, ys, result):
        size = torch.empty(0, dtype=DTYPES[name]).element_size()
        n = len(xs)
        w = self.out.write
        w("op %s %s %d %016x %016x %s %s %d\n"
          % (name, op, cmp, dbits(a), dbits(b), other or "-",
             "refused" if result is None else "ok", n))
        ow = WIDTH[torch.empty(0, dtype=DTYPES[other]).element_size()] \
            if other else 0
        for i in range(n):
            y = "%0*x" % (ow, ys[i]) if ys else "-"
            r = xs[i] if result is None else result[i]
            w("%0*x %s %0*x\n" % (WIDTH[size], xs[i], y, WIDTH[size], r))
        self.cases += n


def unary_cases(wr, name, xs):
    dt = DTYPES[name]
    x = padded(xs, dt)
    for v in FILLS:
        wr.case(name, "fill", 0, v, 0.0, None, xs, None,
                run(lambda t: t.fill_(v), x))
    for v in ARITH:
        wr.case(name, "add", 0, v, 0.0, None, xs, None,
                run(lambda t: t.add_(v), x))
        wr.case(name, "mul", 0, v, 0.0, None, xs, None,
                run(lambda t: t.mul_(v), x))
    for lo, hi in CLAMPS:
        if dt == torch.float16:
            fn = lambda t: half_clamp(t, lo, hi)
        else:
            fn = lambda t: t.clamp_(lo, hi)
        wr.case(name, "clamp", 0, lo, hi, None, xs, None, run(fn, x))
    for cmp, mask in COMPARES:
        for a in THRESHOLDS:
            wr.case(name, "mul_mask", cmp, a, 0.0, None, xs, None,
                    run(lambda t: t.mul_(mask(t, a)), x))
        # every fill value with one comparison, two with the others
        pairs = [(a, v) for a in THRESHOLDS for v in FILL_VALUES] \
            if cmp == 2 else [(1.0, 7.0), (0.0, NAN)]
        for a, v in pairs:
            wr.case(name, "masked_fill", cmp, a, v, None, xs, None,
                    run(lambda t: t.masked_fill_(mask(t, a), v), x))


def binary_cases(wr, name, other, xs, ys, rng):
    dt, odt = DTYPES[name], DTYPES[other]
    ys = [ys[rng.randrange(len(ys))] for _ in xs]
    x, y = padded(xs, dt), padded(ys, odt)
    for alpha in ALPHAS:
        wr.case(name, "add", 0, alpha, 0.0, other, xs, ys,
                run(lambda t: t.add_(y, alpha=alpha), x))
    wr.case(name, "mul", 0, 0.0, 0.0, other, xs, ys,
            run(lambda t: t.mul_(y), x))


def main():
    rng = random.Random(20240612)
    w = sys.stdout.write
    w("# Generated by tests/gen_ops_cases.py with torch %s; do not edit.\n"
      % torch.__version__)
    w("# op <dtype> <op> <cmp> <a> <b> <other dtype> <result> <n>, then\n"
      "# n lines: <x bits> <y bits> <expected bits>\n")
    wr = Writer(sys.stdout)
    xs = {name: inputs(name, rng) for name in DTYPES}
    for name in DTYPES:
        unary_cases(wr, name, xs[name])
    for name in DTYPES:
        for other in DTYPES:
            binary_cases(wr, name, other, xs[name], xs[other], rng)
    w("cases %d\n" % wr.cases)


main()
