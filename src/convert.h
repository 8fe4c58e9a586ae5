/*
 * Element conversions between float and the 16-bit types, written once for
 * the C compiler and nvcc. Integer bit manipulation only (no __float2half,
 * no F16C here), so that both devices round alike:
 *
 *  - float -> float16 / bfloat16 rounds to nearest, ties to even, once;
 *    results below the smallest subnormal round to (signed) zero, results
 *    beyond the largest finite value to +-inf (as PyTorch's c10::Half and
 *    c10::BFloat16 do);
 *  - NaN stays NaN: the sign and the top payload bits are kept and the
 *    quiet bit is set, so the result is a NaN even when the payload would
 *    vanish (x86's F16C does the same for float16);
 *  - float16 / bfloat16 -> float is exact.
 *
 * docs/rng.md states the rule for fills; tests/test_convert.c checks it on
 * every float.
 */
#ifndef GINIT_CONVERT_H
#define GINIT_CONVERT_H

#include "fmath.h"

/* float16: 1 sign, 5 exponent (bias 15), 10 fraction bits. */
GI_HOSTDEV uint16_t gi_f32_to_f16(float f)
{
    const uint32_t x = gi_float_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) /* NaN */
        return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x01ffu));
    if (a >= 0x477ff000u) /* 65520 and up: ties with 65504 go to inf */
        return (uint16_t)(sign | 0x7c00u);
    if (a >= 0x38800000u) { /* 2^-14 and up: a normal float16 */
        uint32_t r = a + 0x0fffu + ((a >> 13) & 1u);
        return (uint16_t)(sign | ((r - 0x38000000u) >> 13));
    }
    if (a <= 0x33000000u) /* 2^-25 and below (a tie with 0): zero */
        return (uint16_t)sign;
    /* A subnormal result, in units of 2^-24: the significand m (with its
     * implicit bit) shifted right by 126 - exponent, between 14 and 24. */
    const int shift = 126 - (int)(a >> 23);
    const uint32_t m = (a & 0x007fffffu) | 0x00800000u;
    const uint32_t half = 1u << (shift - 1);
    const uint32_t rest = m & ((half << 1) - 1u);
    uint32_t q = m >> shift;
    q += rest > half || (rest == half && (q & 1u));
    return (uint16_t)(sign | q);
}

GI_HOSTDEV float gi_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x03ffu;
    if (e == 0x1fu) /* inf and NaN, payload kept */
        return gi_bits_float(sign | 0x7f800000u | (m << 13));
    if (e == 0) { /* zero and subnormals: m * 2^-24, exact */
        float v = (float)m * 5.9604644775390625e-8f;
        return gi_bits_float(sign | gi_float_bits(v));
    }
    return gi_bits_float(sign | ((e + 112u) << 23) | (m << 13));
}

/* bfloat16: float's sign and exponent, 7 fraction bits. */
GI_HOSTDEV uint16_t gi_f32_to_bf16(float f)
{
    const uint32_t x = gi_float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) /* NaN */
        return (uint16_t)((x >> 16) | 0x0040u);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

GI_HOSTDEV float gi_bf16_to_f32(uint16_t h)
{
    return gi_bits_float((uint32_t)h << 16);
}

#endif
