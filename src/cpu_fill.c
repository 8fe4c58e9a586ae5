/* See cpu_fill.h. Each chunk runs in two vectorizable passes: Philox over
 * the chunk's blocks (structure of arrays, all blocks in lock step), then
 * the law's transform over the lanes. x86-64 builds carry an AVX2 clone of
 * the chunk function chosen at load time; arithmetic is the same IEEE
 * single precision either way (no FMA contraction), so are the results. */
#include <string.h>

#include "cpu_fill.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GI_CPU_X86 1
#include <immintrin.h>
#endif

/* The load-time clone needs an ifunc resolver: not with clang before 18,
 * which emits no plain symbol for it, nor under ThreadSanitizer, which
 * instruments the resolver before its runtime has started. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GI_CPU_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GI_CPU_TSAN 1
#endif
#if defined(GI_CPU_X86) && !defined(GI_CPU_TSAN) &&                           \
    (!defined(__clang__) || __clang_major__ >= 18)
#define GI_CPU_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GI_CPU_CLONES
#endif

/* Lanes of nb consecutive blocks, interleaved as Philox returns them:
 * lanes[4 j + k] is lane k of block first_block + j. Portable form. */
static inline void philox_lanes_c(uint64_t seed, uint64_t stream,
                                  uint64_t first_block, int nb,
                                  uint32_t *lanes)
{
    uint32_t x0[GI_CPU_CHUNK_BLOCKS], x1[GI_CPU_CHUNK_BLOCKS];
    uint32_t x2[GI_CPU_CHUNK_BLOCKS], x3[GI_CPU_CHUNK_BLOCKS];
    for (int j = 0; j < nb; ++j) {
        uint64_t c = first_block + (uint64_t)j;
        x0[j] = (uint32_t)c;
        x1[j] = (uint32_t)(c >> 32);
        x2[j] = (uint32_t)stream;
        x3[j] = (uint32_t)(stream >> 32);
    }
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        for (int j = 0; j < nb; ++j) {
            uint64_t p0 = (uint64_t)0xD2511F53u * x0[j];
            uint64_t p1 = (uint64_t)0xCD9E8D57u * x2[j];
            uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1[j] ^ k0;
            uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3[j] ^ k1;
            x1[j] = (uint32_t)p1;
            x3[j] = (uint32_t)p0;
            x0[j] = y0;
            x2[j] = y2;
        }
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    for (int j = 0; j < nb; ++j) {
        lanes[4 * j] = x0[j];
        lanes[4 * j + 1] = x1[j];
        lanes[4 * j + 2] = x2[j];
        lanes[4 * j + 3] = x3[j];
    }
}

#ifdef GI_CPU_X86
/* 32 x 32 -> 64-bit products of 8 lanes by m: the high and low halves. */
__attribute__((target("avx2"))) static inline void
mulhilo8(__m256i x, __m256i m, __m256i *hi, __m256i *lo)
{
    __m256i even = _mm256_mul_epu32(x, m);                        /* 0,2,4,6 */
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m); /* 1,3,5,7 */
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* The same lanes with AVX2, eight blocks in registers through all ten
 * rounds; integer arithmetic, so identical to the portable form. */
__attribute__((target("avx2"))) static void
philox_lanes_avx2(uint64_t seed, uint64_t stream, uint64_t first_block,
                  int nb, uint32_t *lanes)
{
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u);
    const __m256i m1 = _mm256_set1_epi64x(0xCD9E8D57u);
    int j = 0;
    for (; j + 8 <= nb; j += 8) {
        uint32_t c0[8], c1[8];
        for (int i = 0; i < 8; ++i) {
            uint64_t c = first_block + (uint64_t)(j + i);
            c0[i] = (uint32_t)c;
            c1[i] = (uint32_t)(c >> 32);
        }
        __m256i x0 = _mm256_loadu_si256((const __m256i *)c0);
        __m256i x1 = _mm256_loadu_si256((const __m256i *)c1);
        __m256i x2 = _mm256_set1_epi32((int)(uint32_t)stream);
        __m256i x3 = _mm256_set1_epi32((int)(uint32_t)(stream >> 32));
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
        for (int round = 0; round < 10; ++round) {
            __m256i hi0, lo0, hi1, lo1;
            mulhilo8(x0, m0, &hi0, &lo0);
            mulhilo8(x2, m1, &hi1, &lo1);
            x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1),
                                  _mm256_set1_epi32((int)k0));
            x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3),
                                  _mm256_set1_epi32((int)k1));
            x1 = lo1;
            x3 = lo0;
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        /* Transpose to blocks: (x0, x1, x2, x3) of block i together. */
        __m256i t0 = _mm256_unpacklo_epi32(x0, x1), t1 = _mm256_unpackhi_epi32(x0, x1);
        __m256i t2 = _mm256_unpacklo_epi32(x2, x3), t3 = _mm256_unpackhi_epi32(x2, x3);
        __m256i b04 = _mm256_unpacklo_epi64(t0, t2), b15 = _mm256_unpackhi_epi64(t0, t2);
        __m256i b26 = _mm256_unpacklo_epi64(t1, t3), b37 = _mm256_unpackhi_epi64(t1, t3);
        __m256i *out = (__m256i *)(lanes + 4 * j);
        _mm256_storeu_si256(out, _mm256_permute2x128_si256(b04, b15, 0x20));
        _mm256_storeu_si256(out + 1, _mm256_permute2x128_si256(b26, b37, 0x20));
        _mm256_storeu_si256(out + 2, _mm256_permute2x128_si256(b04, b15, 0x31));
        _mm256_storeu_si256(out + 3, _mm256_permute2x128_si256(b26, b37, 0x31));
    }
    if (j < nb)
        philox_lanes_c(seed, stream, first_block + (uint64_t)j, nb - j,
                       lanes + 4 * j);
}
#endif

static void philox_lanes(uint64_t seed, uint64_t stream, uint64_t first_block,
                         int nb, uint32_t *lanes)
{
#ifdef GI_CPU_X86
    if (__builtin_cpu_supports("avx2")) {
        philox_lanes_avx2(seed, stream, first_block, nb, lanes);
        return;
    }
#endif
    philox_lanes_c(seed, stream, first_block, nb, lanes);
}

/* The transforms, one loop per law so that each vectorizes. */
static inline void uniform_lanes(const gi_law *l, const uint32_t *lanes,
                                 int64_t n, float *out)
{
    const float a = l->p[0], span = l->p[1], cap = l->p[2];
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_uniform_from(lanes[i], a, span, cap);
}

static inline void normal_lanes(const gi_law *l, const uint32_t *lanes,
                                int64_t n, float *out)
{
    const float mean = l->p[0], std = l->p[1];
    for (int64_t i = 0; i < n; i += 2) {
        float z0, z1;
        gi_box_muller(lanes[i], lanes[i + 1], &z0, &z1);
        out[i] = z0 * std + mean;
        out[i + 1] = z1 * std + mean;
    }
}

static inline void trunc_normal_lanes(const gi_law *l, const uint32_t *lanes,
                                      int64_t n, float *out)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_trunc_normal(l, lanes[i]);
}

static inline void mixture_lanes(const gi_law *l, const uint32_t *lanes,
                                 int64_t n, float *out)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_mixture(l, lanes[2 * i], lanes[2 * i + 1]);
}

GI_CPU_CLONES
void gi_cpu_fill_chunk(const gi_law *law, uint64_t seed, uint64_t stream,
                       uint64_t offset, int64_t first, int64_t count,
                       float *out)
{
    uint32_t lanes[4 * GI_CPU_CHUNK_BLOCKS];
    float tail[4 * GI_CPU_CHUNK_BLOCKS];
    const gi_law l = *law;
    const int64_t per = gi_law_elems_per_block(&l);
    const int nb = (int)((count + per - 1) / per);
    philox_lanes(seed, stream, offset + (uint64_t)(first / per), nb, lanes);
    /* Whole blocks are transformed; a partial last block goes through a
     * scratch buffer so nothing past `count` is written. */
    int64_t whole = nb * per;
    float *dst = whole == count ? out : tail;
    switch (l.kind) {
    case GI_LAW_NORMAL: normal_lanes(&l, lanes, whole, dst); break;
    case GI_LAW_TRUNC_NORMAL: trunc_normal_lanes(&l, lanes, whole, dst); break;
    case GI_LAW_MIXTURE: mixture_lanes(&l, lanes, whole, dst); break;
    default: uniform_lanes(&l, lanes, whole, dst); break;
    }
    if (dst == tail)
        memcpy(out, tail, (size_t)count * sizeof *out);
}
