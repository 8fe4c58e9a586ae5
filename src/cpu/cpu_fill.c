/* See cpu_fill.h. Each chunk runs in two vectorizable passes: Philox over
 * the chunk's blocks (structure of arrays, all blocks in lock step), then
 * the law's transform over the lanes, eight elements at a time, each
 * eight stored as the tensor's dtype while they are in a register. Laws
 * that take one lane per element read the lanes in Philox's order; laws
 * that take two read them split in two arrays, first and second lane of
 * each pair, so that their transform is a plain loop without strides.
 * x86-64 builds compile the chunk function twice, for the baseline and
 * for AVX2 with F16C, and choose per call by the CPU's features (no
 * ifunc resolver, which clang before 18 and ThreadSanitizer do not
 * handle); arithmetic is the same IEEE single precision either way (no
 * FMA contraction), so are the results. */
#include <string.h>

#include "cpu_convert.h"
#include "cpu_fill.h"
#include "../shared/store.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GI_CPU_X86 1
#include <immintrin.h>
#endif

/* gi_cpu_philox_lanes (cpu_fill.h), portable form. */
static inline void philox_lanes_c(uint64_t seed, uint64_t stream,
                                  uint64_t first_block, int nb, int split,
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
    if (split) {
        uint32_t *first = lanes, *second = lanes + GI_CPU_SPLIT;
        for (int j = 0; j < nb; ++j) {
            first[2 * j] = x0[j];
            first[2 * j + 1] = x2[j];
            second[2 * j] = x1[j];
            second[2 * j + 1] = x3[j];
        }
        return;
    }
    for (int j = 0; j < nb; ++j) {
        lanes[4 * j] = x0[j];
        lanes[4 * j + 1] = x1[j];
        lanes[4 * j + 2] = x2[j];
        lanes[4 * j + 3] = x3[j];
    }
}

#ifdef GI_CPU_X86
/* Philox with AVX2 on `groups` x 4 consecutive blocks from counter ctr.
 * Each 64-bit lane holds one block's word in its low half: _mm256_mul_epu32
 * reads only that half and returns the whole 64-bit product, whose high
 * half is the next word after a shift and whose low half is kept as is
 * (its upper bits are ignored by the next multiply and cleared at the
 * end). Two groups in flight hide the multiply's latency. Integer
 * arithmetic, so identical to the portable form. */
__attribute__((target("avx2"))) static inline void
philox_groups_avx2(uint64_t seed, __m256i s2, __m256i s3, __m256i ctr,
                   int groups, int split, uint32_t *lanes)
{
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u);
    const __m256i m1 = _mm256_set1_epi64x(0xCD9E8D57u);
    __m256i x0[2], x1[2], x2[2], x3[2];
    for (int g = 0; g < groups; ++g) {
        x0[g] = _mm256_add_epi64(ctr, _mm256_set1_epi64x(4 * g));
        x1[g] = _mm256_srli_epi64(x0[g], 32);
        x2[g] = s2;
        x3[g] = s3;
    }
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        const __m256i key0 = _mm256_set1_epi32((int)k0);
        const __m256i key1 = _mm256_set1_epi32((int)k1);
        for (int g = 0; g < groups; ++g) {
            __m256i p0 = _mm256_mul_epu32(x0[g], m0);
            __m256i p1 = _mm256_mul_epu32(x2[g], m1);
            x0[g] = _mm256_xor_si256(_mm256_srli_epi64(p1, 32),
                                     _mm256_xor_si256(x1[g], key0));
            x2[g] = _mm256_xor_si256(_mm256_srli_epi64(p0, 32),
                                     _mm256_xor_si256(x3[g], key1));
            x1[g] = p1;
            x3[g] = p0;
        }
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    for (int g = 0; g < groups; ++g) {
        if (split) { /* (x0, x2) and (x1, x3) side by side are the pairs */
            __m256i a = _mm256_blend_epi32(
                x0[g], _mm256_slli_epi64(x2[g], 32), 0xAA);
            __m256i b = _mm256_blend_epi32(
                x1[g], _mm256_slli_epi64(x3[g], 32), 0xAA);
            _mm256_storeu_si256((__m256i *)(lanes + 8 * g), a);
            _mm256_storeu_si256((__m256i *)(lanes + GI_CPU_SPLIT + 8 * g), b);
            continue;
        }
        /* Words (x0, x1) and (x2, x3) side by side, then blocks in order. */
        __m256i w01 =
            _mm256_blend_epi32(x0[g], _mm256_slli_epi64(x1[g], 32), 0xAA);
        __m256i w23 =
            _mm256_blend_epi32(x2[g], _mm256_slli_epi64(x3[g], 32), 0xAA);
        __m256i b02 = _mm256_unpacklo_epi64(w01, w23);
        __m256i b13 = _mm256_unpackhi_epi64(w01, w23);
        __m256i *out = (__m256i *)(lanes + 16 * g);
        _mm256_storeu_si256(out, _mm256_permute2x128_si256(b02, b13, 0x20));
        _mm256_storeu_si256(out + 1, _mm256_permute2x128_si256(b02, b13, 0x31));
    }
}

__attribute__((target("avx2"))) static void
philox_lanes_avx2(uint64_t seed, uint64_t stream, uint64_t first_block,
                  int nb, int split, uint32_t *lanes)
{
    /* Where block j's lanes go: 4 j interleaved, 2 j split. */
    const int at = split ? 2 : 4;
    const __m256i s2 = _mm256_set1_epi64x((long long)(uint32_t)stream);
    const __m256i s3 = _mm256_set1_epi64x((long long)(stream >> 32));
    __m256i ctr = _mm256_add_epi64(_mm256_set1_epi64x((long long)first_block),
                                   _mm256_setr_epi64x(0, 1, 2, 3));
    int j = 0;
    for (; j + 8 <= nb; j += 8) {
        philox_groups_avx2(seed, s2, s3, ctr, 2, split, lanes + at * j);
        ctr = _mm256_add_epi64(ctr, _mm256_set1_epi64x(8));
    }
    if (j + 4 <= nb) {
        philox_groups_avx2(seed, s2, s3, ctr, 1, split, lanes + at * j);
        j += 4;
    }
    if (j < nb)
        philox_lanes_c(seed, stream, first_block + (uint64_t)j, nb - j, split,
                       lanes + at * j);
}
#endif

int gi_cpu_portable = 0;

int gi_cpu_vector(void)
{
#ifdef GI_CPU_X86
    return !gi_cpu_portable && __builtin_cpu_supports("avx2") &&
           gi_cpu_has_f16c();
#else
    return 0;
#endif
}

void gi_cpu_philox_lanes(uint64_t seed, uint64_t stream, uint64_t first_block,
                         int nb, int split, uint32_t *lanes)
{
#ifdef GI_CPU_X86
    if (gi_cpu_vector()) {
        philox_lanes_avx2(seed, stream, first_block, nb, split, lanes);
        return;
    }
#endif
    philox_lanes_c(seed, stream, first_block, nb, split, lanes);
}

/* Before a loop over eight elements: kept a loop until the vectorizer
 * sees it, so that it becomes one vector (two in SSE2), rather than being
 * unrolled first and the loop around it vectorized across eights. */
#define GI_CPU_EIGHT _Pragma("GCC unroll 1")

/* Where the transforms put their values: a float32 tensor takes each
 * value as it is; a 16-bit one (GI_F16, GI_BF16) takes it clamped to
 * [lo, hi] and rounded, store.h's store step (gi_job_clamp, then
 * gi_half_bits). Each chunk function inlines the transforms with dt and
 * vec constants, so the choices fold away. vec: AVX2 and F16C may run. */
typedef struct sink {
    void *data;
    int dt, vec;
    float lo, hi;
    int clamp; /* [lo, hi] is not all of float: the clamp can change one */
    int nan;   /* the law may give NaN (a mixture's NaN constant) */
} sink;

#ifdef GI_CPU_X86
/* put8's 16-bit store in vectors: the clamp as the scalar one selects
 * (NaN passes both compares), then F16C or convert.h's integer steps. */
__attribute__((target("avx2,f16c"))) static inline void
put8_x86(sink o, int64_t i, const float *v)
{
    const __m256 x = _mm256_loadu_ps(v);
    __m256 c = x;
    if (o.clamp) { /* most laws keep their own bounds: no clamp to run */
        const __m256 lo = _mm256_set1_ps(o.lo), hi = _mm256_set1_ps(o.hi);
        c = _mm256_blendv_ps(x, hi, _mm256_cmp_ps(x, hi, _CMP_GT_OQ));
        c = _mm256_blendv_ps(c, lo, _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
    }
    const __m128i h = o.dt == GI_F16 ? gi_f16x8_f16c(c)
                      : o.nan        ? gi_bf16x8_avx2(c)
                                     : gi_bf16x8_avx2_no_nan(c);
    _mm_storeu_si128((__m128i *)((uint16_t *)o.data + i), h);
}
#endif

/* Eight floats as one value, for put8's float32 store: GCC 12 splits a
 * plain copy of the array into 8-byte pieces through the stack. */
typedef float float8 __attribute__((vector_size(32), aligned(4), may_alias));

/* Elements i .. i + 7 take the values v[0..8). */
static GI_CPU_INLINE void put8(sink o, int64_t i, const float *v)
{
    if (o.dt == GI_F32) {
        float8 t;
        memcpy(&t, v, sizeof t);
        *(float8 *)((float *)o.data + i) = t;
        return;
    }
#ifdef GI_CPU_X86
    if (o.vec) {
        put8_x86(o, i, v);
        return;
    }
#endif
    GI_CPU_EIGHT
    for (int k = 0; k < 8; ++k) {
        const float c = v[k] < o.lo ? o.lo : v[k] > o.hi ? o.hi : v[k];
        ((uint16_t *)o.data)[i + k] = gi_half_bits(o.dt, c);
    }
}

/* The transforms, one loop per law so that each vectorizes, over n
 * elements, a multiple of 8 (fill_chunk rounds the blocks up). The
 * two-lane laws read split lanes: a[p] and b[p] are pair p's first and
 * second. */
static GI_CPU_INLINE void uniform_lanes(const gi_law *l,
                                        const uint32_t *lanes, int64_t n,
                                        sink out)
{
    const float a = l->u.uniform.a, span = l->u.uniform.span;
    const float cap = l->u.uniform.cap;
    for (int64_t i = 0; i < n; i += 8) {
        float v[8];
        GI_CPU_EIGHT
        for (int k = 0; k < 8; ++k)
            v[k] = gi_uniform_from(lanes[i + k], a, span, cap);
        put8(out, i, v);
    }
}

/* Pair p gives elements 2 p and 2 p + 1 (gi_law_block's order); pairs is
 * a multiple of 16. */
static GI_CPU_INLINE void normal_lanes(const gi_law *l, const uint32_t *a,
                                       const uint32_t *b, int64_t pairs,
                                       sink out)
{
    /* Two independent halves a loop: their long dependency chains
     * (log, sqrt, sine and cosine) interleave in the out-of-order window
     * when the compiler schedules before register allocation. */
    const float mean = l->u.normal.mean, std = l->u.normal.std;
    const int64_t h = pairs / 2;
    for (int64_t p = 0; p < h; p += 8) {
        float v[16], w[16];
        GI_CPU_EIGHT
        for (int k = 0; k < 8; ++k) {
            float z0, z1, y0, y1;
            gi_box_muller(a[p + k], b[p + k], &z0, &z1);
            gi_box_muller(a[p + h + k], b[p + h + k], &y0, &y1);
            v[2 * k] = z0 * std + mean;
            v[2 * k + 1] = z1 * std + mean;
            w[2 * k] = y0 * std + mean;
            w[2 * k + 1] = y1 * std + mean;
        }
        put8(out, 2 * p, v);
        put8(out, 2 * p + 8, v + 8);
        put8(out, 2 * (p + h), w);
        put8(out, 2 * (p + h) + 8, w + 8);
    }
}

#ifdef GI_CPU_X86
/* Two tables of 256 entries, one per 8-bit mask m, three bits a lane, as
 * constant expressions: compress_table[m] lists the lanes set in m in
 * ascending order; expand_table[m] gives each lane set in m the rank of
 * that lane among them (the inverse permutation). */
#define GI_BIT(m, j) (((m) >> (j)) & 1u)
#define GI_BELOW(m, j) /* set bits of m below bit j */                        \
    ((j) > 0 ? GI_BIT(m, 0) : 0) + ((j) > 1 ? GI_BIT(m, 1) : 0) +             \
    ((j) > 2 ? GI_BIT(m, 2) : 0) + ((j) > 3 ? GI_BIT(m, 3) : 0) +             \
    ((j) > 4 ? GI_BIT(m, 4) : 0) + ((j) > 5 ? GI_BIT(m, 5) : 0) +             \
    ((j) > 6 ? GI_BIT(m, 6) : 0)
#define GI_TO(m, j) (GI_BIT(m, j) ? (j##u) << (3u * (GI_BELOW(m, j))) : 0u)
#define GI_FROM(m, j) (GI_BIT(m, j) ? (GI_BELOW(m, j)) << (3u * j##u) : 0u)
#define GI_TABLE_ENTRY(E, m)                                                  \
    (E(m, 0) | E(m, 1) | E(m, 2) | E(m, 3) | E(m, 4) | E(m, 5) | E(m, 6) |     \
     E(m, 7))
#define GI_TABLE4(E, m)                                                       \
    GI_TABLE_ENTRY(E, m), GI_TABLE_ENTRY(E, m + 1), GI_TABLE_ENTRY(E, m + 2), \
        GI_TABLE_ENTRY(E, m + 3)
#define GI_TABLE16(E, m)                                                      \
    GI_TABLE4(E, m), GI_TABLE4(E, m + 4), GI_TABLE4(E, m + 8),                \
        GI_TABLE4(E, m + 12)
#define GI_TABLE64(E, m)                                                      \
    GI_TABLE16(E, m), GI_TABLE16(E, m + 16), GI_TABLE16(E, m + 32),           \
        GI_TABLE16(E, m + 48)
#define GI_TABLE(E)                                                           \
    {GI_TABLE64(E, 0u), GI_TABLE64(E, 64u), GI_TABLE64(E, 128u),              \
     GI_TABLE64(E, 192u)}
static const uint32_t compress_table[256] = GI_TABLE(GI_TO);
static const uint32_t expand_table[256] = GI_TABLE(GI_FROM);

/* A table entry as a permutation vector for _mm256_permutevar8x32_ps. */
__attribute__((target("avx2"))) static inline __m256i
lane_order(uint32_t entry)
{
    const __m256i shifts = _mm256_setr_epi32(0, 3, 6, 9, 12, 15, 18, 21);
    return _mm256_and_si256(
        _mm256_srlv_epi32(_mm256_set1_epi32((int)entry), shifts),
        _mm256_set1_epi32(7));
}

/* Sorts p[0..n) by the quantile's branch: centre[0..*nc) and
 * tail[0..*nt), in order, and masks[k] the centre lanes of p[8 k..8 k + 8).
 * Eight at a time: the stores write a whole vector at the next free place,
 * of which the next vector overwrites what was not kept (so the eight
 * floats from each vector's place on hold p's values). */
__attribute__((target("avx2"))) static void
split_by_branch(const float *p, int n, float *centre, int *nc, float *tail,
                int *nt, uint8_t *masks)
{
    const __m256 cut = _mm256_set1_ps(GI_QUANTILE_TAIL);
    int c = 0, t = 0, i = 0;
    /* The masks first: the loop that moves the elements then carries only
     * the running counts from one vector to the next. */
    for (; i + 8 <= n; i += 8)
        masks[i / 8] = (uint8_t)_mm256_movemask_ps(
            _mm256_cmp_ps(_mm256_loadu_ps(p + i), cut, _CMP_GE_OQ));
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(p + i);
        unsigned m = masks[i / 8];
        _mm256_storeu_ps(centre + c, _mm256_permutevar8x32_ps(
                                         v, lane_order(compress_table[m])));
        _mm256_storeu_ps(tail + t,
                         _mm256_permutevar8x32_ps(
                             v, lane_order(compress_table[~m & 0xffu])));
        c += __builtin_popcount(m);
        t = i + 8 - c;
    }
    for (; i < n; ++i) {
        if (p[i] >= GI_QUANTILE_TAIL)
            centre[c++] = p[i];
        else
            tail[t++] = p[i];
    }
    *nc = c;
    *nt = t;
}

/* The inverse of split_by_branch: x[i] from centre or tail, in x's order;
 * x still holds p's values past the last whole vector. */
__attribute__((target("avx2"))) static void
merge_by_branch(float *x, int n, const float *centre, const float *tail,
                const uint8_t *masks)
{
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    int c = 0, t = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        unsigned m = masks[i / 8];
        __m256 vc = _mm256_permutevar8x32_ps(_mm256_loadu_ps(centre + c),
                                             lane_order(expand_table[m]));
        __m256 vt = _mm256_permutevar8x32_ps(
            _mm256_loadu_ps(tail + t), lane_order(expand_table[~m & 0xffu]));
        __m256i bits = _mm256_and_si256(_mm256_set1_epi32((int)m), lane_bit);
        __m256 take = _mm256_castsi256_ps(_mm256_cmpeq_epi32(bits, lane_bit));
        _mm256_storeu_ps(x + i, _mm256_blendv_ps(vt, vc, take));
        c += __builtin_popcount(m);
        t = i + 8 - c;
    }
    for (; i < n; ++i)
        x[i] = x[i] >= GI_QUANTILE_TAIL ? centre[c++] : tail[t++];
}

/* x[i] = gi_norm_quantile_lower(x[i]) for i < n (at most a chunk), the
 * elements first sorted by branch, so that each vector computes one
 * formula, not both (a quarter of a standard normal's elements take the
 * costly tail one). Compiled once, not into each chunk function. */
__attribute__((target("avx2"))) static void quantile_lower_avx2(float *x,
                                                                int n)
{
    float centre[4 * GI_CPU_CHUNK_BLOCKS], tail[4 * GI_CPU_CHUNK_BLOCKS];
    uint8_t masks[4 * GI_CPU_CHUNK_BLOCKS / 8];
    int nc = 0, nt = 0;
    split_by_branch(x, n, centre, &nc, tail, &nt, masks);
    for (int k = 0; k < nc; ++k)
        centre[k] = gi_norm_quantile_centre(centre[k]);
    for (int k = 0; k < nt; ++k)
        tail[k] = gi_norm_quantile_tail(tail[k]);
    merge_by_branch(x, n, centre, tail, masks);
}
#endif

/* x[i] = gi_norm_quantile_lower(x[i]) for i < n; vec: as sink's. */
static GI_CPU_INLINE void quantile_lower_lanes(float *x, int64_t n, int vec)
{
#ifdef GI_CPU_X86
    if (vec) {
        quantile_lower_avx2(x, (int)n);
        return;
    }
#endif
    (void)vec;
    for (int64_t i = 0; i < n; ++i)
        x[i] = gi_norm_quantile_lower(x[i]);
}

/* gi_trunc_normal's three steps, each over the whole chunk. */
static GI_CPU_INLINE void trunc_normal_lanes(const gi_law *l,
                                             const uint32_t *lanes, int64_t n,
                                             sink out)
{
    float q[4 * GI_CPU_CHUNK_BLOCKS], x[4 * GI_CPU_CHUNK_BLOCKS];
    for (int64_t i = 0; i < n; ++i) {
        q[i] = gi_trunc_prob(l, lanes[i]);
        x[i] = gi_norm_quantile_fold(q[i]);
    }
    quantile_lower_lanes(x, n, out.vec);
    for (int64_t i = 0; i < n; i += 8) {
        float v[8];
        GI_CPU_EIGHT
        for (int k = 0; k < 8; ++k)
            v[k] = gi_trunc_value(
                l, gi_norm_quantile_unfold(q[i + k], x[i + k]));
        put8(out, i, v);
    }
}

static GI_CPU_INLINE void trunc_narrow_lanes(const gi_law *l,
                                             const uint32_t *lanes, int64_t n,
                                             sink out)
{
    for (int64_t i = 0; i < n; i += 8) {
        float v[8];
        GI_CPU_EIGHT
        for (int k = 0; k < 8; ++k)
            v[k] = gi_trunc_narrow(l, lanes[i + k]);
        put8(out, i, v);
    }
}

/* gi_mixture without its loop and switch: each element takes the
 * parameters of the first component whose cum exceeds its choice (cum
 * never decreases; the last component takes what is left), computes the
 * uniform and, when the law has one, the normal candidate, and selects.
 * A constant c is the uniform of span 0 capped at c: 0 * U + c gives c
 * (or +0 for -0, NaN for NaN), which is not below the cap c, so the cap,
 * c itself, is returned with its sign and payload. Same operations on the
 * same operands as gi_mixture, so the same bits. */
typedef struct mixture_table {
    float cum[GI_LAW_MAX_COMPONENTS], a[GI_LAW_MAX_COMPONENTS];
    float b[GI_LAW_MAX_COMPONENTS], span[GI_LAW_MAX_COMPONENTS];
    float cap[GI_LAW_MAX_COMPONENTS], floor[GI_LAW_MAX_COMPONENTS];
    int normal[GI_LAW_MAX_COMPONENTS];
    int has_normal;
} mixture_table;

static void mixture_table_of(const gi_law *l, mixture_table *t)
{
    const gi_law_mixture *m = &l->u.mixture;
    memset(t, 0, sizeof *t); /* unused slots: cum 0, never taken */
    for (int j = 0; j < m->ncomp; ++j) {
        const gi_law_component *c = &m->comp[j];
        int constant = c->kind == GI_COMP_CONSTANT;
        /* u < 1 always: the last component is taken whenever reached. */
        t->cum[j] = j + 1 < m->ncomp ? c->cum : 2.0f;
        t->a[j] = c->a;
        t->b[j] = c->b;
        t->span[j] = constant ? 0.0f : c->b - c->a;
        t->cap[j] = constant ? c->a : c->cap;
        t->floor[j] = constant ? -INFINITY : c->floor;
        t->normal[j] = c->kind == GI_COMP_NORMAL;
        t->has_normal |= t->normal[j];
    }
}

/* slots: a power of two >= the number of components, so that the
 * selection unrolls into a few selects per parameter. */
static GI_CPU_INLINE float
mixture_value(const mixture_table *t, uint32_t choice, uint32_t x,
              int slots, int with_normal)
{
    float u = gi_unit_closed_open(choice);
    float a = 0.0f, b = 0.0f, span = 0.0f, cap = 0.0f, lo = 0.0f;
    int normal = 0;
#pragma GCC unroll 8
    for (int j = slots - 1; j >= 0; --j) {
        int take = u < t->cum[j];
        a = take ? t->a[j] : a;
        span = take ? t->span[j] : span;
        cap = take ? t->cap[j] : cap;
        lo = take ? t->floor[j] : lo;
        if (with_normal) {
            b = take ? t->b[j] : b;
            normal = take ? t->normal[j] : normal;
        }
    }
    float v = gi_uniform_from(x, a, span, cap);
    v = v < lo ? lo : v; /* NaN constants pass */
    if (with_normal) {
        float z = a + b * gi_norm_quantile(gi_unit_open(x));
        v = normal ? z : v;
    }
    return v;
}

static GI_CPU_INLINE void
mixture_pass(const mixture_table *t, const uint32_t *choice,
             const uint32_t *x, int64_t n, int slots, int with_normal,
             sink out)
{
    for (int64_t i = 0; i < n; i += 8) {
        float v[8];
        GI_CPU_EIGHT
        for (int k = 0; k < 8; ++k)
            v[k] = mixture_value(t, choice[i + k], x[i + k], slots,
                                 with_normal);
        put8(out, i, v);
    }
}

static GI_CPU_INLINE void mixture_lanes(const gi_law *l,
                                        const uint32_t *choice,
                                        const uint32_t *x, int64_t n,
                                        sink out)
{
    mixture_table t;
    mixture_table_of(l, &t);
    if (t.has_normal)
        mixture_pass(&t, choice, x, n, GI_LAW_MAX_COMPONENTS, 1, out);
    else if (l->u.mixture.ncomp <= 2)
        mixture_pass(&t, choice, x, n, 2, 0, out);
    else if (l->u.mixture.ncomp <= 4)
        mixture_pass(&t, choice, x, n, 4, 0, out);
    else
        mixture_pass(&t, choice, x, n, GI_LAW_MAX_COMPONENTS, 0, out);
}

/* gi_cpu_fill_chunk into data, of dtype out.dt (out.data is set here). */
static GI_CPU_INLINE void fill_chunk(const gi_law *law, uint64_t seed,
                                     uint64_t stream, uint64_t offset,
                                     int64_t first, int64_t count, sink out,
                                     void *data)
{
    uint32_t lanes[4 * GI_CPU_CHUNK_BLOCKS];
    /* a partial chunk's scratch, room for any dtype's */
    _Alignas(32) unsigned char spill[4 * 4 * GI_CPU_CHUNK_BLOCKS];
    const gi_law l = *law;
    const int64_t per = gi_law_elems_per_block(&l);
    /* Blocks in eights: whole vectors of elements for every law, and
     * normal_lanes's halves of whole vectors of pairs. */
    const int nb = (int)((count + per - 1) / per + 7) / 8 * 8;
    const int split = l.kind == GI_LAW_NORMAL || l.kind == GI_LAW_MIXTURE;
    const size_t bytes = (size_t)count * (out.dt == GI_F32 ? 4 : 2);
    /* The output's cache lines are requested before the arithmetic, so
     * that fetching them for writing overlaps it (uniform_ 10% faster on
     * tensors larger than the caches). */
    for (size_t k = 0; k < bytes; k += 64)
        __builtin_prefetch((char *)data + k, 1, 3);
    gi_cpu_philox_lanes(seed, stream, offset + (uint64_t)(first / per), nb,
                        split, lanes);
    /* Whole blocks are transformed; a partial last vector goes through a
     * scratch buffer so nothing past `count` is written. */
    const int64_t whole = nb * per;
    out.data = whole == count ? data : spill;
    out.clamp = !(out.lo == -INFINITY && out.hi == INFINITY);
    out.nan = l.kind == GI_LAW_MIXTURE;
    const uint32_t *second = lanes + GI_CPU_SPLIT;
    switch (l.kind) {
    case GI_LAW_NORMAL: normal_lanes(&l, lanes, second, 2 * nb, out); break;
    case GI_LAW_TRUNC_NORMAL: trunc_normal_lanes(&l, lanes, whole, out); break;
    case GI_LAW_TRUNC_NARROW: trunc_narrow_lanes(&l, lanes, whole, out); break;
    case GI_LAW_MIXTURE: mixture_lanes(&l, lanes, second, whole, out); break;
    default: uniform_lanes(&l, lanes, whole, out); break;
    }
    if (out.data == spill)
        memcpy(data, spill, bytes);
}

/* fill_chunk with dt a constant in each call. */
static GI_CPU_INLINE void fill_chunk_as(const gi_law *law, uint64_t seed,
                                        uint64_t stream, uint64_t offset,
                                        int64_t first, int64_t count, int dt,
                                        float lo, float hi, int vec,
                                        void *data)
{
    if (dt == GI_F16)
        fill_chunk(law, seed, stream, offset, first, count,
                   (sink){NULL, GI_F16, vec, lo, hi, 1, 1}, data);
    else if (dt == GI_BF16)
        fill_chunk(law, seed, stream, offset, first, count,
                   (sink){NULL, GI_BF16, vec, lo, hi, 1, 1}, data);
    else
        fill_chunk(law, seed, stream, offset, first, count,
                   (sink){NULL, GI_F32, vec, lo, hi, 1, 1}, data);
}

static void fill_chunk_portable(const gi_law *law, uint64_t seed,
                                uint64_t stream, uint64_t offset,
                                int64_t first, int64_t count, int dt,
                                float lo, float hi, void *data)
{
    fill_chunk_as(law, seed, stream, offset, first, count, dt, lo, hi, 0,
                  data);
}

#ifdef GI_CPU_X86
__attribute__((target("avx2,f16c"))) static void
fill_chunk_avx2(const gi_law *law, uint64_t seed, uint64_t stream,
                uint64_t offset, int64_t first, int64_t count, int dt,
                float lo, float hi, void *data)
{
    fill_chunk_as(law, seed, stream, offset, first, count, dt, lo, hi, 1,
                  data);
}
#endif

static void fill_chunk_any(const gi_law *law, uint64_t seed, uint64_t stream,
                           uint64_t offset, int64_t first, int64_t count,
                           int dt, float lo, float hi, void *data)
{
#ifdef GI_CPU_X86
    if (gi_cpu_vector()) {
        fill_chunk_avx2(law, seed, stream, offset, first, count, dt, lo, hi,
                        data);
        return;
    }
#endif
    fill_chunk_portable(law, seed, stream, offset, first, count, dt, lo, hi,
                        data);
}

void gi_cpu_fill_chunk(const gi_law *law, uint64_t seed, uint64_t stream,
                       uint64_t offset, int64_t first, int64_t count,
                       float *out)
{
    fill_chunk_any(law, seed, stream, offset, first, count, GI_F32, 0.0f,
                   0.0f, out);
}

void gi_cpu_fill_chunk16(const gi_law *law, uint64_t seed, uint64_t stream,
                         uint64_t offset, int64_t first, int64_t count,
                         int dt, float lo, float hi, uint16_t *out)
{
    fill_chunk_any(law, seed, stream, offset, first, count, dt, lo, hi, out);
}
