/*
 * Bits to floats: the transforms of every random law and elementwise map,
 * written once and compiled by both the C compiler and nvcc (see fmath.h for
 * why the results are bit-identical). The stream layout these functions
 * implement is specified in docs/rng.md.
 */
#ifndef GINIT_LAWS_H
#define GINIT_LAWS_H

#include "convert.h"
#include "fmath.h"
#include "fmath64.h"
#include "fquantile.h"
#include "ginit.h"
#include "philox_any.h"

/* Random laws. Each Philox block (four 32-bit lanes) yields 4 consecutive
 * elements, or 2 for laws that take two lanes per element; the float64
 * laws (double results, gi_law_block64) take two lanes for every 53-bit
 * uniform: 2 elements per block, 1 for the mixture, which takes two
 * uniforms per element. */
typedef enum gi_law_kind {
    GI_LAW_UNIFORM = 0,      /* a + span * U24, capped at cap */
    GI_LAW_NORMAL = 1,       /* mean + std * z, z from Box-Muller pairs */
    GI_LAW_TRUNC_NORMAL = 2, /* see gi_trunc_normal */
    GI_LAW_MIXTURE = 3,      /* two lanes: component, then its value */
    GI_LAW_TRUNC_NARROW = 4, /* see gi_trunc_narrow */
    GI_LAW_UNIFORM64 = 5,    /* a + span * U53, capped at cap */
    GI_LAW_NORMAL64 = 6,     /* mean + std * z, z from gi_box_muller64 */
    GI_LAW_TRUNC_NORMAL64 = 7, /* see gi_trunc_normal64 */
    GI_LAW_TRUNC_NARROW64 = 8, /* see gi_trunc_narrow64 */
    GI_LAW_MIXTURE64 = 9     /* U53 chooses, two more lanes the value */
} gi_law_kind;

/* The transforms of the public gi_component_law values (the same numbers:
 * init_special.c asserts it). */
typedef enum gi_component_kind {
    GI_COMP_UNIFORM = GI_COMPONENT_UNIFORM,  /* a + (b - a) * U24, capped
                                                below b */
    GI_COMP_NORMAL = GI_COMPONENT_NORMAL,    /* a + b * quantile(U23) */
    GI_COMP_CONSTANT = GI_COMPONENT_CONSTANT /* a */
} gi_component_kind;

#define GI_LAW_MAX_COMPONENTS GI_MAX_COMPONENTS

typedef struct gi_law_component {
    float cum;        /* chosen when U24 < cum (and not an earlier one) */
    int kind;
    float a, b, cap;  /* cap: below(b) for uniform */
    float floor;      /* uniform: values below it are held at it (the
                       * 16-bit value just above an a the dtype lacks;
                       * -inf otherwise) */
} gi_law_component;

/* The parameters of each law kind, named; the transforms below say what
 * each one means. */
typedef struct gi_law_uniform {
    float a, span, cap; /* span = b - a; cap: the largest float below b */
} gi_law_uniform;

typedef struct gi_law_normal {
    float mean, std;
} gi_law_normal;

typedef struct gi_law_trunc {
    float lo, span; /* tail probabilities [lo, lo + span] of the bounds */
    float sign;     /* 1: lower tail; -1: upper tail */
    float mean, std;
    float a, b;     /* the bounds the values are clamped to */
} gi_law_trunc;

typedef struct gi_law_narrow {
    float a, span; /* span = b - a */
    float tilt;    /* the density over s in [0, 1]: 1 + tilt (1 - 2 s) */
    float b;
} gi_law_narrow;

typedef struct gi_law_mixture {
    int ncomp;
    gi_law_component comp[GI_LAW_MAX_COMPONENTS];
} gi_law_mixture;

/* The float64 laws' parameters: the float laws' fields, in double. */
typedef struct gi_law_uniform64 {
    double a, span, cap; /* span = b - a; cap: the largest double below b */
} gi_law_uniform64;

typedef struct gi_law_normal64 {
    double mean, std;
} gi_law_normal64;

typedef struct gi_law_trunc64 {
    double lo, span, sign, mean, std, a, b; /* as gi_law_trunc */
} gi_law_trunc64;

typedef struct gi_law_narrow64 {
    double a, span, tilt, b; /* as gi_law_narrow */
} gi_law_narrow64;

typedef struct gi_law_component64 {
    double cum; /* chosen when U53 < cum (and not an earlier one) */
    int kind;   /* a gi_component_kind */
    double a, b, cap; /* cap: the largest double below b, for uniform */
} gi_law_component64;

typedef struct gi_law_mixture64 {
    int ncomp;
    gi_law_component64 comp[GI_LAW_MAX_COMPONENTS];
} gi_law_mixture64;

/* kind says which member of u holds the parameters; plain data, copied
 * by value into kernel arguments and job tables. */
typedef struct gi_law {
    int kind;
    union {
        gi_law_uniform uniform;
        gi_law_normal normal;
        gi_law_trunc trunc;
        gi_law_narrow narrow;
        gi_law_mixture mixture;
        gi_law_uniform64 uniform64;
        gi_law_normal64 normal64;
        gi_law_trunc64 trunc64;
        gi_law_narrow64 narrow64;
        gi_law_mixture64 mixture64;
    } u;
} gi_law;

GI_HOSTDEV int gi_law_is64(const gi_law *law)
{
    return law->kind >= GI_LAW_UNIFORM64;
}

GI_HOSTDEV int gi_law_elems_per_block(const gi_law *law)
{
    if (law->kind == GI_LAW_MIXTURE64)
        return 1;
    return law->kind == GI_LAW_MIXTURE || gi_law_is64(law) ? 2 : 4;
}

/* 24 random bits as a float in [0, 1): multiples of 2^-24. */
GI_HOSTDEV float gi_unit_closed_open(uint32_t x)
{
    return (float)(x >> 8) * 5.9604644775390625e-8f;
}

/* 32 random bits as a float in (0, 1] (cuRAND's convention), never 0, so
 * that its logarithm is finite. */
GI_HOSTDEV float gi_unit_open_closed(uint32_t x)
{
    return (float)x * 2.3283064365386963e-10f + 1.16415321826934814e-10f;
}

/* 23 random bits as a float strictly inside (0, 1): the odd multiples of
 * 2^-24, exact, symmetric under u -> 1 - u; for quantile functions. */
GI_HOSTDEV float gi_unit_open(uint32_t x)
{
    return (float)((x >> 9) * 2u + 1u) * 5.9604644775390625e-8f;
}

/* a + span * U24 capped at cap (the largest float below b): in [a, b). */
GI_HOSTDEV float gi_uniform_from(uint32_t x, float a, float span, float cap)
{
    float v = gi_unit_closed_open(x) * span + a;
    return v < cap ? v : cap;
}

/* Two standard normals from two lanes (Box-Muller): lane a gives the radius,
 * lane b the angle. */
GI_HOSTDEV void gi_box_muller(uint32_t a, uint32_t b, float *z0, float *z1)
{
    /* u >= 2^-33 is never subnormal: the logarithm's core directly. */
    uint32_t u = gi_float_bits(gi_unit_open_closed(a));
    float r = sqrtf(-2.0f * gi_logf_bits(u, 0));
    float s, c;
    gi_sincos_2pi(gi_unit_closed_open(b), &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* The largest |z| gi_box_muller gives, 6.7637057 (0x1.b0e08ep+2): the
 * radius at the smallest U32, 2^-33, times cos 0 = 1. The radius only
 * falls as U32 grows (the next U32, 3 * 2^-33, has a logarithm larger by
 * ln 3, far beyond gi_logf's 2 ulp of error), and no sine or cosine
 * exceeds 1. */
GI_HOSTDEV float gi_box_muller_max(void)
{
    float z0, z1;
    gi_box_muller(0u, 0u, &z0, &z1);
    return z0;
}

/* The largest |quantile(U23)|, 5.2947040: at U23 = 2^-24 and 1 - 2^-24,
 * the quantile being monotone and odd over U23's values. */
GI_HOSTDEV float gi_quantile_u23_max(void)
{
    return -gi_norm_quantile(gi_unit_open(0u));
}

/* Whether every value z * scale + mean (scale >= 0, |z| <= z_max) is
 * finite, computed with the transforms' own float operations: their
 * rounding is monotone in z and symmetric in sign, so the largest
 * magnitude is z_max * scale + |mean|, and the test is exact. */
GI_HOSTDEV int gi_reach_finite(float mean, float scale, float z_max)
{
    float v = z_max * scale + (mean < 0.0f ? -mean : mean);
    return v <= 3.40282347e+38f; /* FLT_MAX; false for inf and NaN */
}

/* Truncated normal by inversion, one lane per element, in three steps
 * (CPU loops run them one after the other): q = lo + span * U23 lies in
 * the (lower- or, when sign = -1, upper-) tail probabilities of the
 * bounds, kept inside [FLT_MIN, 1 - 2^-24] where rounding could push it to
 * 0 or 1; z = sign * quantile(q) is the standard score, and the value
 * mean + std * z is clamped to [a, b] against the last rounding. */
GI_HOSTDEV float gi_trunc_prob(const gi_law *law, uint32_t x)
{
    const gi_law_trunc *t = &law->u.trunc;
    float q = t->lo + t->span * gi_unit_open(x);
    q = q > 1.17549435e-38f ? q : 1.17549435e-38f;
    return q < 0.99999994f ? q : 0.99999994f;
}

/* The value of standard normal quantile z. */
GI_HOSTDEV float gi_trunc_value(const gi_law *law, float z)
{
    const gi_law_trunc *t = &law->u.trunc;
    float v = t->mean + t->std * (t->sign * z);
    v = v < t->a ? t->a : v;
    return v > t->b ? t->b : v;
}

GI_HOSTDEV float gi_trunc_normal(const gi_law *law, uint32_t x)
{
    return gi_trunc_value(law, gi_norm_quantile(gi_trunc_prob(law, x)));
}

/* Truncated normal over an interval so narrow that its density is linear
 * there to float precision (gi_job_trunc_normal chooses it): with
 * u = U23, s = u - tilt u (1 - u) inverts, to first order in tilt, the
 * distribution function s + tilt s (1 - s) of the density
 * 1 + tilt (1 - 2 s) over s in [0, 1]; the value a + span * s
 * (span = b - a) is clamped to [a, b] against the last rounding. */
GI_HOSTDEV float gi_trunc_narrow(const gi_law *law, uint32_t x)
{
    const gi_law_narrow *n = &law->u.narrow;
    float u = gi_unit_open(x);
    float s = u - n->tilt * (u * (1.0f - u));
    float v = n->a + n->span * s;
    v = v < n->a ? n->a : v;
    return v > n->b ? n->b : v;
}

/* One element of a mixture from lanes (choice, value). */
GI_HOSTDEV float gi_mixture(const gi_law *law, uint32_t choice, uint32_t x)
{
    const gi_law_mixture *m = &law->u.mixture;
    float u = gi_unit_closed_open(choice);
    int k = 0;
    while (k + 1 < m->ncomp && !(u < m->comp[k].cum))
        ++k;
    const gi_law_component *c = &m->comp[k];
    switch (c->kind) {
    case GI_COMP_UNIFORM: {
        float v = gi_uniform_from(x, c->a, c->b - c->a, c->cap);
        return v < c->floor ? c->floor : v;
    }
    case GI_COMP_NORMAL: return c->a + c->b * gi_norm_quantile(gi_unit_open(x));
    default: return c->a;
    }
}

/* A normal law's value of standard normal z. */
GI_HOSTDEV float gi_normal_value(const gi_law *law, float z)
{
    return z * law->u.normal.std + law->u.normal.mean;
}

/* The elements produced by one Philox block x[0..3]; returns how many
 * (gi_law_elems_per_block). */
GI_HOSTDEV int gi_law_block(const gi_law *law, const uint32_t x[4],
                            float out[4])
{
    switch (law->kind) {
    case GI_LAW_NORMAL: {
        float z[4];
        gi_box_muller(x[0], x[1], &z[0], &z[1]);
        gi_box_muller(x[2], x[3], &z[2], &z[3]);
        for (int k = 0; k < 4; ++k)
            out[k] = gi_normal_value(law, z[k]);
        return 4;
    }
    case GI_LAW_TRUNC_NORMAL:
        for (int k = 0; k < 4; ++k)
            out[k] = gi_trunc_normal(law, x[k]);
        return 4;
    case GI_LAW_TRUNC_NARROW:
        for (int k = 0; k < 4; ++k)
            out[k] = gi_trunc_narrow(law, x[k]);
        return 4;
    case GI_LAW_MIXTURE:
        out[0] = gi_mixture(law, x[0], x[1]);
        out[1] = gi_mixture(law, x[2], x[3]);
        return 2;
    default: {
        const gi_law_uniform *un = &law->u.uniform;
        for (int k = 0; k < 4; ++k)
            out[k] = gi_uniform_from(x[k], un->a, un->span, un->cap);
        return 4;
    }
    }
}

/* Element i of a fill of `law` whose first block is `offset`, on its own:
 * its block and the law's transform of that block, of which a normal law
 * computes only the Box-Muller pair the element belongs to. Equal bit for
 * bit to element i % per of gi_law_block, per = gi_law_elems_per_block. */
GI_HOSTDEV float gi_law_element(const gi_law *law, uint64_t seed,
                                uint64_t stream, uint64_t offset, uint64_t i)
{
    const uint64_t per = (uint64_t)gi_law_elems_per_block(law);
    const int k = (int)(i % per);
    uint32_t x[4];
    gi_block(seed, stream, offset + i / per, x);
    if (law->kind == GI_LAW_NORMAL) {
        float z0, z1;
        gi_box_muller(x[k & 2], x[(k & 2) + 1], &z0, &z1);
        return gi_normal_value(law, k & 1 ? z1 : z0);
    }
    float out[4];
    gi_law_block(law, x, out);
    return out[k];
}

/* The float64 laws: every uniform takes two lanes x0, x1 and their 53-bit
 * integer k = (x0 >> 5) 2^26 + (x1 >> 6), formed exactly in double (so
 * that CPU loops vectorize without 64-bit integer conversions). */

/* U53 = k 2^-53, a multiple of 2^-53 in [0, 1). */
GI_HOSTDEV double gi_unit53(uint32_t x0, uint32_t x1)
{
    return ((double)(x0 >> 5) * 67108864.0 + (double)(x1 >> 6)) *
           1.1102230246251565e-16;
}

/* (k + 1) 2^-53 in (0, 1], never 0, so that its logarithm is finite. */
GI_HOSTDEV double gi_unit53_open_closed(uint32_t x0, uint32_t x1)
{
    return ((double)(x0 >> 5) * 67108864.0 + (double)((x1 >> 6) + 1u)) *
           1.1102230246251565e-16;
}

/* (k | 1) 2^-53: the odd multiples of 2^-53, strictly inside (0, 1) and
 * symmetric under u -> 1 - u (52 random bits); for the quantile. */
GI_HOSTDEV double gi_unit52_open(uint32_t x0, uint32_t x1)
{
    return ((double)(x0 >> 5) * 67108864.0 + (double)((x1 >> 6) | 1u)) *
           1.1102230246251565e-16;
}

/* a + span * U53 capped at cap (the largest double below b): in [a, b). */
GI_HOSTDEV double gi_uniform64_from(uint32_t x0, uint32_t x1, double a,
                                    double span, double cap)
{
    double v = gi_unit53(x0, x1) * span + a;
    return v < cap ? v : cap;
}

/* Two standard normals from one block (Box-Muller): lanes 0 and 1 give the
 * radius, lanes 2 and 3 the angle. */
GI_HOSTDEV void gi_box_muller64(const uint32_t x[4], double *z0, double *z1)
{
    double r = sqrt(-2.0 * gi_log64(gi_unit53_open_closed(x[0], x[1])));
    double s, c;
    gi_sincos_2pi64(gi_unit53(x[2], x[3]), &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* The largest |z| gi_box_muller64 gives, 8.5720...: the radius at the
 * smallest uniform, 2^-53, times cos 0 = 1 (exact). The radius only falls
 * as the uniform grows (the next one, 2^-52, has a logarithm larger by
 * ln 2, far beyond gi_log64's ulp), and no sine or cosine exceeds 1. */
GI_HOSTDEV double gi_box_muller64_max(void)
{
    const uint32_t zero[4] = {0u, 0u, 0u, 0u};
    double z0, z1;
    gi_box_muller64(zero, &z0, &z1);
    return z0;
}

/* The largest |quantile64(U52)|, 8.2924...: at U52 = 2^-53 and 1 - 2^-53,
 * where the quantile is exactly odd (1 - p is exact); the next U52 values
 * move it by 0.1, far beyond its rounding. */
GI_HOSTDEV double gi_quantile64_u52_max(void)
{
    return -gi_norm_quantile64(gi_unit52_open(0u, 0u));
}

/* Whether every value z * scale + mean (scale >= 0, |z| <= z_max) is
 * finite, by the transforms' own double operations (gi_reach_finite's
 * argument, in double). */
GI_HOSTDEV int gi_reach_finite64(double mean, double scale, double z_max)
{
    double v = z_max * scale + (mean < 0.0 ? -mean : mean);
    return v <= 1.7976931348623157e+308; /* DBL_MAX; false for inf, NaN */
}

/* Truncated normal by inversion, as gi_trunc_normal in double, from two
 * lanes: q = lo + span * U52 kept inside [DBL_MIN, 1 - 2^-53], z = sign *
 * quantile64(q), and mean + std * z clamped to [a, b]. */
GI_HOSTDEV double gi_trunc_normal64(const gi_law *law, uint32_t x0,
                                    uint32_t x1)
{
    const gi_law_trunc64 *t = &law->u.trunc64;
    double q = t->lo + t->span * gi_unit52_open(x0, x1);
    q = q > 2.2250738585072014e-308 ? q : 2.2250738585072014e-308; /* DBL_MIN */
    q = q < 0.99999999999999989 ? q : 0.99999999999999989; /* 1 - 2^-53 */
    double v = t->mean + t->std * (t->sign * gi_norm_quantile64(q));
    v = v < t->a ? t->a : v;
    return v > t->b ? t->b : v;
}

/* gi_trunc_narrow in double, from U52 (gi_law64_trunc_normal chooses it
 * where the interval's density is linear to double precision). */
GI_HOSTDEV double gi_trunc_narrow64(const gi_law *law, uint32_t x0,
                                    uint32_t x1)
{
    const gi_law_narrow64 *n = &law->u.narrow64;
    double u = gi_unit52_open(x0, x1);
    double s = u - n->tilt * (u * (1.0 - u));
    double v = n->a + n->span * s;
    v = v < n->a ? n->a : v;
    return v > n->b ? n->b : v;
}

/* One element of a float64 mixture from a whole block: lanes 0 and 1
 * choose the component, lanes 2 and 3 give its value. */
GI_HOSTDEV double gi_mixture64(const gi_law *law, const uint32_t x[4])
{
    const gi_law_mixture64 *m = &law->u.mixture64;
    double u = gi_unit53(x[0], x[1]);
    int k = 0;
    while (k + 1 < m->ncomp && !(u < m->comp[k].cum))
        ++k;
    const gi_law_component64 *c = &m->comp[k];
    switch (c->kind) {
    case GI_COMP_UNIFORM:
        return gi_uniform64_from(x[2], x[3], c->a, c->b - c->a, c->cap);
    case GI_COMP_NORMAL:
        return c->a + c->b * gi_norm_quantile64(gi_unit52_open(x[2], x[3]));
    default: return c->a;
    }
}

/* The elements a float64 law makes of one Philox block; returns how many
 * (gi_law_elems_per_block). */
GI_HOSTDEV int gi_law_block64(const gi_law *law, const uint32_t x[4],
                              double out[4])
{
    switch (law->kind) {
    case GI_LAW_NORMAL64: {
        const gi_law_normal64 *nl = &law->u.normal64;
        double z0, z1;
        gi_box_muller64(x, &z0, &z1);
        out[0] = z0 * nl->std + nl->mean;
        out[1] = z1 * nl->std + nl->mean;
        return 2;
    }
    case GI_LAW_TRUNC_NORMAL64:
        out[0] = gi_trunc_normal64(law, x[0], x[1]);
        out[1] = gi_trunc_normal64(law, x[2], x[3]);
        return 2;
    case GI_LAW_TRUNC_NARROW64:
        out[0] = gi_trunc_narrow64(law, x[0], x[1]);
        out[1] = gi_trunc_narrow64(law, x[2], x[3]);
        return 2;
    case GI_LAW_MIXTURE64:
        out[0] = gi_mixture64(law, x);
        return 1;
    default: {
        const gi_law_uniform64 *un = &law->u.uniform64;
        out[0] = gi_uniform64_from(x[0], x[1], un->a, un->span, un->cap);
        out[1] = gi_uniform64_from(x[2], x[3], un->a, un->span, un->cap);
        return 2;
    }
    }
}

/* Element i of a float64 fill whose first block is `offset`, on its own:
 * element i % per of its block's gi_law_block64 (a normal block's two
 * elements share one Box-Muller pair). */
GI_HOSTDEV double gi_law_element64(const gi_law *law, uint64_t seed,
                                   uint64_t stream, uint64_t offset,
                                   uint64_t i)
{
    const uint64_t per = (uint64_t)gi_law_elems_per_block(law);
    uint32_t x[4];
    double out[4];
    gi_block(seed, stream, offset + i / per, x);
    gi_law_block64(law, x, out);
    return out[i % per];
}

/* sparse_'s zeros, by Knuth's selection sampling down each column of a
 * rows x cols row-major matrix: row r of column c is zeroed when
 * x * (rows - r) < needed * 2^32 (exact integers), where x is lane
 * (c * rows + r) of the blocks from `offset` on and needed counts the zeros
 * still to place; exactly k rows are chosen, each k-subset equally likely
 * (up to 2^-32 in x's resolution). A walk visits rows 0, 1, ... of one
 * column in order, while needed > 0. */
typedef struct gi_sparse_walk {
    uint32_t bits[4]; /* the block of the current lane */
    int64_t needed;
} gi_sparse_walk;

/* Whether the walk zeroes row r (the row after the last one it visited). */
GI_HOSTDEV int gi_sparse_pick(gi_sparse_walk *w, int64_t rows, int64_t c,
                              int64_t r, uint64_t seed, uint64_t stream,
                              uint64_t offset)
{
    uint64_t lane = (uint64_t)c * (uint64_t)rows + (uint64_t)r;
    if (r == 0 || lane % 4 == 0)
        gi_block(seed, stream, offset + lane / 4, w->bits);
    uint64_t x = w->bits[lane % 4];
    int zero = x * (uint64_t)(rows - r) < ((uint64_t)w->needed << 32);
    w->needed -= zero;
    return zero;
}

/* Deterministic fills whose value depends on the element's index. */
typedef enum gi_index_kind {
    GI_INDEX_EYE = 0,  /* 2-D: 1 where row == column */
    GI_INDEX_DIRAC = 1 /* 3- to 5-D: 1 at the centre of (o, o % per_group) */
} gi_index_kind;

typedef struct gi_index_law {
    int kind;
    int ndim;
    int64_t shape[5];
    int64_t groups;
} gi_index_law;

GI_HOSTDEV float gi_index_value(const gi_index_law *l, int64_t i)
{
    if (l->kind == GI_INDEX_EYE)
        return i / l->shape[1] == i % l->shape[1] ? 1.0f : 0.0f;
    int centre = 1; /* every spatial index at size / 2 */
    for (int d = l->ndim - 1; d >= 2; --d) {
        centre &= i % l->shape[d] == l->shape[d] / 2;
        i /= l->shape[d];
    }
    int64_t in = i % l->shape[1], out = i / l->shape[1];
    int64_t per_group = l->shape[0] / l->groups;
    int64_t d = out % per_group;
    return centre && in == d && d < l->shape[1] ? 1.0f : 0.0f;
}

/* Elementwise maps: x -> f(x), one per in-place operation. */
typedef enum gi_map_kind {
    GI_MAP_FILL = 0,       /* a */
    GI_MAP_ADD = 1,        /* x + a */
    GI_MAP_MUL = 2,        /* x * a */
    GI_MAP_CLAMP = 3,      /* min(max(x, a), b): b when a > b; NaN kept */
    GI_MAP_MASKED_FILL = 4, /* cmp(x, a) ? b : x */
    GI_MAP_MUL_MASK = 5,    /* x * (cmp(x, a) ? 1 : 0), signs and NaN kept */
    GI_MAP_RELU = 6,        /* x < 0 ? 0 : x (torch.relu: -0 and NaN kept) */
    GI_MAP_ADD_SCALED = 7,  /* fma(a, y, x), y from a second tensor */
    GI_MAP_MUL_BY = 8,      /* x * y, y from a second tensor */
    GI_MAP_RELU_OF = 9,     /* relu(y): out-of-place ReLU into x */
    GI_MAP_COPY = 10,       /* y, converted to x's dtype */
    GI_MAP_ADD_SCALED_F16 = 11 /* x + (a * y rounded to float16) */
} gi_map_kind;

/* a and b are the operation's scalars already converted to the dtype the
 * operation computes in (ops.c), so the float maps read them as floats
 * without rounding. */
typedef struct gi_map {
    int kind;
    int cmp; /* gi_compare, for the masked maps */
    double a, b;
} gi_map;

/* The maps in the compute type T of a dtype: float for float32, float16
 * and bfloat16 (the 16-bit types round once, at the store), double for
 * float64. One body, two definitions. cmp is a gi_compare; each GI_ABS_
 * form sits GI_ABS_LT places after its plain one (ginit.h; ops.c asserts
 * it); y is the matching element of the second tensor for the binary
 * maps. add_ with alpha fuses its multiply-add, as PyTorch's CPU kernels
 * do for float and double; its float16 kernel rounds the product to
 * float16 first (c10::Half arithmetic), which ADD_SCALED_F16 repeats. */
#define GI_MAP_DEFINE_(SUFFIX, T, FMA)                                        \
    GI_HOSTDEV int gi_compare_holds##SUFFIX(int cmp, T x, T a)                \
    {                                                                         \
        if (cmp >= GI_ABS_LT) {                                               \
            x = x < (T)0 ? -x : x;                                            \
            cmp -= GI_ABS_LT;                                                 \
        }                                                                     \
        switch (cmp) {                                                        \
        case GI_LT: return x < a;                                             \
        case GI_LE: return x <= a;                                            \
        case GI_GT: return x > a;                                             \
        case GI_GE: return x >= a;                                            \
        case GI_EQ: return x == a;                                            \
        default: return x != a;                                               \
        }                                                                     \
    }                                                                         \
    GI_HOSTDEV T gi_map_apply2##SUFFIX(const gi_map *m, T x, T y)             \
    {                                                                         \
        switch (m->kind) {                                                    \
        case GI_MAP_ADD_SCALED: return FMA((T)m->a, y, x);                    \
        case GI_MAP_ADD_SCALED_F16:                                           \
            return x + gi_f16_to_f32(gi_f32_to_f16((float)((T)m->a * y)));    \
        case GI_MAP_MUL_BY: return x * y;                                     \
        case GI_MAP_COPY: return y;                                           \
        default: return y < (T)0 ? (T)0 : y;                                  \
        }                                                                     \
    }                                                                         \
    GI_HOSTDEV T gi_map_apply##SUFFIX(const gi_map *m, T x)                   \
    {                                                                         \
        const T a = (T)m->a, b = (T)m->b;                                     \
        switch (m->kind) {                                                    \
        case GI_MAP_FILL: return a;                                           \
        case GI_MAP_ADD: return x + a;                                        \
        case GI_MAP_MUL: return x * a;                                        \
        case GI_MAP_CLAMP: x = x < a ? a : x; return x > b ? b : x;           \
        case GI_MAP_MASKED_FILL:                                              \
            return gi_compare_holds##SUFFIX(m->cmp, x, a) ? b : x;            \
        case GI_MAP_RELU: return x < (T)0 ? (T)0 : x;                         \
        default:                                                              \
            return x * (gi_compare_holds##SUFFIX(m->cmp, x, a) ? (T)1 : (T)0);\
        }                                                                     \
    }

GI_MAP_DEFINE_(, float, fmaf)
GI_MAP_DEFINE_(64, double, fma)

#endif
