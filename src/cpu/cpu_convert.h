/* The CPU's bulk conversions between float and the 16-bit types, for the
 * store step of 16-bit fills and for copies. Every path gives the bits of
 * convert.h's element conversions, for every input. */
#ifndef GINIT_CPU_CONVERT_H
#define GINIT_CPU_CONVERT_H

#include <stdint.h>

/* dst[i] = the conversion of src[i] for i < n; the arrays do not overlap
 * and need no alignment. x86-64 uses F16C (float16) and AVX2 (bfloat16)
 * where the CPU has them, unless gi_cpu_portable (cpu_fill.h) is set. */
void gi_cpu_f32_to_f16(const float *src, uint16_t *dst, int64_t n);
void gi_cpu_f32_to_bf16(const float *src, uint16_t *dst, int64_t n);
void gi_cpu_f16_to_f32(const uint16_t *src, float *dst, int64_t n);
void gi_cpu_bf16_to_f32(const uint16_t *src, float *dst, int64_t n);

/* Whether the CPU has F16C and the AVX state its 256-bit forms need,
 * whatever gi_cpu_portable says; CPUID is asked once. */
int gi_cpu_has_f16c(void);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* Eight conversions in a vector, for the bulk loops and the fills' own
 * loops (cpu_fill.c), which call them only where the CPU has the
 * features named. Plain inline, not always_inline: a caller compiled for
 * the baseline can inline a function that is, once it has itself been
 * inlined into one compiled for these features. */

/* gi_f32_to_f16 of eight floats: F16C's vcvtps2ph with round-to-nearest-
 * even taken from the instruction (cpu_convert.c says why its bits are
 * convert.h's). */
__attribute__((target("avx,f16c"))) static inline __m128i
gi_f16x8_f16c(__m256 v)
{
    return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/* The top halves of eight 32-bit lanes, in order: bytes 2 and 3 of each
 * lane to the low 8 bytes of each 128-bit half, then both halves into the
 * low one. */
__attribute__((target("avx2"))) static inline __m128i
gi_top_halves_avx2(__m256i x)
{
    const __m256i top = _mm256_setr_epi8(
        2, 3, 6, 7, 10, 11, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1,
        2, 3, 6, 7, 10, 11, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i h = _mm256_shuffle_epi8(x, top);
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(h, 0x08));
}

/* convert.h's rounding of a float's bits to nearest even at bit 16, for
 * every float but NaN: bits + 0x7fff + (bit 16). */
__attribute__((target("avx2"))) static inline __m256i
gi_bf16_round_avx2(__m256i x)
{
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16),
                                         _mm256_set1_epi32(1));
    return _mm256_add_epi32(_mm256_add_epi32(x, _mm256_set1_epi32(0x7fff)),
                            lsb);
}

/* gi_f32_to_bf16 of eight floats, in order: convert.h's integer steps
 * on the float's bits, of which the top half is the result, rounded, or
 * for a NaN with its quiet bit set. */
__attribute__((target("avx2"))) static inline __m128i
gi_bf16x8_avx2(__m256 v)
{
    const __m256i x = _mm256_castps_si256(v);
    const __m256i quiet = _mm256_or_si256(x, _mm256_set1_epi32(0x00400000));
    /* a bitwise select by the NaN mask: no float arithmetic on the bits */
    const __m256 r = _mm256_blendv_ps(
        _mm256_castsi256_ps(gi_bf16_round_avx2(x)),
        _mm256_castsi256_ps(quiet), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return gi_top_halves_avx2(_mm256_castps_si256(r));
}

/* gi_bf16x8_avx2 for eight floats none of which is a NaN (a law's
 * values: finite arguments, checked, give no NaN), without the NaN
 * select: the same bits for those. */
__attribute__((target("avx2"))) static inline __m128i
gi_bf16x8_avx2_no_nan(__m256 v)
{
    return gi_top_halves_avx2(gi_bf16_round_avx2(_mm256_castps_si256(v)));
}
#endif

#endif
