/*
 * Portable float math, compiled identically by the C compiler and by nvcc.
 *
 * Only IEEE-754 single operations that both sides round the same way are
 * used: +, -, *, /, sqrtf and integer/float conversions. The build turns off
 * contraction into fused multiply-add on both sides (-ffp-contract=off,
 * nvcc -fmad=false), so every expression below rounds identically on the CPU
 * and the GPU. That is what makes fills bit-identical across devices; the
 * libm and CUDA intrinsics (logf, __logf, sincospif) differ between the two.
 */
#ifndef GINIT_FMATH_H
#define GINIT_FMATH_H

#include <math.h>
#include <stdint.h>
#if !defined(__CUDA_ARCH__)
#include <string.h>
#endif

#if defined(__CUDACC__)
#define GI_HOSTDEV static __host__ __device__ __forceinline__
#else
#define GI_HOSTDEV static inline
#endif

GI_HOSTDEV uint32_t gi_float_bits(float f)
{
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
#endif
}

GI_HOSTDEV float gi_bits_float(uint32_t u)
{
#if defined(__CUDA_ARCH__)
    return __uint_as_float(u);
#else
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
#endif
}

/* The largest float below x (x finite). */
GI_HOSTDEV float gi_float_below(float x)
{
    uint32_t u = gi_float_bits(x);
    if (x > 0.0f)
        return gi_bits_float(u - 1u);
    if (x == 0.0f)
        return gi_bits_float(0x80000001u); /* -smallest subnormal */
    return gi_bits_float(u + 1u);
}

/*
 * Natural logarithm of a positive finite float, within 2 ulp.
 * x = 2^e * m with m in [sqrt(1/2), sqrt(2)); with f = m - 1 (exact) and
 * s = f / (2 + f), log(m) = f - s * (f - R(s^2)) where R is the atanh
 * series 2z/3 + 2z^2/5 + ... ; |s| <= 0.1716 so four terms reach float
 * precision. ln 2 is split in two; LN2_HI has 15 significant bits, so
 * e * LN2_HI is exact for every exponent. gi_logf_bits is the core: the
 * logarithm of 2^bias times the positive normal float whose bits are u;
 * gi_logf scales subnormals into it, callers whose input is never
 * subnormal call the core directly.
 */
GI_HOSTDEV float gi_logf_bits(uint32_t u, int bias)
{
    const float LN2_HI = 6.93145751953125e-1f;    /* 0x3f317200 */
    const float LN2_LO = 1.42860682030941723e-6f; /* 0x35bfbe8e */
    int e = (int)(u >> 23) - 127 + bias;
    u = (u & 0x007fffffu) | 0x3f800000u; /* m in [1, 2) */
    int big = u > 0x3fb504f3u;           /* m > sqrt(2): use m / 2 */
    u = big ? u - 0x00800000u : u;
    e += big;
    float f = gi_bits_float(u) - 1.0f;
    float s = f / (2.0f + f);
    float z = s * s;
    float r = z * (6.66666686534881592e-1f +
                   z * (4.00000005960464478e-1f +
                        z * (2.85714298486709595e-1f +
                             z * 2.22222223877906799e-1f)));
    float fe = (float)e;
    return (fe * LN2_LO + (f - s * (f - r))) + fe * LN2_HI;
}

GI_HOSTDEV float gi_logf(float x)
{
    /* Selects rather than branches, so that CPU loops vectorize. */
    uint32_t u = gi_float_bits(x), scaled = gi_float_bits(x * 16777216.0f);
    int sub = u < 0x00800000u; /* subnormal: scale into the normal range */
    return gi_logf_bits(sub ? scaled : u, sub ? -24 : 0);
}

/*
 * sin(2 pi u) and cos(2 pi u) for u in [0, 1). The reduction works on u,
 * where it is exact: t = 4u, q = nearest integer, v = t - q in [-1/2, 1/2],
 * then the angle v * pi/2 lies in [-pi/4, pi/4] where short Taylor series
 * reach float precision; q picks the quadrant.
 */
GI_HOSTDEV void gi_sincos_2pi(float u, float *s_out, float *c_out)
{
    float t = u * 4.0f;
    int q = (int)(t + 0.5f);
    float x = (t - (float)q) * 1.57079637050628662e0f;
    float z = x * x;
    float s = x + x * z * (-1.66666671633720398e-1f +
                           z * (8.33333376795053482e-3f +
                                z * (-1.98412701138295233e-4f +
                                     z * 2.75573188446287531e-6f)));
    float c = 1.0f + z * (-0.5f +
                          z * (4.16666679084300995e-2f +
                               z * (-1.38888892251998186e-3f +
                                    z * (2.48015876230783761e-5f +
                                         z * -2.75573188446287531e-7f))));
    /* Quadrant q mod 4 maps (s, c) to (s, c), (c, -s), (-s, -c), (-c, s);
     * written as selects so that CPU loops vectorize. */
    float sa = (q & 1) ? c : s, ca = (q & 1) ? s : c;
    *s_out = (q & 2) ? -sa : sa;
    *c_out = ((q + 1) & 2) ? -ca : ca;
}

#endif
