/*
 * Element conversions between float and the 16-bit types, written once for
 * the C compiler and nvcc. Integer bit manipulation and one IEEE float
 * addition (no __float2half, no F16C here), so that both devices round
 * alike:
 *
 *  - float -> float16 / bfloat16 rounds to nearest, ties to even, once;
 *    results below the smallest subnormal round to (signed) zero, results
 *    beyond the largest finite value to +-inf (as PyTorch's c10::Half and
 *    c10::BFloat16 do);
 *  - NaN stays NaN: the sign and the top payload bits are kept and the
 *    quiet bit is set, so the result is a NaN even when the payload would
 *    vanish (x86's F16C does the same for float16);
 *  - float16 -> float is exact, except that a signaling NaN is quieted
 *    (its payload kept), as IEEE 754 asks of a conversion and as F16C's
 *    vcvtph2ps and PyTorch do; bfloat16 -> float is exact for every
 *    pattern, NaNs included (bfloat16 is float's top half).
 *
 * PyTorch 1.13 agrees on every value but NaN, where it keeps no payload:
 * float16 gets the sign and 0x7e00; bfloat16 gets 0xffff from its AVX2
 * kernels and 0x7fc0 from its portable ones (ATEN_CPU_CAPABILITY=default),
 * so its NaN sign depends on the CPU. ginit keeps sign and payload alike
 * on every device. tests/data/convert_cases.txt holds torch's bits.
 *
 * docs/rng.md states the rule for fills; tests/test_convert.c checks it on
 * every float, against references written apart from this file.
 */
#ifndef GINIT_CONVERT_H
#define GINIT_CONVERT_H

#include "fmath.h"

/* float16: 1 sign, 5 exponent (bias 15), 10 fraction bits. Selects, no
 * branches: a loop over it vectorizes, and GPU threads do not diverge. */
GI_HOSTDEV uint16_t gi_f32_to_f16(float f)
{
    const uint32_t x = gi_float_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t a = x & 0x7fffffffu;
    /* 2^-14 and up: rebias the exponent and round the 13 dropped bits to
     * nearest even; a carry moves into the exponent. */
    const uint32_t normal =
        (a + 0x0fffu + ((a >> 13) & 1u) - 0x38000000u) >> 13;
    /* Below 2^-14, a subnormal or zero: in 0.5 + |f| the float's unit is
     * 2^-24, so the addition itself rounds |f| to nearest even in units of
     * 2^-24 (in the default rounding mode, which all of ginit's float
     * arithmetic assumes). The sum is a normal float, and so is every |f|
     * that gives more than zero, so FTZ and DAZ change nothing; larger
     * |f|, NaNs included, never reach the addition, which therefore
     * raises no exception. */
    const uint32_t small = a < 0x38800000u ? a : 0u;
    const uint32_t sub = gi_float_bits(gi_bits_float(small) + 0.5f) -
                         0x3f000000u;
    uint32_t h = a < 0x38800000u ? sub : normal;
    h = a >= 0x477ff000u ? 0x7c00u : h; /* 65520 (a tie) and up: inf */
    h = a > 0x7f800000u ? 0x7e00u | ((a >> 13) & 0x01ffu) : h; /* NaN */
    return (uint16_t)(sign | h);
}

GI_HOSTDEV float gi_f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x03ffu;
    if (e == 0x1fu) /* inf, and NaN quieted with its payload */
        return gi_bits_float(sign | 0x7f800000u | (m << 13) |
                             (m != 0 ? 0x00400000u : 0u));
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
    const uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
    const int nan = (x & 0x7fffffffu) > 0x7f800000u;
    return (uint16_t)(nan ? (x >> 16) | 0x0040u : rounded);
}

GI_HOSTDEV float gi_bf16_to_f32(uint16_t h)
{
    return gi_bits_float((uint32_t)h << 16);
}

#endif
