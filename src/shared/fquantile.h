/*
 * The standard normal quantile Phi^{-1}(p) in float, bit-identical on the CPU
 * and the GPU: only +, -, *, /, sqrtf, bit reinterpretation and gi_logf are
 * used, under the same rules as fmath.h (no contraction into FMA: gcc
 * -ffp-contract=off, nvcc -fmad=false; IEEE division and sqrt, so no
 * --use_fast_math).
 *
 * Accuracy: within 1.8 ulp of the exact quantile for every float p in
 * (0, 1), subnormals included (checked exhaustively against a double
 * reference: worst 1.80 ulp, at p = 0.1042 and at 1 - 0.1042; under 1.45 ulp
 * for p < 1/64 and p > 63/64). Non-decreasing
 * in p over every float in [0, 1], and finite there: p = 0 gives -14.22 and
 * p = 1 gives +14.22, beyond the -14.12 at the smallest subnormal. Outside
 * [0, 1] and for NaN the result is unspecified.
 *
 * Method. Two rational approximations, fitted minimax in the relative error
 * of x by scripts/fit_quantile.py, which prints the constants below:
 *
 *   centre, p >= 1/8: r = p - 1/2, z = r^2,
 *       x = r (C0 + z S(z)),  S(z) = CK + sum_i CWi / (z + CSi);
 *   tail, p < 1/8: t = sqrt(-2 log p),
 *       x = c(t) - t,  c(t) = TK + sum_i TWi / (t + TSi).
 *
 * Both sums are partial fractions whose poles lie outside the interval with
 * residues of one sign, so every term of S increases with z and every term of
 * c decreases with t: evaluated term by term in float the quantile is
 * monotone operation by operation, and no term cancels another.
 *
 * Rounding errors that would cost whole ulps are compensated:
 *   - r = p - 1/2 is exact for p >= 1/4; below that its rounding error rl is
 *     recovered exactly (Fast2Sum) and carried into z and x;
 *   - t = sqrtf(v) is off by up to half an ulp of t, which moves x by up to
 *     an ulp of x; the residual v - t^2 is computed (to 2^-24 of itself) by
 *     splitting t into 12-bit halves, whose partial products are exact,
 *     giving d = sqrt(v) - t to first order, and x = (c - d) - t.
 * What remains is mostly the error of gi_logf (up to 0.84 ulp of log p),
 * which moves x by up to about an ulp for p near 0.1 and less further out.
 *
 * Cost: centre (p >= 1/8) 3 divisions and 20 other float operations; tail
 * one gi_logf (about 19 operations, one a division), one sqrtf, 5 divisions
 * and 20 other float operations, plus a bit mask.
 */
#ifndef GINIT_FQUANTILE_H
#define GINIT_FQUANTILE_H

#include "fmath.h"

/* Where the lower quantile switches from the centre formula to the tail's. */
#define GI_QUANTILE_TAIL 0.125f

/* The two halves of the lower quantile below. CPU loops that sort their
 * elements by branch call them directly; everything else goes through
 * gi_norm_quantile_lower. */

/* Centre, p in [1/8, 1/2]: x = r (C0 + z S(z)),
 * S(z) = CK + sum CWi / (z + CSi). */
GI_HOSTDEV float gi_norm_quantile_centre(float p)
{
    const float C0 = 2.50662827e+00f; /* float(sqrt(2 pi)) */
    const float CK = 1.38295144e-01f;
    const float CW1 = -1.17019504e-01f, CS1 = -2.66654551e-01f;
    const float CW2 = -3.72920007e-01f, CS2 = -3.61251444e-01f;
    const float CW3 = -8.12497854e-01f, CS3 = -8.00099134e-01f;
    /* rh + rl == p - 1/2 exactly (Fast2Sum, |-1/2| >= |p|); rl == 0 for
     * p >= 1/4 and a multiple of 2^-26 below. */
    float rh = p - 0.5f;
    float rl = p - (rh + 0.5f);
    float z = rh * rh + (rh + rh) * rl; /* (rh + rl)^2 to first order */
    float s = ((CK + CW1 / (z + CS1)) + CW2 / (z + CS2)) + CW3 / (z + CS3);
    float zs = z * s;
    float big_r = C0 + zs;
    /* r R = r C0 + r z S: the large product first, the rest (under a fifth
     * of x) and the rl part added to it. */
    return rh * C0 + (rh * zs + rl * big_r);
}

/* Tail, p in (0, 1/8): t = sqrt(-2 log p), x = c(t) - t,
 * c(t) = TK + sum TWi / (t + TSi). */
GI_HOSTDEV float gi_norm_quantile_tail(float p)
{
    const float TK = 7.81124737e-03f;
    const float TW1 = 1.91836226e+00f, TS1 = 3.03902969e+01f;
    const float TW2 = 1.42965984e+00f, TS2 = 6.45964384e+00f;
    const float TW3 = 1.61414814e+00f, TS3 = 1.40855598e+00f;
    const float TW4 = 4.25791889e-01f, TS4 = 2.54211634e-01f;
    float v = gi_logf(p) * -2.0f; /* exact doubling; v in (4.15, 209.4] */
    float t = sqrtf(v);
    /* v - t^2 exactly: th keeps the top 12 significant bits of t, so th^2,
     * 2 th tl and tl^2 are exact, v - th^2 is exact (Sterbenz) and so is
     * the next difference; only the last may round, by 2^-24 of e. */
    float th = gi_bits_float(gi_float_bits(t) & 0xfffff000u);
    float tl = t - th;
    float e = ((v - th * th) - (th + th) * tl) - tl * tl;
    float d = e / (t + t); /* sqrt(v) - t, |d| <= ulp(t) / 2 */
    float g = TK - d; /* adding the term that dominates near p = 1/8 last */
    g = g + TW1 / (t + TS1);
    g = g + TW2 / (t + TS2);
    g = g + TW4 / (t + TS4);
    g = g + TW3 / (t + TS3);
    return g - t;
}

/* Phi^{-1}(p) for p in (0, 0.5]: the lower-tail quantile, accurate to a few
 * float ulps for every float p in (0, 0.5], subnormals included. */
GI_HOSTDEV float gi_norm_quantile_lower(float p)
{
    return p >= GI_QUANTILE_TAIL ? gi_norm_quantile_centre(p)
                                 : gi_norm_quantile_tail(p);
}

/* The symmetry Phi^{-1}(p) = -Phi^{-1}(1 - p) for p > 0.5 (1 - p is exact
 * there), in two steps: fold p into (0, 0.5], then unfold the lower
 * quantile x of the folded p. */
GI_HOSTDEV float gi_norm_quantile_fold(float p)
{
    return p > 0.5f ? 1.0f - p : p;
}

GI_HOSTDEV float gi_norm_quantile_unfold(float p, float x)
{
    return p > 0.5f ? -x : x;
}

/* Phi^{-1}(p) for p in (0, 1). */
GI_HOSTDEV float gi_norm_quantile(float p)
{
    /* One call site, so nvcc inlines the lower quantile once. */
    return gi_norm_quantile_unfold(p, gi_norm_quantile_lower(
                                          gi_norm_quantile_fold(p)));
}

#endif
