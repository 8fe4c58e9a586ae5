#!/usr/bin/env python3
"""Fit the float32 coefficients of ginit's normal quantile (src/shared/fquantile.h).

Rerun:
    python3 scripts/fit_quantile.py                 # print the C constants and fit errors
    python3 scripts/fit_quantile.py --check src/shared/fquantile.h
                                                    # also fail unless the header holds them
    python3 scripts/fit_quantile.py --reference tests/data/quantile_reference.txt
                                                    # also write the test's reference data
Needs numpy and mpmath (pip install numpy mpmath). Deterministic: fixed grids, a
fixed seed for the reference points, no wall-clock or platform input. It takes
about a minute, most of it computing exact quantiles with mpmath.

Method (x = Phi^{-1}(p), p in (0, 1/2]):

  centre, p >= 1/8:  r = p - 1/2, z = r^2 in [0, 9/64],
        x = r * R(z),  R(z) = C0 + z * S(z),  C0 = float(sqrt(2 pi)),
        S(z) = K + sum_{i=1..3} w_i / (z + s_i).
  tail, p < 1/8:     t = sqrt(-2 log p) in (2.04, 14.47],
        x = c(t) - t,  c(t) = K + sum_{i=1..4} w_i / (t + s_i).

Both are rational functions fitted minimax in the relative error of x, written
in partial fractions. The fitted poles are real and lie outside the interval,
with residues of one sign: every term of S is increasing in z and every term
of c is decreasing in t. Evaluated in float that structure is monotone
operation by operation (a float sum or quotient of monotone operands is
monotone), so the quantile is monotone in p by construction, and no term
cancels against another, so each is accurate to about an ulp.

Procedure: (1) exact samples from mpmath on Chebyshev grids; (2) a linearised
rational fit P/Q with Lawson's iteratively reweighted least squares (weighted
minimax); (3) conversion to partial fractions; (4) the parameters are rounded
to float32 one at a time, the remaining ones re-optimised (Gauss-Newton steps
with Lawson weights) after each rounding, so the rounding costs almost no
accuracy. The printed errors are those of the rounded constants evaluated in
exact arithmetic; float evaluation adds its own roundings (see the test).
"""
import argparse
import random
import struct
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50

CENTRE_R = 0.375        # centre covers |p - 1/2| <= 3/8, i.e. p >= 1/8
TAIL_T = (2.0, 14.5)    # t = sqrt(-2 log p) for p < 1/8; gi_logf(0) still lands inside
CENTRE_TERMS = 3
TAIL_TERMS = 4


def f32(v):
    return float(np.float32(v))


C0 = f32(mp.sqrt(2 * mp.pi))


# ---------------------------------------------------------------- exact values
def phi_log(x):
    """log Phi(x) and phi(x)/Phi(x) at mpmath precision."""
    big = mp.erfc(-x / mp.sqrt(2)) / 2
    dens = mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)
    return mp.log(big), dens / big


def quantile(p):
    """Phi^{-1}(p) for p in (0, 1), as an mpf accurate to ~45 digits.

    Newton on log Phi(x) = log p: log Phi is concave and increasing, so from
    x = 0 the iterates converge monotonically (after the first step)."""
    p = mp.mpf(p)
    if p > mp.mpf(1) / 2:
        return -quantile(1 - p)
    if p == mp.mpf(1) / 2:
        return mp.mpf(0)
    target = mp.log(p)
    x = mp.mpf(0)
    for _ in range(200):
        lg, ratio = phi_log(x)
        dx = (lg - target) / ratio
        x -= dx
        if abs(dx) < mp.mpf(10) ** -45 * (1 + abs(x)):
            return x
    raise RuntimeError("no convergence at p = %s" % mp.nstr(p, 10))


def cheb(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 - (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)


def centre_samples(n=600):
    """z = r^2, S(z) and the weight turning an error in S into a relative error in x."""
    rs = np.concatenate([cheb(-CENTRE_R - 0.001, -1e-4, n), [-CENTRE_R]])
    z, s, w = [], [], []
    for r in rs:
        r = mp.mpf(float(r))
        x = quantile(mp.mpf(1) / 2 + r)
        big_r = x / r
        z.append(float(r * r))
        s.append(float((big_r - C0) / (r * r)))
        w.append(float(r * r / big_r))
    return np.array(z), np.array(s), np.array(w)


def tail_samples(n=800):
    """t, c(t) = t + x and the weight 1/|x| (relative error of x)."""
    ts = np.concatenate([cheb(TAIL_T[0], TAIL_T[1], n), list(TAIL_T)])
    c, w = [], []
    for t in ts:
        t = mp.mpf(float(t))
        x = quantile(mp.exp(-t * t / 2))
        c.append(float(t + x))
        w.append(float(1 / abs(x)))
    return ts, np.array(c), np.array(w)


# ------------------------------------------------------------------- fitting
def lawson(a, y, wt, iters=150):
    """Weighted minimax solution of a c ~ y by Lawson's reweighted least squares."""
    lam = np.ones(len(y)) / len(y)
    best = None
    for _ in range(iters):
        s = wt * np.sqrt(lam)
        c = np.linalg.lstsq(a * s[:, None], y * s, rcond=None)[0]
        err = wt * (a @ c - y)
        e = np.max(np.abs(err))
        if best is None or e < best[0]:
            best = (e, c)
        lam = lam * np.abs(err) + 1e-300
        lam /= lam.sum()
    return best[1]


def rational_fit(u, y, w, deg):
    """P/Q of degree deg/deg, Q(0) = 1, minimising max |w (P/Q - y)|."""
    q_prev = np.ones_like(u)
    for _ in range(8):
        cols = [u ** k for k in range(deg + 1)] + [-y * u ** k for k in range(1, deg + 1)]
        c = lawson(np.array(cols).T, y, w / np.abs(q_prev))
        a = c[:deg + 1]
        b = np.concatenate([[1.0], c[deg + 1:]])
        q_prev = np.polyval(b[::-1], u)
    return a, b


def partial_fractions(a, b):
    """P/Q (equal degrees) as [K, w_1, s_1, ...] with P/Q = K + sum w_i / (u + s_i)."""
    p = np.poly1d(a[::-1])
    q = np.poly1d(b[::-1])
    quo, rem = np.polydiv(p, q)
    roots = q.r
    if np.max(np.abs(np.imag(roots))) > 1e-9 * np.max(np.abs(roots)):
        raise RuntimeError("complex poles: %s" % roots)
    roots = np.sort(np.real(roots))  # most negative pole first
    dq = q.deriv()
    theta = [float(np.poly1d(quo)(0.0))]
    for z0 in roots:
        theta += [float(np.poly1d(rem)(z0) / dq(z0)), float(-z0)]
    return np.array(theta)


def pf_eval(theta, u):
    g = np.full_like(u, theta[0])
    for k in range(1, len(theta), 2):
        g = g + theta[k] / (u + theta[k + 1])
    return g


def refine(theta, u, y, w, free, iters=40):
    """Gauss-Newton steps with Lawson weights on the free parameters."""
    theta = np.array(theta, float)
    lam = np.ones(len(u)) / len(u)
    best = (np.max(np.abs(w * (pf_eval(theta, u) - y))), theta.copy())
    for _ in range(iters):
        r = w * (pf_eval(theta, u) - y)
        jac = np.empty((len(u), len(free)))
        for j, k in enumerate(free):
            h = 1e-7 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            jac[:, j] = w * (pf_eval(tp, u) - pf_eval(tm, u)) / (2 * h)
        s = np.sqrt(lam)
        step = np.linalg.lstsq(jac * s[:, None], -r * s, rcond=None)[0]
        theta[free] += step
        r = w * (pf_eval(theta, u) - y)
        e = np.max(np.abs(r))
        if e < best[0]:
            best = (e, theta.copy())
        lam = lam * np.abs(r) + 1e-300
        lam /= lam.sum()
    return best[1]


def round_to_float(theta, u, y, w):
    """Round the parameters to float32 one by one, re-fitting the rest each time.
    Two orders are tried; the better result is kept."""
    best = None
    for order in (list(range(len(theta))), list(range(len(theta)))[::-1]):
        th = np.array(theta, float)
        fixed = []
        for k in order:
            th[k] = f32(th[k])
            fixed.append(k)
            free = [j for j in range(len(th)) if j not in fixed]
            if free:
                th = refine(th, u, y, w, free)
        e = np.max(np.abs(w * (pf_eval(th, u) - y)))
        if best is None or e < best[0]:
            best = (e, th)
    return best


def fit(u, y, w, terms):
    a, b = rational_fit(u, y, w, terms)
    e_rat = np.max(np.abs(w * (np.polyval(a[::-1], u) / np.polyval(b[::-1], u) - y)))
    theta = partial_fractions(a, b)
    e_round, theta = round_to_float(theta, u, y, w)
    return theta, e_rat, e_round


# ------------------------------------------------------------------ checking
def check_structure(centre, tail):
    """The signs that make every term monotone, and no pole inside an interval."""
    zmax = CENTRE_R ** 2
    for k in range(1, len(centre), 2):
        wk, sk = centre[k], centre[k + 1]
        # w/(z + s) increasing in z on [0, zmax]: w < 0 and z + s < 0 there
        assert wk < 0 and zmax + sk < -0.05, ("centre term", wk, sk)
    for k in range(1, len(tail), 2):
        wk, sk = tail[k], tail[k + 1]
        # w/(t + s) decreasing in t on the tail range: w > 0 and t + s > 0
        assert wk > 0 and TAIL_T[0] + sk > 0.5, ("tail term", wk, sk)


def lit(v):
    return "%.8ef" % f32(v)


def c_block(centre, tail):
    lines = ["    /* centre: S(z) = CK + sum CWi / (z + CSi) */",
             "    const float C0 = %s; /* float(sqrt(2 pi)) */" % lit(C0),
             "    const float CK = %s;" % lit(centre[0])]
    for i, k in enumerate(range(1, len(centre), 2), 1):
        lines.append("    const float CW%d = %s, CS%d = %s;" % (i, lit(centre[k]), i, lit(centre[k + 1])))
    lines += ["    /* tail: c(t) = TK + sum TWi / (t + TSi) */",
              "    const float TK = %s;" % lit(tail[0])]
    for i, k in enumerate(range(1, len(tail), 2), 1):
        lines.append("    const float TW%d = %s, TS%d = %s;" % (i, lit(tail[k]), i, lit(tail[k + 1])))
    return "\n".join(lines)


# --------------------------------------------------------------- reference
def float_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def bits_float(u):
    return struct.unpack("<f", struct.pack("<I", u))[0]


def reference_points():
    """Float32 probabilities: log-uniform over [1e-38, 1/2], log-uniform over the
    subnormals, uniform over (0, 1), and the edges of each region."""
    rng = random.Random(20240917)
    pts = set()

    def draw(n, sample):
        """n new distinct floats from sample()."""
        goal = len(pts) + n
        while len(pts) < goal:
            p = sample()
            if 0.0 < p < 1.0:
                pts.add(p)

    lo, hi = mp.log(mp.mpf("1e-38")), mp.log(mp.mpf("0.5"))
    draw(14000, lambda: f32(mp.exp(lo + (hi - lo) * rng.random())))
    slo, shi = mp.log(mp.mpf(2) ** -149), mp.log(mp.mpf(2) ** -126)
    draw(2000, lambda: f32(mp.exp(slo + (shi - slo) * rng.random())))
    draw(4000, lambda: f32(rng.random()))
    pts = list(pts)
    special = [2.0 ** -149, 2.0 ** -148, 2.0 ** -126, 1e-38, 1e-30, 1e-20, 1e-10,
               1e-3, 0.125, 0.25, 0.5, 0.75, 0.875, 1 - 2.0 ** -24]
    for s in special:
        b = float_bits(f32(s))
        pts += [bits_float(b - 1), bits_float(b), bits_float(b + 1)]
    pts = [p for p in pts if 0.0 < p < 1.0]
    return sorted(set(pts))


def write_reference(path):
    pts = reference_points()
    with open(path, "w") as f:
        f.write("# Exact standard normal quantiles for tests/test_quantile.c.\n")
        f.write("# Written by scripts/fit_quantile.py --reference (mpmath, 50 digits).\n")
        f.write("# Each line: p as float32 bits (hex), Phi^{-1}(p) rounded to double.\n")
        f.write("# The last line, 'end N', counts the data lines.\n")
        for p in pts:
            x = quantile(mp.mpf(p))
            f.write("%08x %s\n" % (float_bits(p), repr(float(x))))
        f.write("end %d\n" % len(pts))
    return len(pts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", metavar="HEADER", help="fail unless HEADER holds every constant")
    ap.add_argument("--reference", metavar="PATH", help="write the reference data to PATH")
    args = ap.parse_args()

    z, s, wz = centre_samples()
    centre, e_rat_c, e_c = fit(z, s, wz, CENTRE_TERMS)
    t, c, wt = tail_samples()
    tail, e_rat_t, e_t = fit(t, c, wt, TAIL_TERMS)
    check_structure(centre, tail)

    print("/* scripts/fit_quantile.py: max relative error of x, constants in exact arithmetic:")
    print("   centre 2^%.1f (unrounded fit 2^%.1f), tail 2^%.1f (unrounded fit 2^%.1f) */"
          % (np.log2(e_c), np.log2(e_rat_c), np.log2(e_t), np.log2(e_rat_t)))
    block = c_block(centre, tail)
    print(block)

    if args.check:
        text = open(args.check).read()
        missing = [ln.strip() for ln in block.splitlines()
                   if not ln.strip().startswith("/*") and ln.strip() not in text]
        if missing:
            print("%s lacks:\n  %s" % (args.check, "\n  ".join(missing)), file=sys.stderr)
            sys.exit(1)
        print("%s: constants match" % args.check, file=sys.stderr)
    if args.reference:
        n = write_reference(args.reference)
        print("wrote %d points to %s" % (n, args.reference), file=sys.stderr)


if __name__ == "__main__":
    main()
