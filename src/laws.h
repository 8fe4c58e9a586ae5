/*
 * Bits to floats: the transforms of every random law and elementwise map,
 * written once and compiled by both the C compiler and nvcc (see fmath.h for
 * why the results are bit-identical). The stream layout these functions
 * implement is specified in docs/rng.md.
 */
#ifndef GINIT_LAWS_H
#define GINIT_LAWS_H

#include "fmath.h"

/* Random laws. Each Philox block (four 32-bit lanes) yields
 * GI_LAW_ELEMS_PER_BLOCK consecutive elements. */
#define GI_LAW_ELEMS_PER_BLOCK 4

typedef enum gi_law_kind {
    GI_LAW_UNIFORM = 0, /* p0 + p1 * u, u in [0, 1); capped at p2 */
    GI_LAW_NORMAL = 1   /* p0 + p1 * z, z ~ N(0, 1) (Box-Muller) */
} gi_law_kind;

typedef struct gi_law {
    int kind;
    float p0, p1, p2;
} gi_law;

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

/* Two standard normals from two lanes (Box-Muller): lane a gives the radius,
 * lane b the angle. */
GI_HOSTDEV void gi_box_muller(uint32_t a, uint32_t b, float *z0, float *z1)
{
    float r = sqrtf(-2.0f * gi_logf(gi_unit_open_closed(a)));
    float s, c;
    gi_sincos_2pi(gi_unit_closed_open(b), &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* The four elements produced by one Philox block x[0..3]. */
GI_HOSTDEV void gi_law_block(const gi_law *law, const uint32_t x[4],
                             float out[4])
{
    if (law->kind == GI_LAW_NORMAL) {
        float z[4];
        gi_box_muller(x[0], x[1], &z[0], &z[1]);
        gi_box_muller(x[2], x[3], &z[2], &z[3]);
        for (int k = 0; k < 4; ++k)
            out[k] = z[k] * law->p1 + law->p0;
        return;
    }
    for (int k = 0; k < 4; ++k) {
        float v = gi_unit_closed_open(x[k]) * law->p1 + law->p0;
        out[k] = v < law->p2 ? v : law->p2;
    }
}

/* Elementwise maps: x -> f(x), one per in-place operation. */
typedef enum gi_map_kind {
    GI_MAP_FILL = 0,       /* a */
    GI_MAP_ADD = 1,        /* x + a */
    GI_MAP_MUL = 2,        /* x * a */
    GI_MAP_CLAMP = 3,      /* min(max(x, a), b); NaN stays NaN */
    GI_MAP_MASKED_FILL = 4, /* cmp(x, a) ? b : x */
    GI_MAP_MUL_MASK = 5,    /* x * (cmp(x, a) ? 1 : 0), signs and NaN kept */
    GI_MAP_RELU = 6,        /* x < 0 ? 0 : x (torch.relu: -0 and NaN kept) */
    GI_MAP_ADD_SCALED = 7,  /* x + a * y, y from a second tensor */
    GI_MAP_MUL_BY = 8,      /* x * y, y from a second tensor */
    GI_MAP_RELU_OF = 9      /* relu(y): out-of-place ReLU into x */
} gi_map_kind;

typedef struct gi_map {
    int kind;
    int cmp; /* gi_compare, for the masked maps */
    float a, b;
} gi_map;

GI_HOSTDEV int gi_compare_holds(int cmp, float x, float a)
{
    if (cmp >= 6) { /* the GI_ABS_ forms */
        x = x < 0.0f ? -x : x;
        cmp -= 6;
    }
    switch (cmp) {
    case 0: return x < a;
    case 1: return x <= a;
    case 2: return x > a;
    case 3: return x >= a;
    case 4: return x == a;
    default: return x != a;
    }
}

/* y is the matching element of the second tensor for the binary maps. */
GI_HOSTDEV float gi_map_apply2(const gi_map *m, float x, float y)
{
    switch (m->kind) {
    case GI_MAP_ADD_SCALED: return x + m->a * y;
    case GI_MAP_MUL_BY: return x * y;
    default: return y < 0.0f ? 0.0f : y;
    }
}

GI_HOSTDEV float gi_map_apply(const gi_map *m, float x)
{
    switch (m->kind) {
    case GI_MAP_FILL: return m->a;
    case GI_MAP_ADD: return x + m->a;
    case GI_MAP_MUL: return x * m->a;
    case GI_MAP_CLAMP: return x < m->a ? m->a : (x > m->b ? m->b : x);
    case GI_MAP_MASKED_FILL: return gi_compare_holds(m->cmp, x, m->a) ? m->b : x;
    case GI_MAP_RELU: return x < 0.0f ? 0.0f : x;
    default: return x * (gi_compare_holds(m->cmp, x, m->a) ? 1.0f : 0.0f);
    }
}

#endif
