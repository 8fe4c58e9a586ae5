#!/usr/bin/env python3
"""Independent reference for ginit's random stream format (docs/rng.md).

Written from docs/rng.md alone, without looking at src/: Philox4x32-10 with
the documented counter/key layout, and the uniform_, normal_, mixture_
(uniform and constant components only: normal components need the quantile
function, not implemented here) and sparse_ laws with every float operation
done in IEEE binary32 (round to nearest even, one rounding per operation, no
fused multiply-add).

The float arithmetic runs twice, on two independent backends, and the two
must agree bit for bit:
  - numpy float32 scalars (np.float32 op np.float32, np.sqrt);
  - Python doubles rounded to binary32 after every operation (for + - * /
    and sqrt a double result rounded once more to binary32 is the correctly
    rounded binary32 result, since 53 >= 2 * 24 + 2).

Run:  python3 tests/rng_reference.py            (writes tests/data/rng_golden.txt)
      python3 tests/rng_reference.py --out PATH (writes PATH instead)
      python3 tests/rng_reference.py --check    (self-tests only, writes nothing)

Output format (line oriented; '#' lines are comments):
    case <law> <seed> <stream> <offset> <n> <a> <b> <offset_after> [<extra>]
    <v0> <v1> ... <v(n-1)>
    ...
    cases <total>
law is "uniform" (a, b = its bounds), "normal" (a, b = mean, std),
"sparse" (a, b = sparsity, std; extra = "<rows> <cols>", rows * cols = n,
the tensor is rows x cols) or "mixture" (a, b unused, written 00000000;
extra = "<k>" then k times "<law> <p> <a> <b>", law "uniform" or
"constant", p the probability; a constant's b is unused, written 00000000).
seed, stream, offset, offset_after, rows, cols, k are unsigned decimal; a,
b, p and the values are float32 bit patterns as "%08x". The last line
guards against truncation.
"""
import math
import os
import struct
import sys
from fractions import Fraction

import numpy as np

MASK32 = 0xFFFFFFFF
MASK64 = (1 << 64) - 1

# --------------------------------------------------------------------------
# Philox4x32-10 (integers only)
# --------------------------------------------------------------------------
M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85


def philox4x32_10(c, k):
    """c = (c0, c1, c2, c3), k = (k0, k1): 32-bit words. Returns x[0..3]."""
    c0, c1, c2, c3 = c
    k0, k1 = k
    for _ in range(10):
        p0 = M0 * c0  # exact 64-bit product
        p1 = M1 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & MASK32,
                          (p0 >> 32) ^ c3 ^ k1, p0 & MASK32)
        k0 = (k0 + W0) & MASK32
        k1 = (k1 + W1) & MASK32
    return (c0, c1, c2, c3)


def block(seed, stream, j):
    """Block j of generator (seed, stream, .): docs/rng.md counter layout."""
    j &= MASK64
    key = (seed & MASK32, seed >> 32)
    ctr = (j & MASK32, j >> 32, stream & MASK32, stream >> 32)
    return philox4x32_10(ctr, key)


# --------------------------------------------------------------------------
# Binary32 helpers
# --------------------------------------------------------------------------
def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", float(x)))[0]


def bits_f32(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def nearest_f32(q):
    """The binary32 nearest to the rational q (ties to even), exactly."""
    q = Fraction(q)
    assert q > 0
    d = float(q)  # nearest double; refine to binary32 exactly below
    lo = f32_bits(d)
    best = None
    for b in (lo - 1, lo, lo + 1):
        v = Fraction(bits_f32(b))
        err = abs(v - q)
        if best is None or err < best[0] or (err == best[0] and b % 2 == 0):
            best = (err, b)
    return best[1]


class R32:
    """Binary32 emulated with Python doubles, rounded after every op."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = struct.unpack("<f", struct.pack("<f", float(v)))[0]

    def __add__(self, o): return R32(self.v + o.v)
    def __sub__(self, o): return R32(self.v - o.v)
    def __mul__(self, o): return R32(self.v * o.v)
    def __truediv__(self, o): return R32(self.v / o.v)
    def __neg__(self): return R32(-self.v)


class NumpyOps:
    name = "numpy float32"

    @staticmethod
    def const(bits):
        return np.frombuffer(struct.pack("<I", bits), dtype=np.float32)[0]

    @staticmethod
    def from_uint(x):
        # x < 2^32 is exact as an int64, then one rounding to binary32.
        return np.array([x], dtype=np.int64).astype(np.float32)[0]

    @staticmethod
    def from_int(x):
        return NumpyOps.from_uint(x)

    @staticmethod
    def sqrt(x):
        return np.sqrt(x)

    @staticmethod
    def bits(x):
        return int(np.array([x], dtype=np.float32).view(np.uint32)[0])

    @staticmethod
    def trunc_int(x):
        return int(x)  # x is a small finite positive float: exact truncation


class DoubleOps:
    name = "double rounded to binary32"

    @staticmethod
    def const(bits):
        return R32(bits_f32(bits))

    @staticmethod
    def from_uint(x):
        return R32(float(x))  # x < 2^53: exact double, then one rounding

    from_int = from_uint

    @staticmethod
    def sqrt(x):
        return R32(math.sqrt(x.v))

    @staticmethod
    def bits(x):
        return f32_bits(x.v)

    @staticmethod
    def trunc_int(x):
        return int(x.v)


def pow2_bits(e):
    return f32_bits(math.ldexp(1.0, e))


# Constants of docs/rng.md, each "the float nearest to" its real value.
def fact(k):
    return math.factorial(k)


K = {
    "2^-24": pow2_bits(-24),
    "2^-32": pow2_bits(-32),
    "2^-33": pow2_bits(-33),
    "2^24": pow2_bits(24),
    "one": f32_bits(1.0),
    "two": f32_bits(2.0),
    "half": f32_bits(0.5),
    "four": f32_bits(4.0),
    "minus_two": f32_bits(-2.0),
    "C1": nearest_f32(Fraction(2, 3)),
    "C2": nearest_f32(Fraction(2, 5)),
    "C3": nearest_f32(Fraction(2, 7)),
    "C4": nearest_f32(Fraction(2, 9)),
    "LN2_HI": 0x3F317200,
    # ln 2 to ~60 digits, far more than needed to round ln2 - LN2_HI.
    "LN2_LO": None,
    "P": None,
    "S3": nearest_f32(Fraction(1, fact(3))),
    "S5": nearest_f32(Fraction(1, fact(5))),
    "S7": nearest_f32(Fraction(1, fact(7))),
    "S9": nearest_f32(Fraction(1, fact(9))),
    "LC4": nearest_f32(Fraction(1, fact(4))),
    "LC6": nearest_f32(Fraction(1, fact(6))),
    "LC8": nearest_f32(Fraction(1, fact(8))),
    "LC10": nearest_f32(Fraction(1, fact(10))),
}
LN2 = Fraction("0.693147180559945309417232121458176568075500134360255254120680")
PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494")
K["LN2_LO"] = nearest_f32(LN2 - Fraction(bits_f32(K["LN2_HI"])))
K["P"] = nearest_f32(PI / 2)


# --------------------------------------------------------------------------
# Bits to floats (generic over the two float backends)
# --------------------------------------------------------------------------
def U24(ops, x):
    return ops.from_uint(x >> 8) * ops.const(K["2^-24"])


def U32(ops, x):
    return ops.from_uint(x) * ops.const(K["2^-32"]) + ops.const(K["2^-33"])


def flog(ops, x):
    """docs/rng.md log(x), x > 0 finite."""
    b = ops.bits(x)
    e = 0
    if (b >> 23) & 0xFF == 0:  # subnormal
        x = x * ops.const(K["2^24"])
        b = ops.bits(x)
        e = -24
    e += ((b >> 23) & 0xFF) - 127
    mbits = b & 0x7FFFFF
    m = ops.const(0x3F800000 | mbits)  # in [1, 2)
    if mbits > 0x3504F3:
        m = m / ops.const(K["two"])
        e += 1
    c = ops.const
    f = m - c(K["one"])
    s = f / (c(K["two"]) + f)
    z = s * s
    R = z * (c(K["C1"]) + z * (c(K["C2"]) + z * (c(K["C3"]) + z * c(K["C4"]))))
    ef = ops.from_int(e)
    return (ef * c(K["LN2_LO"]) + (f - s * (f - R))) + ef * c(K["LN2_HI"])


def sincos_2pi(ops, u):
    c = ops.const
    t = c(K["four"]) * u
    q = ops.trunc_int(t + c(K["half"]))
    y = (t - ops.from_int(q)) * c(K["P"])
    w = y * y
    s = y + y * w * (-c(K["S3"]) + w * (c(K["S5"]) + w * (-c(K["S7"]) + w * c(K["S9"]))))
    co = c(K["one"]) + w * (-c(K["half"]) + w * (c(K["LC4"]) + w * (
        -c(K["LC6"]) + w * (c(K["LC8"]) + w * -c(K["LC10"])))))
    r = q % 4
    if r == 0:
        return (s, co)
    if r == 1:
        return (co, -s)
    if r == 2:
        return (-s, -co)
    return (-co, s)


def box_muller(ops, a, b):
    r = ops.sqrt(ops.const(K["minus_two"]) * flog(ops, U32(ops, a)))
    s, co = sincos_2pi(ops, U24(ops, b))
    return (r * co, r * s)


def below_bits(b_bits):
    """Bits of the largest binary32 smaller than b (b finite)."""
    if b_bits & 0x7FFFFFFF == 0:  # +0 or -0
        return 0x80000001
    if b_bits & 0x80000000:
        return b_bits + 1
    return b_bits - 1


def less(ops, x, y):
    return bits_f32(ops.bits(x)) < bits_f32(ops.bits(y))


# --------------------------------------------------------------------------
# Laws
# --------------------------------------------------------------------------
def blocks_for(seed, stream, offset, n):
    return [block(seed, stream, offset + j) for j in range((n + 3) // 4)]


def uniform_(ops, seed, stream, offset, n, a_bits, b_bits, extra=None):
    """Returns (values as bit patterns, offset after)."""
    a, b = ops.const(a_bits), ops.const(b_bits)
    if bits_f32(a_bits) == bits_f32(b_bits):
        return [ops.bits(a + ops.const(0))] * n, offset
    diff = b - a
    top = ops.const(below_bits(b_bits))
    blks = blocks_for(seed, stream, offset, n)
    out = []
    for i in range(n):
        v = U24(ops, blks[i // 4][i % 4]) * diff + a
        if less(ops, top, v):
            v = top
        out.append(ops.bits(v))
    return out, (offset + (n + 3) // 4) & MASK64


def normal_(ops, seed, stream, offset, n, mean_bits, std_bits, extra=None):
    mean, std = ops.const(mean_bits), ops.const(std_bits)
    blks = blocks_for(seed, stream, offset, n)
    out = []
    for j, x in enumerate(blks):
        z = box_muller(ops, x[0], x[1]) + box_muller(ops, x[2], x[3])
        for lane in range(4):
            i = 4 * j + lane
            if i < n:
                out.append(ops.bits(z[lane] * std + mean))
    return out, (offset + (n + 3) // 4) & MASK64


# mixture_: components are (law, p_bits, a_bits, b_bits), law one of
# COMPONENT_LAWS. Normal components need quantile(U23(x)) (gi_norm_quantile,
# src/fquantile.h), which this reference does not implement.
COMPONENT_LAWS = ("uniform", "normal", "constant")


def cumulative_probabilities(comps):
    """docs/rng.md: c_j = (float)(sum_{i<=j} p_i / sum p), formed in double
    (left to right), the last one set to 1. Returns float32 bit patterns."""
    ps = [bits_f32(p) for _, p, _, _ in comps]
    total = 0.0
    for p in ps:
        total += p
    cum, part = [], 0.0
    for p in ps:
        part += p
        cum.append(f32_bits(part / total))  # double quotient, one rounding
    cum[-1] = f32_bits(1.0)
    return cum


def mixture_element(ops, comps, cum, s, x):
    """One element from lanes (s, x): docs/rng.md mixture_."""
    u = U24(ops, s)
    j = len(comps) - 1
    for i, c in enumerate(cum):
        if less(ops, u, ops.const(c)):
            j = i
            break
    law, _, a_bits, b_bits = comps[j]
    a = ops.const(a_bits)
    if law == "constant":
        return ops.bits(a)
    if law == "uniform":
        if bits_f32(a_bits) == bits_f32(b_bits):
            return ops.bits(a + ops.const(0))
        b = ops.const(b_bits)
        v = a + (b - a) * U24(ops, x)
        top = ops.const(below_bits(b_bits))
        if less(ops, top, v):
            v = top
        return ops.bits(v)
    raise NotImplementedError("mixture_: %s components need quantile(), "
                              "not implemented here" % law)


def mixture_(ops, seed, stream, offset, n, a_bits, b_bits, extra):
    """extra: the components. a_bits, b_bits are unused. Two lanes per
    element, two elements per block; offset + ceil(n / 2)."""
    comps = extra
    assert 1 <= len(comps) <= 8 and all(c[0] in COMPONENT_LAWS for c in comps)
    cum = cumulative_probabilities(comps)
    nb = (n + 1) // 2
    out = []
    for j in range(nb):
        x = block(seed, stream, offset + j)
        out.append(mixture_element(ops, comps, cum, x[0], x[1]))
        if 2 * j + 1 < n:
            out.append(mixture_element(ops, comps, cum, x[2], x[3]))
    return out, (offset + nb) & MASK64


def sparse_k(ops, rows, sparsity_bits):
    """k = ceil(sparsity * rows), the product rounded to float."""
    prod = ops.const(sparsity_bits) * ops.from_int(rows)
    return math.ceil(bits_f32(ops.bits(prod)))


def sparse_(ops, seed, stream, offset, n, sparsity_bits, std_bits, extra):
    """extra = (rows, cols), n = rows * cols. docs/rng.md sparse_."""
    rows, cols = extra
    assert rows * cols == n and rows > 0 and cols > 0
    out, _ = normal_(ops, seed, stream, offset, n, f32_bits(0.0), std_bits)
    nb = (n + 3) // 4
    base = offset + nb  # the selection lanes follow the normal blocks
    k = sparse_k(ops, rows, sparsity_bits)
    assert 0 <= k <= rows
    cache = {}
    for c in range(cols):
        needed = k
        r = 0
        while needed > 0:
            L = c * rows + r
            bi = L // 4
            if bi not in cache:
                cache[bi] = block(seed, stream, base + bi)
            x = cache[bi][L % 4]
            if x * (rows - r) < needed << 32:
                out[r * cols + c] = 0  # +0
                needed -= 1
            r += 1
    return out, (offset + 2 * nb) & MASK64


LAWS = {"uniform": uniform_, "normal": normal_, "mixture": mixture_,
        "sparse": sparse_}


def run_case(law, seed, stream, offset, n, a_bits, b_bits, extra=None):
    """extra: the components for "mixture", (rows, cols) for "sparse"."""
    res = [LAWS[law](ops, seed, stream, offset, n, a_bits, b_bits, extra)
           for ops in (NumpyOps, DoubleOps)]
    if res[0] != res[1]:
        raise SystemExit("backends disagree on %s %d %d %d %d" %
                         (law, seed, stream, offset, n))
    return res[0]


# --------------------------------------------------------------------------
# Self tests
# --------------------------------------------------------------------------
def self_test():
    # docs/rng.md known answer: counter 0, key 0.
    got = philox4x32_10((0, 0, 0, 0), (0, 0))
    want = (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)
    assert got == want, ["%08x" % w for w in got]
    # Random123's published known answers for philox4x32_10 (kat_vectors),
    # which docs/rng.md does not list; a cross-check of the round function.
    got = philox4x32_10((MASK32,) * 4, (MASK32,) * 2)
    assert got == (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD), \
        ["%08x" % w for w in got]
    got = philox4x32_10((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
                        (0xA4093822, 0x299F31D0))
    assert got == (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1), \
        ["%08x" % w for w in got]
    # Constants sanity.
    assert K["P"] == 0x3FC90FDB, "%08x" % K["P"]
    assert K["C1"] == f32_bits(2 / 3) and K["S3"] == f32_bits(1 / 6)
    # The float pieces against libm, loosely (they are approximations).
    for ops in (NumpyOps, DoubleOps):
        for x in (1e-10, 2.3283064e-10, 0.1, 0.5, 0.70710677, 0.9999999, 1.0,
                  1.4142135, 1.5, 3.0):
            got = bits_f32(ops.bits(flog(ops, ops.const(f32_bits(x)))))
            assert abs(got - math.log(bits_f32(f32_bits(x)))) <= 2e-7 * max(
                1.0, abs(math.log(x))), (x, got)
        for k in range(0, 1 << 24, 4099):
            u = ops.const(f32_bits(k * 2.0**-24))
            s, c = sincos_2pi(ops, u)
            ang = 2 * math.pi * k * 2.0**-24
            assert abs(bits_f32(ops.bits(s)) - math.sin(ang)) < 3e-7, k
            assert abs(bits_f32(ops.bits(c)) - math.cos(ang)) < 3e-7, k
    # U32 bounds: (0, 1].
    for ops in (NumpyOps, DoubleOps):
        assert bits_f32(ops.bits(U32(ops, 0))) == 2.0**-33
        assert bits_f32(ops.bits(U32(ops, MASK32))) == 1.0
        assert bits_f32(ops.bits(U24(ops, MASK32))) == 1 - 2.0**-24
    # Loose distribution check.
    vals = [bits_f32(b) for b in
            run_case("normal", 7, 0, 0, 4000, f32_bits(0), f32_bits(1))[0]]
    mean = sum(vals) / len(vals)
    var = sum((v - mean) ** 2 for v in vals) / len(vals)
    assert abs(mean) < 0.06 and abs(var - 1) < 0.08, (mean, var)
    vals = [bits_f32(b) for b in
            run_case("uniform", 7, 0, 0, 4000, f32_bits(0), f32_bits(1))[0]]
    assert all(0 <= v < 1 for v in vals)
    assert abs(sum(vals) / len(vals) - 0.5) < 0.02
    # mixture_: the chapter's law, and a zero-probability component.
    law = [("uniform", f32_bits(0.25), f32_bits(5), f32_bits(10)),
           ("constant", f32_bits(0.5), 0, 0),
           ("uniform", f32_bits(0.25), f32_bits(-10), f32_bits(-5))]
    bits, after = run_case("mixture", 7, 0, 3, 4001, 0, 0, law)
    assert after == 3 + 2001
    vals = [bits_f32(b) for b in bits]
    zeros = sum(1 for b in bits if b == 0)
    high = sum(1 for v in vals if 5 <= v < 10)
    low = sum(1 for v in vals if -10 <= v < -5)
    assert zeros + high + low == len(vals)
    assert abs(zeros / 4001 - 0.5) < 0.03 and abs(high / 4001 - 0.25) < 0.03
    law = [("uniform", f32_bits(0.3), f32_bits(-1), f32_bits(1)),
           ("constant", f32_bits(0.0), f32_bits(99), 0),
           ("uniform", f32_bits(0.7), f32_bits(2), f32_bits(3))]
    vals = [bits_f32(b) for b in run_case("mixture", 7, 0, 3, 4000, 0, 0,
                                          law)[0]]
    assert all(-1 <= v < 1 or 2 <= v < 3 for v in vals)
    assert abs(sum(1 for v in vals if v < 1) / 4000 - 0.3) < 0.03
    # sparse_: exactly k zeros per column, the rest the normal fill.
    rows, cols = 37, 11
    n = rows * cols
    bits, after = run_case("sparse", 7, 0, 3, n, f32_bits(0.3), f32_bits(1),
                           (rows, cols))
    assert after == 3 + 2 * ((n + 3) // 4)
    normal = run_case("normal", 7, 0, 3, n, f32_bits(0), f32_bits(1))[0]
    k = math.ceil(bits_f32(f32_bits(bits_f32(f32_bits(0.3)) * rows)))
    assert k == 12
    for c in range(cols):
        col = [bits[r * cols + c] for r in range(rows)]
        assert sum(1 for b in col if b == 0) == k
        assert all(b == 0 or b == normal[r * cols + c]
                   for r, b in enumerate(col))


# --------------------------------------------------------------------------
# Golden cases
# --------------------------------------------------------------------------
BIG_SEED = 0x9C3F5E1B2A7D4086   # an arbitrary large seed, fixed once
BIG_STREAM = 0xDEADBEEFCAFEF00D
TOP = MASK64                    # 2^64 - 1
WRAP = (1 << 64) - 2            # 13 elements = 4 blocks: 2^64-2 .. 2^64+1


def F(x):
    return f32_bits(x)


# The chapter's my_init law (examples/walkthrough.c my_init_fused):
# U(5, 10) with p = 1/4, 0 with p = 1/2, U(-10, -5) with p = 1/4.
CHAPTER = [("uniform", F(0.25), F(5), F(10)), ("constant", F(0.5), F(0), 0),
           ("uniform", F(0.25), F(-10), F(-5))]


CASES = [
    # law, seed, stream, offset, n, a, b
    ("uniform", 0, 0, 0, 1000, F(0), F(1)),
    ("uniform", 1, 0, 5, 13, F(0), F(1)),
    ("uniform", 42, 0, 0, 3, F(-10), F(10)),
    ("uniform", TOP, BIG_STREAM, WRAP, 13, F(-1e-3), F(2.5)),
    ("uniform", BIG_SEED, BIG_STREAM, 5, 4, F(-10), F(10)),
    ("uniform", BIG_SEED, 0, TOP, 4, F(0), F(1)),
    ("uniform", 0, TOP, 0, 1000, F(-1e-3), F(2.5)),
    ("uniform", 42, BIG_STREAM, WRAP, 1, F(-10), F(10)),
    ("normal", 0, 0, 0, 1000, F(0), F(1)),
    ("normal", 1, BIG_STREAM, 0, 1, F(0), F(0.01)),
    ("normal", 42, 0, 5, 13, F(42), F(3)),
    ("normal", TOP, 0, WRAP, 13, F(0), F(1)),
    ("normal", BIG_SEED, BIG_STREAM, WRAP, 1000, F(42), F(3)),
    ("normal", TOP, BIG_STREAM, 5, 3, F(0), F(0.01)),
    ("normal", 42, BIG_STREAM, 0, 4, F(0), F(1)),
    ("normal", 1, TOP, TOP, 13, F(0), F(0.01)),
    # The clamp to below(b): a and b a few ulps apart, so that
    # U24 * (b - a) + a often rounds up to b and must become below(b).
    ("uniform", 3, 0, 0, 64, F(1000000.0), F(1000000.25)),
    ("uniform", 3, 1, 0, 64, F(-2.0), F(-2.0 + 4 * 2.0**-23)),
    # Edge cases of the offset rule: a == b draws nothing; std == 0 still
    # draws (docs/rng.md: only uniform's a == b is said not to draw).
    ("uniform", 5, 0, 7, 5, F(3), F(3)),
    ("normal", 5, 0, 7, 5, F(42), F(0)),
    # a == b with signed zeros: every element is a + 0, so -0.0 becomes
    # +0.0 (a = -0.0, b = +0.0 compare equal as floats).
    ("uniform", 5, 0, 7, 3, 0x80000000, 0x80000000),
    ("uniform", 5, 0, 7, 3, 0x80000000, 0x00000000),
    # Probes of log's ln 2 split (LN2_HI = 0x3f317200, LN2_LO nearest to
    # ln 2 - LN2_HI): blocks 648244 and 1885164 of seed 0, stream 0 hold
    # lanes whose log rounds differently under another split (e.g.
    # 0x3f317180 / 0x3717f7d2), which moves the normals by 1-2 ulp.
    ("normal", 0, 0, 648243, 13, F(0), F(1)),
    ("normal", 0, 0, 1885164, 4, F(0), F(1)),
] + [
    # sparse_: a, b = sparsity, std; extra = (rows, cols).
    # k = ceil(0.1f * 10 in float) = 1 (the exact product 1.0000000149 would
    # give 2).
    ("sparse", 0, 0, 0, 50, F(0.1), F(0.01), (10, 5)),
    ("sparse", 42, 0, 5, 21, F(0.5), F(1), (7, 3)),       # k = 4
    ("sparse", BIG_SEED, BIG_STREAM, WRAP, 52, F(0.3), F(2), (13, 4)),
    ("sparse", 1, 0, 3, 3000, F(0.9), F(0.01), (100, 30)),  # k = 90
    # k = 0: no zeros, the offset still advances by 2 * ceil(n / 4).
    ("sparse", 7, 0, 0, 15, F(0), F(1), (3, 5)),
    ("sparse", 7, 1, 11, 15, F(1), F(1), (5, 3)),         # all zero
    ("sparse", TOP, TOP, TOP, 1, F(0.5), F(1), (1, 1)),   # k = 1
    ("sparse", 3, BIG_STREAM, 9, 9, F(0.5), F(3), (9, 1)),  # k = 5
    ("sparse", 5, 0, 7, 16, F(0.5), F(0), (4, 4)),        # std 0: all +0
] + [
    # mixture_: a, b unused (0); extra = the components (law, p, a, b).
    ("mixture", 0, 0, 0, 1000, 0, 0, CHAPTER),
    ("mixture", 42, 0, 5, 7, 0, 0, CHAPTER),
    ("mixture", 1, BIG_STREAM, TOP, 1, 0, 0, CHAPTER),
    # A single constant still draws (offset + ceil(n / 2)).
    ("mixture", BIG_SEED, BIG_STREAM, WRAP, 3, 0, 0,
     [("constant", F(1), F(-1.5), 0)]),
    # A zero-probability component is never drawn (99 never appears).
    ("mixture", 7, BIG_STREAM, 12345, 1001, 0, 0,
     [("uniform", F(0.3), F(-1), F(1)), ("constant", F(0), F(99), 0),
      ("uniform", F(0.7), F(2), F(3))]),
    # Zero probability first and last; a constant -0.0 stays -0.0.
    ("mixture", 9, 0, 3, 101, 0, 0,
     [("constant", F(0), F(99), 0), ("uniform", F(0.5), F(0), F(1)),
      ("constant", F(0.5), 0x80000000, 0), ("constant", F(0), F(98), 0)]),
    # Uniform components capped at below(b); a == b gives a + 0.
    ("mixture", 3, 0, 0, 64, 0, 0,
     [("uniform", F(0.5), F(1000000.0), F(1000000.25)),
      ("uniform", F(0.5), F(-2.0), F(-2.0 + 4 * 2.0**-23))]),
    ("mixture", 5, 0, 7, 5, 0, 0,
     [("uniform", F(0.5), F(3), F(3)),
      ("uniform", F(0.5), 0x80000000, 0x80000000)]),
    # Eight components (the most gi_mixture_ takes), odd n at offset 2^64-1.
    ("mixture", TOP, TOP, TOP, 1001, 0, 0,
     [("uniform", F(0.05), F(-4), F(-3)), ("constant", F(0.1), F(-2.5), 0),
      ("uniform", F(0.15), F(-2), F(-1)), ("constant", F(0.2), F(0), 0),
      ("uniform", F(0.1), F(1), F(2)), ("constant", F(0.15), F(2.5), 0),
      ("uniform", F(0.2), F(3), F(4)), ("constant", F(0.05), F(5), 0)]),
    # Probabilities 1/3 each (sum p = 1.0000000298 in double).
    ("mixture", 11, 0, 0, 13, 0, 0,
     [("uniform", F(1 / 3), F(0), F(1)), ("uniform", F(1 / 3), F(10), F(11)),
      ("uniform", F(1 / 3), F(20), F(21))]),
    # Probes, all seed 0, stream 0 (found by scanning the stream):
    # u == c_j exactly must not pick j (u < c_j is strict): element 2 of
    # the first has u = 0.75 = c_1, of the second u = 0.25 = c_0.
    ("mixture", 0, 0, 150077, 3, 0, 0, CHAPTER),
    ("mixture", 0, 0, 630967, 3, 0, 0, CHAPTER),
    # Division by sum p: c_0 = (float)(0.5 / 0.99999949...) = 0x3f000004;
    # element 2 has u = 0.5 (without the division c_0 would be 0.5).
    ("mixture", 0, 0, 9297663, 3, 0, 0,
     [("uniform", F(0.5), F(0), F(1)), ("uniform", F(0.4999995), F(10), F(11))]),
    # Formed in double: c_0 = 0x3f170a3d (float arithmetic throughout gives
    # 0x3f170a3e); element 1 has u = 0x3f170a3d.
    ("mixture", 0, 0, 13195869, 2, 0, 0,
     [("uniform", F(0.59), F(0), F(1)), ("uniform", F(0.38), F(10), F(11)),
      ("uniform", F(0.03), F(20), F(21))]),
]


def case_header(law, seed, stream, offset, n, a, b, after, extra):
    head = "case %s %d %d %d %d %08x %08x %d" % (law, seed, stream, offset, n,
                                               a, b, after)
    if law == "sparse":
        head += " %d %d" % extra
    elif law == "mixture":
        head += " %d" % len(extra) + "".join(
            " %s %08x %08x %08x" % c for c in extra)
    return head


def main():
    self_test()
    if "--check" in sys.argv[1:]:
        print("rng_reference: self tests passed")
        return
    lines = ["# Generated by tests/rng_reference.py from docs/rng.md; do not edit.",
             "# case <law> <seed> <stream> <offset> <n> <a> <b> <offset_after> [...]",
             "#   sparse: a, b = sparsity, std, then <rows> <cols>",
             "#   mixture: a, b unused, then <k> and k times <law> <p> <a> <b>",
             "# then one line of n float32 bit patterns (%08x)."]
    for case in CASES:
        law, seed, stream, offset, n, a, b = case[:7]
        extra = case[7] if len(case) > 7 else None
        vals, after = run_case(law, seed, stream, offset, n, a, b, extra)
        assert len(vals) == n
        lines.append(case_header(law, seed, stream, offset, n, a, b, after,
                                 extra))
        lines.append(" ".join("%08x" % v for v in vals))
    lines.append("cases %d" % len(CASES))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "data", "rng_golden.txt")
    if "--out" in sys.argv[1:]:
        path = sys.argv[sys.argv.index("--out") + 1]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote %s: %d cases" % (path, len(CASES)))


if __name__ == "__main__":
    main()
