#!/usr/bin/env python3
"""Independent reference for ginit's random stream format (docs/rng.md).

Written from docs/rng.md alone, without looking at src/ (except
src/shared/fquantile.h, whose operations and constants docs/rng.md makes part of
the format): Philox4x32-10 with the documented counter/key layout, and the
uniform_, normal_, trunc_normal_, mixture_ (uniform, normal and constant
components) and sparse_ laws with every float operation done in IEEE
binary32 (round to nearest even, one rounding per operation, no fused
multiply-add). The normal quantile is a port, operation by operation, of
gi_norm_quantile_lower / gi_norm_quantile (src/shared/fquantile.h) onto the log of
docs/rng.md; the self tests check it against the exact quantile (mpmath, or
Newton steps on math.erfc without it): within 2 ulp and monotone.

The float arithmetic runs twice, on two independent backends, and the two
must agree bit for bit:
  - numpy float32 scalars (np.float32 op np.float32, np.sqrt);
  - Python doubles rounded to binary32 after every operation (for + - * /
    and sqrt a double result rounded once more to binary32 is the correctly
    rounded binary32 result, since 53 >= 2 * 24 + 2).

The float64 laws (docs/rng.md, "float64") are transcribed in plain Python
floats, which are IEEE binary64 and never fused: ginit's log64, sincos64
(fdlibm's kernels) and AS241 quantile, operation by operation, written to
tests/data/rng_golden64.txt (its format is in the file's header).

Run:  python3 tests/rng_reference.py            (writes tests/data/rng_golden.txt
                                                 and rng_golden64.txt)
      python3 tests/rng_reference.py --out64 PATH (the float64 file to PATH)
      python3 tests/rng_reference.py --out PATH (writes PATH instead)
      python3 tests/rng_reference.py --check    (self-tests only, writes nothing)

Output format (line oriented; '#' lines are comments):
    case <law> <seed> <stream> <offset> <n> <a> <b> <offset_after> [<extra>]
    <v0> <v1> ... <v(n-1)>
    ...
    cases <total>
law is "uniform" (a, b = its bounds), "normal" (a, b = mean, std),
"trunc_normal" (a, b = mean, std; extra = "<lo> <hi>", the bounds of the
interval, float32 bit patterns, either may be infinite),
"sparse" (a, b = sparsity, std; extra = "<rows> <cols>", rows * cols = n,
the tensor is rows x cols) or "mixture" (a, b unused, written 00000000;
extra = "<k>" then k times "<law> <p> <a> <b>", law "uniform" (bounds a, b),
"normal" (mean a, std b) or "constant" (a), p the probability; a
constant's b is unused, written 00000000).
seed, stream, offset, offset_after, rows, cols, k are unsigned decimal; a,
b, lo, hi, p and the values are float32 bit patterns as "%08x". The last
line guards against truncation.
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
    for b in (lo - 1, lo, lo + 1) if lo > 0 else (0, 1):
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
# U23 and the normal quantile (docs/rng.md "U23 and the quantile";
# src/shared/fquantile.h gi_norm_quantile_lower and gi_norm_quantile)
# --------------------------------------------------------------------------
def lit_bits(text):
    """Bits of the C float literal `text` (decimal, rounded once to binary32,
    as a C compiler does; no detour through a double)."""
    q = Fraction(text)
    if q == 0:
        return 0x80000000 if text.lstrip().startswith("-") else 0
    if q < 0:
        return nearest_f32(-q) | 0x80000000
    return nearest_f32(q)


# The constants of src/shared/fquantile.h, from its literals.
QK = {name: lit_bits(text) for name, text in (
    ("C0", "2.50662827e+00"),
    ("CK", "1.38295144e-01"),
    ("CW1", "-1.17019504e-01"), ("CS1", "-2.66654551e-01"),
    ("CW2", "-3.72920007e-01"), ("CS2", "-3.61251444e-01"),
    ("CW3", "-8.12497854e-01"), ("CS3", "-8.00099134e-01"),
    ("TK", "7.81124737e-03"),
    ("TW1", "1.91836226e+00"), ("TS1", "3.03902969e+01"),
    ("TW2", "1.42965984e+00"), ("TS2", "6.45964384e+00"),
    ("TW3", "1.61414814e+00"), ("TS3", "1.40855598e+00"),
    ("TW4", "4.25791889e-01"), ("TS4", "2.54211634e-01"),
    ("eighth", "0.125"), ("half", "0.5"), ("one", "1"), ("minus_two", "-2"),
)}


def U23(ops, x):
    """docs/rng.md: (float)((x >> 9) * 2 + 1) * 2^-24, exact."""
    return ops.from_uint((x >> 9) * 2 + 1) * ops.const(K["2^-24"])


def quantile_lower(ops, p):
    """gi_norm_quantile_lower(p), p a float in (0, 0.5] (src/shared/fquantile.h),
    one operation per operation of the C code, same order."""
    c = lambda name: ops.const(QK[name])  # noqa: E731
    if bits_f32(ops.bits(p)) >= bits_f32(QK["eighth"]):
        rh = p - c("half")
        rl = p - (rh + c("half"))
        z = rh * rh + (rh + rh) * rl
        s = ((c("CK") + c("CW1") / (z + c("CS1"))) + c("CW2") / (z + c("CS2"))) \
            + c("CW3") / (z + c("CS3"))
        zs = z * s
        big_r = c("C0") + zs
        return rh * c("C0") + (rh * zs + rl * big_r)
    v = flog(ops, p) * c("minus_two")
    t = ops.sqrt(v)
    th = ops.const(ops.bits(t) & 0xFFFFF000)
    tl = t - th
    e = ((v - th * th) - (th + th) * tl) - tl * tl
    d = e / (t + t)
    g = c("TK") - d
    g = g + c("TW1") / (t + c("TS1"))
    g = g + c("TW2") / (t + c("TS2"))
    g = g + c("TW4") / (t + c("TS4"))
    g = g + c("TW3") / (t + c("TS3"))
    return g - t


def quantile(ops, p):
    """gi_norm_quantile(p): -quantile_lower(1 - p) for p > 0.5."""
    if bits_f32(ops.bits(p)) > 0.5:
        return -quantile_lower(ops, ops.const(QK["one"]) - p)
    return quantile_lower(ops, p)


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
# COMPONENT_LAWS; a normal component (mean a, std b) is a + b * quantile(U23).
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
    assert law == "normal"
    return ops.bits(a + ops.const(b_bits) * quantile(ops, U23(ops, x)))


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


def round_f32(d):
    """Bits of the binary32 nearest to the double d >= 0 (ties to even)."""
    assert d >= 0 and not math.isinf(d)
    return nearest_f32(Fraction(d)) if d > 0 else 0


SQRT2 = math.sqrt(2.0)


def Phi(x):
    return math.erfc(-x / SQRT2) / 2


def Q(x):
    return math.erfc(x / SQRT2) / 2


NARROW = 2.0**-11  # docs/rng.md: the narrow intervals' threshold


def signed_f32(d):
    """Bits of the binary32 nearest to the finite double d (ties to even)."""
    return round_f32(d) if d >= 0 else round_f32(-d) | 0x80000000


def trunc_normal_params(mean_bits, std_bits, a_bits, b_bits):
    """docs/rng.md trunc_normal_, the host part, in double. Returns
    ("tail", (P0, P1, flip)) or, for a narrow interval, ("narrow", (K,)),
    the bits of the floats the kernel receives besides mean, std, a, b."""
    mean, std = bits_f32(mean_bits), bits_f32(std_bits)
    a, b = bits_f32(a_bits), bits_f32(b_bits)
    alpha = (a - mean) / std
    beta = (b - mean) / std
    if alpha > 0:  # upper-tail probabilities
        lo, hi, flip = Q(beta), Q(alpha), -1.0
    else:
        lo, hi, flip = Phi(alpha), Phi(beta), 1.0
    if hi - lo < NARROW * hi:
        w = (b - a) / std
        m = ((a - mean) + (b - mean)) / (2.0 * std)
        return "narrow", (signed_f32(w * m / 2.0),)
    return "tail", (round_f32(lo), round_f32(hi - lo), f32_bits(flip))


def trunc_narrow(ops, a, b, k, x):
    """docs/rng.md, a narrow interval: s = u - K u (1 - u), a + (b - a) s."""
    u = U23(ops, x)
    s = u - k * (u * (ops.const(K["one"]) - u))
    v = a + (b - a) * s
    if less(ops, v, a):
        v = a
    if less(ops, b, v):
        v = b
    return v


def trunc_normal_(ops, seed, stream, offset, n, mean_bits, std_bits, extra):
    """extra = (a_bits, b_bits), the interval. One lane per element."""
    a_bits, b_bits = extra
    form, params = trunc_normal_params(mean_bits, std_bits, a_bits, b_bits)
    mean, std = ops.const(mean_bits), ops.const(std_bits)
    a, b = ops.const(a_bits), ops.const(b_bits)
    qmin = ops.const(pow2_bits(-126))
    qmax = ops.const(f32_bits(1 - 2.0**-24))
    blks = blocks_for(seed, stream, offset, n)
    out = []
    for i in range(n):
        x = blks[i // 4][i % 4]
        if form == "narrow":
            out.append(ops.bits(trunc_narrow(ops, a, b, ops.const(params[0]),
                                             x)))
            continue
        P0, P1, flip = (ops.const(p) for p in params)
        q = P0 + P1 * U23(ops, x)
        if less(ops, q, qmin):
            q = qmin
        if less(ops, qmax, q):
            q = qmax
        v = mean + std * (flip * quantile(ops, q))
        if less(ops, v, a):
            v = a
        if less(ops, b, v):
            v = b
        out.append(ops.bits(v))
    return out, (offset + (n + 3) // 4) & MASK64


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
        "sparse": sparse_, "trunc_normal": trunc_normal_}


def run_case(law, seed, stream, offset, n, a_bits, b_bits, extra=None):
    """extra: the components for "mixture", (rows, cols) for "sparse",
    (a, b) bits of the interval for "trunc_normal"."""
    res = [LAWS[law](ops, seed, stream, offset, n, a_bits, b_bits, extra)
           for ops in (NumpyOps, DoubleOps)]
    if res[0] != res[1]:
        raise SystemExit("backends disagree on %s %d %d %d %d" %
                         (law, seed, stream, offset, n))
    return res[0]


# --------------------------------------------------------------------------
# float64 laws (docs/rng.md, "float64"): Python floats are IEEE binary64
# and Python never fuses, so the operations below, written in the order of
# docs/rng.md, are the library's bits.
# --------------------------------------------------------------------------
def d_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def bits_d(u):
    return struct.unpack("<d", struct.pack("<Q", u))[0]


def hexd(text):
    return float.fromhex(text)


TWO_M53 = 2.0**-53
DBL_MIN = 2.0**-1022
ONE_BELOW = 1.0 - TWO_M53  # the largest double below 1

# fdlibm's log and k_sin / k_cos (FreeBSD msun) constants, by their bits.
LN2_HI, LN2_LO = hexd("0x1.62e42fee00000p-1"), hexd("0x1.a39ef35793c76p-33")
LG = [hexd(t) for t in (
    "0x1.5555555555593p-1", "0x1.999999997fa04p-2", "0x1.2492494229359p-2",
    "0x1.c71c51d8e78afp-3", "0x1.7466496cb03dep-3", "0x1.39a09d078c69fp-3",
    "0x1.2f112df3e5244p-3")]
SIN = [hexd(t) for t in (
    "-0x1.5555555555549p-3", "0x1.111111110f8a6p-7", "-0x1.a01a019c161d5p-13",
    "0x1.71de357b1fe7dp-19", "-0x1.ae5e68a2b9cebp-26",
    "0x1.5d93a5acfd57cp-33")]
COS = [hexd(t) for t in (
    "0x1.555555555554cp-5", "-0x1.6c16c16c15177p-10", "0x1.a01a019cb1590p-16",
    "-0x1.27e4f809c52adp-22", "0x1.1ee9ebdb4b1c4p-29",
    "-0x1.8fae9be8838d4p-37")]
PIO2_HI, PIO2_LO = hexd("0x1.921fb54442d18p+0"), hexd("0x1.1a62633145c07p-54")
PH, PL = hexd("0x1.921fb58000000p+0"), hexd("-0x1.dde9740000000p-27")
SQRT2_BITS = 0x3FF6A09E667F3BCD


def log64(x):
    u = d_bits(x)
    e = (u >> 52) - 1023
    u = (u & ((1 << 52) - 1)) | 0x3FF0000000000000
    if u > SQRT2_BITS:
        u -= 1 << 52
        e += 1
    f = bits_d(u) - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LG[1] + w * (LG[3] + w * LG[5]))
    t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])))
    r = t2 + t1
    hf = 0.5 * f * f
    de = float(e)
    return de * LN2_HI - ((hf - (s * (hf + r) + de * LN2_LO)) - f)


def kernel_sin64(x, y):
    z = x * x
    w = z * z
    r = SIN[1] + z * (SIN[2] + z * SIN[3]) + z * w * (SIN[4] + z * SIN[5])
    v = z * x
    return x - ((z * (0.5 * y - v * r) - y) - v * SIN[0])


def kernel_cos64(x, y):
    z = x * x
    w = z * z
    r = (z * (COS[0] + z * (COS[1] + z * COS[2])) +
         w * w * (COS[3] + z * (COS[4] + z * COS[5])))
    hz = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + (z * r - x * y))


def sincos_2pi64(u):
    t = u * 4.0
    q = int(t + 0.5)
    v = t - float(q)
    c = v * 134217729.0
    vh = c - (c - v)
    vl = v - vh
    x = v * PIO2_HI
    err = (((vh * PH - x) + vh * PL) + vl * PH) + vl * PL
    y = err + v * PIO2_LO
    s, co = kernel_sin64(x, y), kernel_cos64(x, y)
    sa, ca = (co, s) if q & 1 else (s, co)
    return (-sa if q & 2 else sa), (-ca if (q + 1) & 2 else ca)


# AS241 PPND16, highest degree first.
PPND_A = (2.5090809287301226727e+3, 3.3430575583588128105e+4,
          6.7265770927008700853e+4, 4.5921953931549871457e+4,
          1.3731693765509461125e+4, 1.9715909503065514427e+3,
          1.3314166789178437745e+2, 3.3871328727963666080e+0)
PPND_B = (5.2264952788528545610e+3, 2.8729085735721942674e+4,
          3.9307895800092710610e+4, 2.1213794301586595867e+4,
          5.3941960214247511077e+3, 6.8718700749205790830e+2,
          4.2313330701600911252e+1, 1.0)
PPND_C = (7.74545014278341407640e-4, 2.27238449892691845833e-2,
          2.41780725177450611770e-1, 1.27045825245236838258e+0,
          3.64784832476320460504e+0, 5.76949722146069140550e+0,
          4.63033784615654529590e+0, 1.42343711074968357734e+0)
PPND_D = (1.05075007164441684324e-9, 5.47593808499534494600e-4,
          1.51986665636164571966e-2, 1.48103976427480074590e-1,
          6.89767334985100004550e-1, 1.67638483018380384940e+0,
          2.05319162663775882187e+0, 1.0)
PPND_E = (2.01033439929228813265e-7, 2.71155556874348757815e-5,
          1.24266094738807843860e-3, 2.65321895265761230930e-2,
          2.96560571828504891230e-1, 1.78482653991729133580e+0,
          5.46378491116411436990e+0, 6.65790464350110377720e+0)
PPND_F = (2.04426310338993978564e-15, 1.42151175831644588870e-7,
          1.84631831751005468180e-5, 7.86869131145613259100e-4,
          1.48753612908506148525e-2, 1.36929880922735805310e-1,
          5.99832206555887937690e-1, 1.0)


def horner(coeffs, r):
    acc = coeffs[0]
    for c in coeffs[1:]:
        acc = acc * r + c
    return acc


def quantile64(p):
    q = p - 0.5
    if -0.425 <= q <= 0.425:
        r = 0.180625 - q * q
        return q * horner(PPND_A, r) / horner(PPND_B, r)
    r = math.sqrt(-log64(p if q < 0.0 else 1.0 - p))
    if r <= 5.0:
        r = r - 1.6
        x = horner(PPND_C, r) / horner(PPND_D, r)
    else:
        r = r - 5.0
        x = horner(PPND_E, r) / horner(PPND_F, r)
    return -x if q < 0.0 else x


def U53(x0, x1):
    return ((x0 >> 5) * 67108864.0 + (x1 >> 6)) * TWO_M53


def U53oc(x0, x1):
    return ((x0 >> 5) * 67108864.0 + ((x1 >> 6) + 1)) * TWO_M53


def U52(x0, x1):
    return ((x0 >> 5) * 67108864.0 + ((x1 >> 6) | 1)) * TWO_M53


def below64(b):
    """The largest double below b (b finite)."""
    return math.nextafter(b, -math.inf)


def law64_blocks(seed, stream, offset, n, per, element):
    """n elements of a float64 law, per to a block; element(x) returns the
    per elements of block x. Returns (values, offset after)."""
    nb = -(-n // per)
    out = []
    for j in range(nb):
        out.extend(element(block(seed, stream, offset + j)))
    return out[:n], (offset + nb) & MASK64


def uniform64_(seed, stream, offset, n, a, b):
    span, cap = b - a, below64(b)

    def one(x0, x1):
        v = U53(x0, x1) * span + a
        return v if v < cap else cap
    return law64_blocks(seed, stream, offset, n, 2,
                        lambda x: (one(x[0], x[1]), one(x[2], x[3])))


def normal64_(seed, stream, offset, n, mean, std):
    def pair(x):
        r = math.sqrt(-2.0 * log64(U53oc(x[0], x[1])))
        s, c = sincos_2pi64(U53(x[2], x[3]))
        return (r * c * std + mean, r * s * std + mean)
    return law64_blocks(seed, stream, offset, n, 2, pair)


def clamp(v, a, b):
    v = a if v < a else v
    return b if v > b else v


NARROW64 = 2.0**-26  # docs/rng.md: the float64 narrow intervals' threshold
MIN_PROBABILITY64 = 1e-300


def Phi64(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def Q64(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def trunc64_params(mean, std, a, b):
    """("trunc", lo, span, sign, mean, std, a, b) or ("narrow", a, span,
    tilt, b): the float64 law of N(mean, std^2) truncated to [a, b]."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    upper = alpha > 0.0
    lo = Q64(beta) if upper else Phi64(alpha)
    hi = Q64(alpha) if upper else Phi64(beta)
    span = (0.5 * (math.erf(beta / math.sqrt(2.0)) -
                   math.erf(alpha / math.sqrt(2.0)))
            if alpha < 1.0 and beta > -1.0 else hi - lo)
    if span < NARROW64 * hi:
        w = (b - a) / std
        m = ((a - mean) + (b - mean)) / (2.0 * std)
        density = math.exp(-0.5 * m * m) / math.sqrt(2.0 * math.pi)
        assert density * w * (1.0 + (m * m - 1.0) * w * w / 24.0) >= \
            MIN_PROBABILITY64
        return ("narrow", a, b - a, w * m / 2.0, b)
    assert span >= MIN_PROBABILITY64
    return ("trunc", lo, span, -1.0 if upper else 1.0, mean, std, a, b)


def trunc64_(seed, stream, offset, n, params):
    if params[0] == "narrow":
        _, a, span, tilt, b = params

        def one(x0, x1):
            u = U52(x0, x1)
            s = u - tilt * (u * (1.0 - u))
            return clamp(a + span * s, a, b)
    else:
        _, lo, span, sign, mean, std, a, b = params

        def one(x0, x1):
            q = lo + span * U52(x0, x1)
            q = q if q > DBL_MIN else DBL_MIN
            q = q if q < ONE_BELOW else ONE_BELOW
            return clamp(mean + std * (sign * quantile64(q)), a, b)
    return law64_blocks(seed, stream, offset, n, 2,
                        lambda x: (one(x[0], x[1]), one(x[2], x[3])))


def mixture64_components(comps):
    """comps: (law, p, a, b) in doubles -> (cum, law, a, b, cap)."""
    total = sum(c[1] for c in comps)
    out, cum = [], 0.0
    for j, (law, p, a, b) in enumerate(comps):
        cum += p
        c = cum / total if j + 1 < len(comps) else 1.0
        if law == "uniform" and a == b:
            law, a = "constant", a + 0.0
        out.append((c, law, a, b, below64(b) if law == "uniform" else 0.0))
    return out


def mixture64_(seed, stream, offset, n, comps):
    table = mixture64_components(comps)

    def one(x):
        u = U53(x[0], x[1])
        k = 0
        while k + 1 < len(table) and not u < table[k][0]:
            k += 1
        _, law, a, b, cap = table[k]
        if law == "uniform":
            v = U53(x[2], x[3]) * (b - a) + a
            return (v if v < cap else cap,)
        if law == "normal":
            return (a + b * quantile64(U52(x[2], x[3])),)
        return (a,)
    return law64_blocks(seed, stream, offset, n, 1, one)


# --------------------------------------------------------------------------
# Self tests
# --------------------------------------------------------------------------
def self_test():
    """Asserts; prints nothing (tests/chapter_reference.py calls this before
    writing to stdout). Returns the quantile check's summary line."""
    worst, npts, nsweep = quantile_self_test()
    summary = ("quantile within %.3f ulp on %d points (worst at p = %.7g), "
               "monotone on %d" % (worst[0], npts, worst[1], nsweep))
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
    # trunc_normal_: inside [a, b], moments of the truncated law (variance
    # of N(0, 1) cut at +-2: 0.7737; mean of N(0, 1) above 5: 5.1865).
    bits, after = run_case("trunc_normal", 7, 0, 3, 4001, F(0), F(1),
                           (F(-2), F(2)))
    assert after == 3 + 1001
    vals = [bits_f32(b) for b in bits]
    mean = sum(vals) / len(vals)
    var = sum((v - mean) ** 2 for v in vals) / len(vals)
    assert all(-2 <= v <= 2 for v in vals)
    assert abs(mean) < 0.05 and abs(var - 0.7737) < 0.05, (mean, var)
    vals = [bits_f32(b) for b in run_case("trunc_normal", 7, 0, 3, 4000, F(0),
                                          F(1), (F(5), F(8)))[0]]
    assert all(5 <= v <= 8 for v in vals)
    assert abs(sum(vals) / len(vals) - 5.1865) < 0.02
    # A narrow interval: inside [a, b], uniform to first order (K ~ 0).
    vals = [bits_f32(b) for b in run_case("trunc_normal", 7, 0, 3, 4000, F(0),
                                          F(1), (F(0), F(1e-30)))[0]]
    assert all(0 <= v <= bits_f32(F(1e-30)) for v in vals)
    assert abs(sum(vals) / len(vals) / 1e-30 - 0.5) < 0.02
    # mixture_ with a normal component: N(1, 0.5^2) with p = 0.2.
    law = [("normal", F(0.2), F(1), F(0.5)), ("constant", F(0.5), F(0), 0),
           ("uniform", F(0.3), F(-10), F(-5))]
    vals = [bits_f32(b) for b in run_case("mixture", 7, 0, 3, 4000, 0, 0,
                                          law)[0]]
    normal = [v for v in vals if v != 0 and not -10 <= v < -5]
    mean = sum(normal) / len(normal)
    var = sum((v - mean) ** 2 for v in normal) / len(normal)
    assert abs(len(normal) / 4000 - 0.2) < 0.03
    assert abs(mean - 1) < 0.08 and abs(var - 0.25) < 0.05, (mean, var)
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
    return summary


def exact_quantile(p):
    """Phi^{-1}(p) for a float p in (0, 1), accurate far beyond a float ulp:
    Newton steps on Phi(x) = p, in mpmath at 40 digits when it is installed,
    else in double with math.erfc (for p <= 1/2; symmetry above, 1 - p being
    exact)."""
    if p > 0.5:
        return -exact_quantile_lower(Fraction(1) - Fraction(p))
    return exact_quantile_lower(Fraction(p))


def exact_quantile_lower(p):
    """p a Fraction in (0, 1/2]."""
    if p == Fraction(1, 2):
        return 0.0
    # Start: the tail asymptote, refined below by Newton steps.
    pf = float(p)
    t = math.sqrt(-2 * math.log(pf))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
          (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
    try:
        import mpmath
    except ImportError:
        mpmath = None
    if mpmath is not None:
        with mpmath.workdps(40):
            mp_p = mpmath.mpf(p.numerator) / p.denominator
            xm = mpmath.mpf(x)
            s2 = mpmath.sqrt(2)
            for _ in range(60):
                f = mpmath.erfc(-xm / s2) / 2 - mp_p
                step = f / (mpmath.exp(-xm * xm / 2) / mpmath.sqrt(2 * mpmath.pi))
                xm -= step
                if abs(step) < abs(xm) * mpmath.mpf(10) ** -30:
                    break
            else:
                raise AssertionError("exact_quantile: no convergence at %r" % p)
            return float(xm)
    for _ in range(60):
        step = (Phi(x) - pf) / (math.exp(-x * x / 2) / math.sqrt(2 * math.pi))
        x -= step
        if abs(step) <= abs(x) * 1e-17:
            break
    return x


def ulp32(x):
    """The spacing of binary32 at |x| (x normal or zero: 2^-149 below)."""
    x = abs(x)
    if x < 2.0**-126:
        return 2.0**-149
    return math.ldexp(1.0, math.frexp(x)[1] - 24)


def quantile_self_test():
    """The quantile port against the exact quantile (within 2 ulp on a few
    thousand points; src/shared/fquantile.h claims 1.8), and non-decreasing and
    finite on sweeps over float p in [0, 1]; both backends bit for bit."""
    def q_bits(p_bits):
        got = [ops.bits(quantile(ops, ops.const(p_bits)))
               for ops in (NumpyOps, DoubleOps)]
        assert got[0] == got[1], ("quantile backends disagree", p_bits, got)
        return got[0]

    # Points: Philox words of a fixed generator as float bit patterns in
    # (0, 1) (uniform over the bits, so log-spread, subnormals included),
    # as U23 values (uniform in p), mirrored to 1 - p, plus probes.
    pts = set()
    blk = 0
    while len(pts) < 3000:
        x = block(0x5EED, 0x0A0A, blk)
        blk += 1
        pts.add(x[0] % 0x3F800000)                       # [0, 1) by bits
        pts.add(f32_bits(bits_f32(x[1] % 0x3F800000 or 1)))
        u = bits_f32(NumpyOps.bits(U23(NumpyOps, x[2])))
        pts.add(f32_bits(u))
        pts.add(f32_bits(1 - u))                        # exact
    probes = [2.0**-149, 2.0**-126, 1e-38, 1e-30, 1e-10, 0.1042, 0.1249999,
              0.125, 0.1250001, 0.2499999, 0.25, 0.2500001, 0.4999999, 0.5,
              0.5000001, 0.75, 0.875, 0.8957, 1 - 2.0**-24]
    pts.update(f32_bits(v) for v in probes)
    pts.discard(0)
    worst = (0.0, None)
    for pb in sorted(pts):
        p = bits_f32(pb)
        assert 0 < p < 1, pb
        got = bits_f32(q_bits(pb))
        want = exact_quantile(p)
        err = abs(got - want) / ulp32(want)
        assert err <= 2.0, ("quantile off by %.3f ulp at p = %r (%08x): "
                            "got %r, exact %r" % (err, p, pb, got, want))
        if err > worst[0]:
            worst = (err, p)
    assert bits_f32(q_bits(f32_bits(0.5))) == 0.0
    # Monotone and finite: every float around the branch points (1/8, 1/4,
    # 1/2 and their mirrors), at both ends, and a coarse sweep of all
    # floats in [0, 1] by bit pattern (increasing bits: increasing p).
    sweep = set(range(0, 0x3F800001, 1 << 17))
    for c in (0.0, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0):
        cb = f32_bits(c)
        sweep.update(range(max(cb - 300, 0), min(cb + 300, 0x3F800000) + 1))
    prev = -math.inf
    for pb in sorted(sweep):
        x = bits_f32(q_bits(pb))
        assert math.isfinite(x) and x >= prev, (
            "quantile not monotone/finite at p bits %08x: %r after %r" %
            (pb, x, prev))
        prev = x
    return worst, len(pts), len(sweep)


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
] + [
    # trunc_normal_: a, b = mean, std; extra = the interval's bounds.
    # torch's default interval, [-2, 2].
    ("trunc_normal", 0, 0, 0, 1000, F(0), F(1), (F(-2), F(2))),
    ("trunc_normal", 42, BIG_STREAM, 0, 1, F(0), F(1), (F(-2), F(2))),
    # Upper tail (alpha = 5 > 0: Q, flip = -1), and its mirror (Phi).
    ("trunc_normal", 42, 0, 5, 13, F(0), F(1), (F(5), F(8))),
    ("trunc_normal", 1, 0, 3, 1000, F(0), F(1), (F(5), F(8))),
    ("trunc_normal", 1, BIG_STREAM, 7, 1000, F(0), F(1), (F(-8), F(-5))),
    # alpha = 0 exactly: not > 0, so Phi (P0 = 1/2, P1 = 1/2); b = +inf.
    ("trunc_normal", 3, 0, 11, 3, F(3), F(0.5), (F(3), F(math.inf))),
    # Both bounds infinite: P0 = 0, P1 = 1, q = U23; offset wraps past 2^64.
    ("trunc_normal", BIG_SEED, BIG_STREAM, WRAP, 13, F(0), F(1),
     (F(-math.inf), F(math.inf))),
    ("trunc_normal", 9, 1, 0, 1000, F(0), F(1), (F(-math.inf), F(math.inf))),
    # A narrow interval around the mean: the final clamps to [a, b].
    ("trunc_normal", 7, 0, 0, 1000, F(10), F(2), (F(9.999), F(10.001))),
    # Deep tail: Q(13) = 6.1e-39 is below 2^-126, so P0 is subnormal;
    # 1000 elements from offset 2^64 - 1 (wraps).
    ("trunc_normal", TOP, TOP, TOP, 1000, F(0), F(1), (F(12), F(13))),
    # Probes of the clamps on q, seed 0, stream 0 (found by scanning the
    # stream): in [12, 13], q = P0 + P1 * U23 < 2^-126 when U23 < 3.2e-6,
    # so q becomes 2^-126 (values near 12.96 instead of 13): element 3
    # (lane 3211, U23 = 13 * 2^-24) and element 1 (lane 13019, U23 =
    # 51 * 2^-24, q just under 2^-126).
    ("trunc_normal", 0, 0, 386882, 4, F(0), F(1), (F(12), F(13))),
    ("trunc_normal", 0, 0, 189570, 3, F(0), F(1), (F(12), F(13))),
    # With P0 = P1 = 1/2, U23 = 1 - 2^-24 gives q = 1 - 2^-25, which rounds
    # to 1 and is clamped to 1 - 2^-24 (quantile 5.29, not 14.22): element 2
    # (lane 0xffffff45).
    ("trunc_normal", 0, 0, 2330056, 3, F(3), F(0.5), (F(3), F(math.inf))),
    # Upper tail with b = +inf (lo = Q(inf) = 0), and a = -inf.
    ("trunc_normal", 11, 0, 1, 13, F(-1), F(2), (F(0), F(math.inf))),
    ("trunc_normal", 11, 0, 1, 3, F(0.5), F(3), (F(-math.inf), F(1))),
    # lecun_normal_-like: mean 0, [-2 std, 2 std] with std = 0.02.
    ("trunc_normal", BIG_SEED, 0, 12345, 13, F(0), F(0.02),
     (F(-0.04), F(0.04))),
] + [
    # mixture_ with normal components: a + b * quantile(U23(x)).
    ("mixture", 0, 0, 0, 1000, 0, 0,
     [("normal", F(0.2), F(1), F(0.5)), ("constant", F(0.5), F(0), 0),
      ("uniform", F(0.3), F(-10), F(-5))]),
    ("mixture", 42, 0, 0, 1000, 0, 0, [("normal", F(1), F(0), F(1))]),
    ("mixture", TOP, BIG_STREAM, WRAP, 13, 0, 0,
     [("normal", F(0.6), F(-3), F(2)), ("normal", F(0.4), F(5), F(0.001))]),
    # std 0: a + 0 * quantile, so -0.0 + (+-0) gives -0 or +0 by the sign
    # of the quantile, as the operations are written.
    ("mixture", 5, 0, 7, 15, 0, 0,
     [("normal", F(0.5), 0x80000000, F(0)), ("normal", F(0.5), F(2), F(0))]),
] + [
    # trunc_normal_ over narrow intervals: a + (b - a) s, s = u - K u (1 - u).
    # [0, 1e-30] (probability 4e-31) and [-2, 2] under std 1e17 (1.6e-17),
    # whose tail probabilities round to the same double.
    ("trunc_normal", 0, 0, 0, 1000, F(0), F(1), (F(0), F(1e-30))),
    ("trunc_normal", 42, BIG_STREAM, 5, 1000, F(0), F(1e17), (F(-2), F(2))),
    # Far in the upper tail (K > 0: more mass near a) and the lower (K < 0).
    ("trunc_normal", 1, 0, 3, 1000, F(0), F(1), (F(10), F(10.00001))),
    ("trunc_normal", 1, 0, 3, 1000, F(1), F(2), (F(-18), F(-17.99995))),
    # The two floats 1 and 1 + 2^-23, at 4 std.
    ("trunc_normal", 9, 1, 0, 100, F(-3), F(1), (F(1), F(1.0000001))),
    # Either side of the threshold, hi - lo < 2^-11 hi: [0, 6.1e-4] is
    # narrow, [0, 6.2e-4] takes the quantile.
    ("trunc_normal", 3, 0, 11, 100, F(0), F(1), (F(0), F(6.1e-4))),
    ("trunc_normal", 3, 0, 11, 100, F(0), F(1), (F(0), F(6.2e-4))),
    # Above the mean near it (upper tail form), offset wrapping past 2^64.
    ("trunc_normal", TOP, TOP, TOP, 13, F(1000), F(1),
     (F(1000.001), F(1000.0015))),
]


INF = math.inf

# float64 cases: law, seed, stream, offset, n, arguments (doubles; a
# mixture's are its components (law, p, a, b)).
CASES64 = [
    ("uniform", 0, 0, 0, 1000, (0.0, 1.0)),
    ("uniform", 1, 0, 5, 13, (-3.0, 5.5)),  # odd n: half a last block
    ("uniform", BIG_SEED, BIG_STREAM, WRAP, 13, (-1e300, 1e300)),
    # Four doubles wide: the cap below b decides most values.
    ("uniform", 3, 0, 0, 64, (1e10, 1e10 + 4 * math.ulp(1e10))),
    ("normal", 0, 0, 0, 1000, (0.0, 1.0)),
    ("normal", 42, 0, 5, 13, (42.0, 3.0)),
    ("normal", TOP, TOP, TOP, 7, (-1.5, 0.0)),  # std 0 still draws
    ("normal", BIG_SEED, 0, 0, 64, (0.0, 1e300)),
    ("trunc_normal", 0, 0, 0, 1000, (0.0, 1.0, -2.0, 2.0)),
    ("trunc_normal", 1, 0, 3, 101, (0.0, 1.0, 5.0, 8.0)),  # far upper tail
    ("trunc_normal", 2, 0, 0, 64, (0.0, 1.0, -INF, -30.0)),  # 4.9e-198
    ("trunc_normal", 2, 5, 9, 64, (1.0, 2.0, 1.0, INF)),  # up to 1 - 2^-53
    ("trunc_normal", 5, 0, 0, 64, (-3.0, 0.5, -1e300, 1e300)),
    # Either side of the narrow threshold (4e-8 wide: inversion).
    ("trunc_normal", 3, 0, 11, 100, (0.0, 1.0, 0.0, 1e-8)),
    ("trunc_normal", 3, 0, 11, 100, (0.0, 1.0, 0.0, 4e-8)),
    ("trunc_normal", 3, 0, 11, 100, (1000.0, 1.0, 1000.001, 1000.00100001)),
    ("trunc_normal", TOP, TOP, TOP, 13, (0.0, 1.0, 0.0, 1e-290)),
    ("mixture", 0, 0, 0, 1000, (("uniform", 0.25, 5.0, 10.0),
                                ("constant", 0.5, 0.0, 0.0),
                                ("uniform", 0.25, -10.0, -5.0))),
    ("mixture", 7, 3, TOP, 13, (("normal", 0.2, 1.0, 0.5),
                                ("uniform", 0.3, 2.0, 2.0),
                                ("uniform", 0.5, -1.0, 1.0))),
]


def run_case64(law, seed, stream, offset, n, args):
    """(values, offset after, the header's law fields)."""
    if law == "uniform":
        return uniform64_(seed, stream, offset, n, *args) + (args,)
    if law == "normal":
        return normal64_(seed, stream, offset, n, *args) + (args,)
    if law == "mixture":
        fields = (len(args),) + tuple(args)
        return mixture64_(seed, stream, offset, n, args) + (fields,)
    params = trunc64_params(*args)
    fields = tuple(args) + (params[0],) + params[1:]
    return trunc64_(seed, stream, offset, n, params) + (fields,)


def field64(f):
    if isinstance(f, str):
        return f
    if isinstance(f, int):
        return "%d" % f
    if isinstance(f, tuple):  # a mixture component
        return "%s %016x %016x %016x" % ((f[0],) + tuple(map(d_bits, f[1:])))
    return "%016x" % d_bits(f)


def golden64_lines():
    lines = ["# Generated by tests/rng_reference.py from docs/rng.md; do not "
             "edit.",
             "# case64 <law> <seed> <stream> <offset> <n> <offset_after> "
             "<fields>",
             "#   uniform: <a> <b>; normal: <mean> <std>",
             "#   trunc_normal: <mean> <std> <a> <b>, then \"inversion\" "
             "<lo> <span> <sign>",
             "#     <mean> <std> <a> <b> or \"narrow\" <a> <span> <tilt> <b> "
             "(the law's fields)",
             "#   mixture: <k>, then k times <law> <p> <a> <b>",
             "# then one line of n float64 bit patterns (%016x); every double "
             "as its bits."]
    for law, seed, stream, offset, n, args in CASES64:
        vals, after, fields = run_case64(law, seed, stream, offset, n, args)
        assert len(vals) == n
        lines.append("case64 %s %d %d %d %d %d " % (law, seed, stream, offset,
                                                   n, after) +
                     " ".join(field64(f) for f in fields).replace(
                         "trunc ", "inversion ", 1))
        lines.append(" ".join("%016x" % d_bits(v) for v in vals))
    lines.append("cases %d" % len(CASES64))
    return lines


def case_header(law, seed, stream, offset, n, a, b, after, extra):
    head = "case %s %d %d %d %d %08x %08x %d" % (law, seed, stream, offset, n,
                                               a, b, after)
    if law == "sparse":
        head += " %d %d" % extra
    elif law == "trunc_normal":
        head += " %08x %08x" % extra
    elif law == "mixture":
        head += " %d" % len(extra) + "".join(
            " %s %08x %08x %08x" % c for c in extra)
    return head


def main():
    summary = self_test()
    if "--check" in sys.argv[1:]:
        print("rng_reference: %s; self tests passed" % summary)
        return
    lines = ["# Generated by tests/rng_reference.py from docs/rng.md; do not edit.",
             "# case <law> <seed> <stream> <offset> <n> <a> <b> <offset_after> [...]",
             "#   sparse: a, b = sparsity, std, then <rows> <cols>",
             "#   mixture: a, b unused, then <k> and k times <law> <p> <a> <b>",
             "#   trunc_normal: a, b = mean, std, then the bounds <lo> <hi>",
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
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    for opt, name, body, count in (
            ("--out", "rng_golden.txt", lines, len(CASES)),
            ("--out64", "rng_golden64.txt", golden64_lines(), len(CASES64))):
        path = os.path.join(data, name)
        if opt in sys.argv[1:]:
            path = sys.argv[sys.argv.index(opt) + 1]
        with open(path, "w") as fh:
            fh.write("\n".join(body) + "\n")
        print("wrote %s: %d cases" % (path, count))


if __name__ == "__main__":
    main()
