/* See cpu_convert.h. The vector paths are proven equal to convert.h on all
 * 2^32 floats and all 2^16 halves by tests/test_convert.c:
 *  - float16: F16C's vcvtps2ph with round-to-nearest-even taken from the
 *    instruction (not MXCSR) rounds as convert.h does, quiets NaNs as it
 *    does, and ignores FTZ and DAZ; vcvtph2ps is exact and quiets
 *    signaling NaNs as convert.h does.
 *  - bfloat16: convert.h's integer steps, eight lanes at a time in AVX2
 *    (gi_bf16x8_avx2, cpu_convert.h).
 * No AVX-512 path: AVX512_BF16's vcvtneps2bf16 flushes denormal floats
 * and so differs from convert.h, and the 512-bit forms of the above would
 * need a CPU to prove them on; these loops are memory bound already.
 * The path is chosen per call with __builtin_cpu_supports rather than
 * target_clones: no ifunc resolver, so the file builds under
 * ThreadSanitizer (see cpu_fill.c). */
#include "cpu_convert.h"

#include "../shared/convert.h"
#include "cpu_fill.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GI_CPU_X86 1
#include <cpuid.h>
#endif

static void f32_to_f16_c(const float *src, uint16_t *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_f32_to_f16(src[i]);
}

static void f32_to_bf16_c(const float *src, uint16_t *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_f32_to_bf16(src[i]);
}

static void f16_to_f32_c(const uint16_t *src, float *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_f16_to_f32(src[i]);
}

static void bf16_to_f32_c(const uint16_t *src, float *dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        dst[i] = gi_bf16_to_f32(src[i]);
}

#ifdef GI_CPU_X86
/* The vector loops leave the last n % 8 elements to the portable loops. */
__attribute__((target("avx,f16c"))) static void
f32_to_f16_f16c(const float *src, uint16_t *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = gi_f16x8_f16c(_mm256_loadu_ps(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    f32_to_f16_c(src + i, dst + i, n - i);
}

__attribute__((target("avx,f16c"))) static void
f16_to_f32_f16c(const uint16_t *src, float *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    f16_to_f32_c(src + i, dst + i, n - i);
}

__attribute__((target("avx2"))) static void
f32_to_bf16_avx2(const float *src, uint16_t *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = gi_bf16x8_avx2(_mm256_loadu_ps(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    f32_to_bf16_c(src + i, dst + i, n - i);
}

__attribute__((target("avx2"))) static void
bf16_to_f32_avx2(const uint16_t *src, float *dst, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        __m256i x = _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16);
        _mm256_storeu_si256((__m256i *)(dst + i), x);
    }
    bf16_to_f32_c(src + i, dst + i, n - i);
}

/* Whether the vector paths are allowed and the CPU has them. */
static int use_f16c(void)
{
    return !gi_cpu_portable && gi_cpu_has_f16c();
}

static int use_avx2(void)
{
    return !gi_cpu_portable && __builtin_cpu_supports("avx2");
}
#endif

/* F16C's 256-bit forms need the AVX state too. F16C is read from CPUID
 * itself: clang's __builtin_cpu_supports does not know the name. */
int gi_cpu_has_f16c(void)
{
#ifdef GI_CPU_X86
    /* CPUID is slow (a hypervisor may trap it): asked once; racing first
     * callers store the same answer */
    static int has = -1;
    int known = __atomic_load_n(&has, __ATOMIC_RELAXED);
    if (known < 0) {
        unsigned a, b, c, d;
        known = __builtin_cpu_supports("avx") &&
                __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) != 0;
        __atomic_store_n(&has, known, __ATOMIC_RELAXED);
    }
    return known;
#else
    return 0;
#endif
}

void gi_cpu_f32_to_f16(const float *src, uint16_t *dst, int64_t n)
{
#ifdef GI_CPU_X86
    if (use_f16c()) {
        f32_to_f16_f16c(src, dst, n);
        return;
    }
#endif
    f32_to_f16_c(src, dst, n);
}

void gi_cpu_f32_to_bf16(const float *src, uint16_t *dst, int64_t n)
{
#ifdef GI_CPU_X86
    if (use_avx2()) {
        f32_to_bf16_avx2(src, dst, n);
        return;
    }
#endif
    f32_to_bf16_c(src, dst, n);
}

void gi_cpu_f16_to_f32(const uint16_t *src, float *dst, int64_t n)
{
#ifdef GI_CPU_X86
    if (use_f16c()) {
        f16_to_f32_f16c(src, dst, n);
        return;
    }
#endif
    f16_to_f32_c(src, dst, n);
}

void gi_cpu_bf16_to_f32(const uint16_t *src, float *dst, int64_t n)
{
#ifdef GI_CPU_X86
    if (use_avx2()) {
        bf16_to_f32_avx2(src, dst, n);
        return;
    }
#endif
    bf16_to_f32_c(src, dst, n);
}
