/*
 * Portable double math for the float64 laws, compiled identically by the C
 * compiler and by nvcc under the rules of fmath.h: only IEEE-754 double +,
 * -, *, /, sqrt, integer/double conversions and bit casts, no contraction
 * into fused multiply-add, so every result is the same bits on the CPU and
 * the GPU (libm's log, sin, cos and CUDA's differ between the two).
 *
 * The log and the sine and cosine kernels are fdlibm's (as FreeBSD's msun
 * carries them), written without branches so that CPU loops vectorize; the
 * quantile is Wichura's AS241 (PPND16). docs/rng.md gives every operation.
 */
#ifndef GINIT_FMATH64_H
#define GINIT_FMATH64_H

#include "fmath.h"

GI_HOSTDEV uint64_t gi_double_bits(double d)
{
#if defined(__CUDA_ARCH__)
    return (uint64_t)__double_as_longlong(d);
#else
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
#endif
}

GI_HOSTDEV double gi_bits_double(uint64_t u)
{
#if defined(__CUDA_ARCH__)
    return __longlong_as_double((long long)u);
#else
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
#endif
}

/* The largest double below x (x finite). */
GI_HOSTDEV double gi_double_below(double x)
{
    uint64_t u = gi_double_bits(x);
    if (x > 0.0)
        return gi_bits_double(u - 1u);
    if (x == 0.0)
        return gi_bits_double(0x8000000000000001u); /* -smallest subnormal */
    return gi_bits_double(u + 1u);
}

/*
 * Natural logarithm of a positive normal double (the laws never pass a
 * subnormal, 0, inf or NaN), within 1 ulp: fdlibm's e_log.c without its
 * special cases. x = 2^e m with m in [sqrt(1/2), sqrt(2)); f = m - 1 is
 * exact, s = f / (2 + f), and log(m) = f - hf + s (hf + R(s^2)) with
 * hf = f^2 / 2 and R fdlibm's minimax fit of the atanh series. ln 2 is
 * split in two; LN2_HI ends in 32 zero bits, so e * LN2_HI is exact.
 */
GI_HOSTDEV double gi_log64(double x)
{
    const double LN2_HI = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
    const double LN2_LO = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */
    const double LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01;
    const double LG3 = 2.857142874366239149e-01, LG4 = 2.222219843214978396e-01;
    const double LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01;
    const double LG7 = 1.479819860511658591e-01;
    uint64_t u = gi_double_bits(x);
    int e = (int)(u >> 52) - 1023;
    u = (u & 0x000fffffffffffffu) | 0x3ff0000000000000u; /* m in [1, 2) */
    int big = u > 0x3ff6a09e667f3bcdu; /* m > sqrt(2): use m / 2 */
    u = big ? u - 0x0010000000000000u : u;
    e += big;
    double f = gi_bits_double(u) - 1.0;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double r = t2 + t1, hf = 0.5 * f * f, de = (double)e;
    return de * LN2_HI - ((hf - (s * (hf + r) + de * LN2_LO)) - f);
}

/* sin(x + y) for |x| <= pi/4, y a tail below an ulp of x (fdlibm's
 * k_sin.c with its tail). */
GI_HOSTDEV double gi_kernel_sin64(double x, double y)
{
    const double S1 = -1.66666666666666324348e-01;
    const double S2 = 8.33333333332248946124e-03;
    const double S3 = -1.98412698298579493134e-04;
    const double S4 = 2.75573137070700676789e-06;
    const double S5 = -2.50507602534068634195e-08;
    const double S6 = 1.58969099521155010221e-10;
    double z = x * x, w = z * z;
    double r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    double v = z * x;
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

/* cos(x + y) likewise (FreeBSD's k_cos.c: exact 1 - x^2 / 2 in two
 * parts, no branch). */
GI_HOSTDEV double gi_kernel_cos64(double x, double y)
{
    const double C1 = 4.16666666666666019037e-02;
    const double C2 = -1.38888888888741095749e-03;
    const double C3 = 2.48015872894767294178e-05;
    const double C4 = -2.75573143513906633035e-07;
    const double C5 = 2.08757232129817482790e-09;
    const double C6 = -1.13596475577881948265e-11;
    double z = x * x, w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/*
 * sin(2 pi u) and cos(2 pi u) for u in [0, 1), within 1 ulp. As in
 * gi_sincos_2pi the reduction is exact on u: t = 4u, q = nearest integer,
 * v = t - q in [-1/2, 1/2]. The angle v pi/2 is formed as x + y with
 * Dekker's exact product (Veltkamp's split, no FMA) of v and PIO2_HI, the
 * double nearest pi/2, plus v times PIO2_LO, the rest of pi/2; the kernels
 * take the tail y. q picks the quadrant.
 */
GI_HOSTDEV void gi_sincos_2pi64(double u, double *s_out, double *c_out)
{
    const double PIO2_HI = 1.5707963267948966;      /* 0x1.921fb54442d18p+0 */
    const double PIO2_LO = 6.123233995736766e-17;   /* 0x1.1a62633145c07p-54 */
    const double PH = 1.5707963407039642;           /* PIO2_HI's top 27 bits */
    const double PL = -1.3909067675399456e-08;      /* PIO2_HI - PH */
    double t = u * 4.0;
    int q = (int)(t + 0.5);
    double v = t - (double)q;
    double c = v * 134217729.0; /* 2^27 + 1: Veltkamp's split of v */
    double vh = c - (c - v), vl = v - vh;
    double x = v * PIO2_HI;
    double err = (((vh * PH - x) + vh * PL) + vl * PH) + vl * PL;
    double y = err + v * PIO2_LO;
    double s = gi_kernel_sin64(x, y), co = gi_kernel_cos64(x, y);
    /* Quadrant q mod 4 maps (s, c) to (s, c), (c, -s), (-s, -c), (-c, s). */
    double sa = (q & 1) ? co : s, ca = (q & 1) ? s : co;
    *s_out = (q & 2) ? -sa : sa;
    *c_out = ((q + 1) & 2) ? -ca : ca;
}

/*
 * The standard normal quantile Phi^{-1}(p) in double for p in
 * [DBL_MIN, 1 - 2^-53], within about 1e-15 of itself (tests/test_laws64.c
 * measures it): Wichura's AS241 PPND16, three rational functions of degree
 * 7 over 7. Centre |p - 1/2| <= 0.425: x = q A(r) / B(r) with q = p - 1/2,
 * r = 0.180625 - q^2. Tails, with r = sqrt(-log(min(p, 1 - p))): for r <= 5,
 * C(r - 1.6) / D(r - 1.6); beyond, E(r - 5) / F(r - 5); negated for
 * p < 1/2. 1 - p is exact for p >= 1/2.
 */
GI_HOSTDEV double gi_ppnd16_centre(double q)
{
    double r = 0.180625 - q * q;
    return q * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4)
                     * r + 6.7265770927008700853e+4) * r
                    + 4.5921953931549871457e+4) * r
                   + 1.3731693765509461125e+4) * r
                  + 1.9715909503065514427e+3) * r
                 + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0)
           / (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4)
                   * r + 3.9307895800092710610e+4) * r
                  + 2.1213794301586595867e+4) * r
                 + 5.3941960214247511077e+3) * r
                + 6.8718700749205790830e+2) * r
               + 4.2313330701600911252e+1) * r + 1.0);
}

GI_HOSTDEV double gi_ppnd16_near(double r)
{
    r = r - 1.6;
    return (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2)
                 * r + 2.41780725177450611770e-1) * r
                + 1.27045825245236838258e+0) * r
               + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0)
             * r + 4.63033784615654529590e+0) * r + 1.42343711074968357734e+0)
           / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4)
                   * r + 1.51986665636164571966e-2) * r
                  + 1.48103976427480074590e-1) * r
                 + 6.89767334985100004550e-1) * r
                + 1.67638483018380384940e+0) * r
               + 2.05319162663775882187e+0) * r + 1.0);
}

GI_HOSTDEV double gi_ppnd16_far(double r)
{
    r = r - 5.0;
    return (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5)
                 * r + 1.24266094738807843860e-3) * r
                + 2.65321895265761230930e-2) * r
               + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0)
             * r + 5.46378491116411436990e+0) * r + 6.65790464350110377720e+0)
           / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7)
                   * r + 1.84631831751005468180e-5) * r
                  + 7.86869131145613259100e-4) * r
                 + 1.48753612908506148525e-2) * r
                + 1.36929880922735805310e-1) * r
               + 5.99832206555887937690e-1) * r + 1.0);
}

GI_HOSTDEV double gi_norm_quantile64(double p)
{
    double q = p - 0.5;
    if (q >= -0.425 && q <= 0.425)
        return gi_ppnd16_centre(q);
    double r = sqrt(-gi_log64(q < 0.0 ? p : 1.0 - p));
    double x = r <= 5.0 ? gi_ppnd16_near(r) : gi_ppnd16_far(r);
    return q < 0.0 ? -x : x;
}

#endif
