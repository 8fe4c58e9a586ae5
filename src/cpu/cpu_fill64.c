/* The CPU's float64 random fills, as cpu_fill.c fills float: Philox over
 * the chunk's blocks (split into pairs, cpu_fill.h), then the law's
 * transform over the lanes in a plain loop, compiled twice, for the
 * baseline and for AVX2, and chosen per call (gi_cpu_vector). Every
 * element of these laws but the mixture's takes a pair of lanes as its
 * 53-bit uniform: pair p is lanes[p] and lanes[GI_CPU_SPLIT + p]. The
 * double transforms (laws.h, fmath64.h) are branch-free selects, which
 * the compiler vectorizes four elements a vector, computing each
 * element's IEEE double operations in their order (no FMA: neither
 * target enables it and the build says -ffp-contract=off), so both copies
 * give the scalar definition's bits. */
#include <string.h>

#include "cpu_fill64.h"

static GI_CPU_INLINE void uniform64_lanes(const gi_law *l, const uint32_t *hi,
                                          const uint32_t *lo, int64_t n,
                                          double *out)
{
    const double a = l->u.uniform64.a, span = l->u.uniform64.span;
    const double cap = l->u.uniform64.cap;
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_uniform64_from(hi[i], lo[i], a, span, cap);
}

/* Block j's pairs 2 j (the radius) and 2 j + 1 (the angle) give its
 * elements 2 j and 2 j + 1. */
static GI_CPU_INLINE void normal64_lanes(const gi_law *l, const uint32_t *hi,
                                         const uint32_t *lo, int64_t nb,
                                         double *out)
{
    const double mean = l->u.normal64.mean, std = l->u.normal64.std;
    for (int64_t j = 0; j < nb; ++j) {
        const uint32_t x[4] = {hi[2 * j], lo[2 * j], hi[2 * j + 1],
                               lo[2 * j + 1]};
        double z0, z1;
        gi_box_muller64(x, &z0, &z1);
        out[2 * j] = z0 * std + mean;
        out[2 * j + 1] = z1 * std + mean;
    }
}

static GI_CPU_INLINE void trunc64_lanes(const gi_law *l, const uint32_t *hi,
                                        const uint32_t *lo, int64_t n,
                                        double *out)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_trunc_normal64(l, hi[i], lo[i]);
}

static GI_CPU_INLINE void narrow64_lanes(const gi_law *l, const uint32_t *hi,
                                         const uint32_t *lo, int64_t n,
                                         double *out)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = gi_trunc_narrow64(l, hi[i], lo[i]);
}

/* One element a block, its component chosen by a loop: block by block. */
static GI_CPU_INLINE void mixture64_lanes(const gi_law *l, const uint32_t *hi,
                                          const uint32_t *lo, int64_t nb,
                                          double *out)
{
    for (int64_t j = 0; j < nb; ++j) {
        const uint32_t x[4] = {hi[2 * j], lo[2 * j], hi[2 * j + 1],
                               lo[2 * j + 1]};
        out[j] = gi_mixture64(l, x);
    }
}

static GI_CPU_INLINE void fill_chunk64(const gi_law *law, uint64_t seed,
                                       uint64_t stream, uint64_t offset,
                                       int64_t first, int64_t count,
                                       double *out)
{
    uint32_t lanes[4 * GI_CPU_CHUNK_BLOCKS];
    double spill[2 * GI_CPU_CHUNK_BLOCKS]; /* a partial chunk's scratch */
    const gi_law l = *law;
    const int64_t per = gi_law_elems_per_block(&l);
    const int nb = (int)((count + per - 1) / per);
    gi_cpu_philox_lanes(seed, stream, offset + (uint64_t)(first / per), nb, 1,
                        lanes);
    /* Whole blocks are transformed; a partial last block goes through a
     * scratch buffer so nothing past `count` is written. */
    const int64_t whole = nb * per;
    double *dst = whole == count ? out : spill;
    const uint32_t *hi = lanes, *lo = lanes + GI_CPU_SPLIT;
    switch (l.kind) {
    case GI_LAW_NORMAL64: normal64_lanes(&l, hi, lo, nb, dst); break;
    case GI_LAW_TRUNC_NORMAL64: trunc64_lanes(&l, hi, lo, whole, dst); break;
    case GI_LAW_TRUNC_NARROW64: narrow64_lanes(&l, hi, lo, whole, dst); break;
    case GI_LAW_MIXTURE64: mixture64_lanes(&l, hi, lo, nb, dst); break;
    default: uniform64_lanes(&l, hi, lo, whole, dst); break;
    }
    if (dst == spill)
        memcpy(out, spill, (size_t)count * sizeof *out);
}

static void fill_chunk64_portable(const gi_law *law, uint64_t seed,
                                  uint64_t stream, uint64_t offset,
                                  int64_t first, int64_t count, double *out)
{
    fill_chunk64(law, seed, stream, offset, first, count, out);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GI_CPU_X86 1
__attribute__((target("avx2"))) static void
fill_chunk64_avx2(const gi_law *law, uint64_t seed, uint64_t stream,
                  uint64_t offset, int64_t first, int64_t count, double *out)
{
    fill_chunk64(law, seed, stream, offset, first, count, out);
}
#endif

void gi_cpu_fill_chunk64(const gi_law *law, uint64_t seed, uint64_t stream,
                         uint64_t offset, int64_t first, int64_t count,
                         double *out)
{
#ifdef GI_CPU_X86
    if (gi_cpu_vector()) {
        fill_chunk64_avx2(law, seed, stream, offset, first, count, out);
        return;
    }
#endif
    fill_chunk64_portable(law, seed, stream, offset, first, count, out);
}
