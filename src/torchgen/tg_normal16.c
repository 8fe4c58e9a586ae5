/*
 * PyTorch's float normal_ on 16 or more contiguous elements: uniforms
 * first, then Box-Muller on each block of 16 (lanes j and j + 8 of a
 * block are one pair). The AVX2 build's logarithm, sine and cosine are
 * Cephes' single-precision polynomials, evaluated as GCC compiles
 * PyTorch's intrinsics: a multiply whose only use is an add is fused
 * into it. That puts fmaf() below in the polynomials' Horner steps, the
 * three-part range reduction of the angle, and log's last terms; tests
 * replay PyTorch's own outputs on every input of each function.
 */
#include <math.h>
#include <string.h>

#include "torchgen/torchgen.h"

/* 2 * pi as a double, then rounded to float, as PyTorch's kernels take it */
#define TWO_PI_D (2.0 * 3.14159265358979323846)

/* Cephes' constants, written as PyTorch writes them: doubles stored into
 * floats. */
static const float SQRTHF = 0.707106781186547524;
static const float LOG_P[9] = {
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
    1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
    3.3333331174E-1};
static const float LOG_Q1 = -2.12194440e-4, LOG_Q2 = 0.693359375;
static const float FOPI = 1.27323954473516; /* 4 / pi */
static const float DP1 = -0.78515625, DP2 = -2.4187564849853515625e-4,
                   DP3 = -3.77489497744594108e-8;
static const float SIN_P0 = -1.9515295891E-4, SIN_P1 = 8.3321608736E-3,
                   SIN_P2 = -1.6666654611E-1;
static const float COS_P0 = 2.443315711809948E-005,
                   COS_P1 = -1.388731625493765E-003,
                   COS_P2 = 4.166664568298827E-002;

static GI_TG_INLINE uint32_t bits_of(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static GI_TG_INLINE float float_of(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* ln x for x in [2^-24, 1], what 1 - uniform takes: x = m * 2^e with m in
 * [sqrt(1/2), sqrt(2)), ln x = e ln 2 + ln m, ln 2 in two parts. */
static GI_TG_INLINE float cephes_log(float x)
{
    const uint32_t bits = bits_of(x);
    const float m = float_of((bits & 0x807fffffu) | 0x3f000000u);
    const int low = m < SQRTHF;
    const float e = (float)((int32_t)(bits >> 23) - 127) + 1.0f -
                    (low ? 1.0f : 0.0f);
    const float f = (m - 1.0f) + (low ? m : 0.0f);
    const float z = f * f;
    float y = fmaf(fmaf(fmaf(LOG_P[0], f, LOG_P[1]), f, LOG_P[2]), f,
                   LOG_P[3]);
    y = fmaf(fmaf(fmaf(y, f, LOG_P[4]), f, LOG_P[5]), f, LOG_P[6]);
    y = fmaf(fmaf(y, f, LOG_P[7]), f, LOG_P[8]);
    y = fmaf(y * f, z, e * LOG_Q1);
    y = y - z * 0.5f;
    return fmaf(e, LOG_Q2, f + y);
}

/* sin and cos of x >= 0 (the angle 2 pi u2): x less the nearest even
 * multiple j of pi/4, then the polynomial each octant needs, its sign. */
static GI_TG_INLINE void cephes_sincos(float x, float *s, float *c)
{
    const int32_t j = ((int32_t)(x * FOPI) + 1) & ~1;
    const float q = (float)j;
    const uint32_t sin_sign = (uint32_t)(j & 4) << 29;
    const uint32_t cos_sign = (uint32_t)(~(j - 2) & 4) << 29;
    const int sine_poly = (j & 2) == 0;
    x = fmaf(q, DP1, x);
    x = fmaf(q, DP2, x);
    x = fmaf(q, DP3, x);
    const float z = x * x;
    float yc = fmaf(fmaf(COS_P0, z, COS_P1), z, COS_P2) * z;
    yc = fmaf(yc, z, -(z * 0.5f)) + 1.0f;
    float ys = fmaf(fmaf(SIN_P0, z, SIN_P1), z, SIN_P2) * z;
    ys = fmaf(ys, x, x);
    /* PyTorch picks by masking one term to +0 and adding: kept, for its
     * signs of zero. */
    const float s2 = sine_poly ? ys : 0.0f, s1 = sine_poly ? 0.0f : yc;
    *s = float_of(bits_of(s1 + s2) ^ sin_sign);
    *c = float_of(bits_of((yc - s1) + (ys - s2)) ^ cos_sign);
}

static GI_TG_INLINE void block_avx2(float *d, float mean, float std)
{
    for (int j = 0; j < 8; ++j) {
        const float r = sqrtf(-2.0f * cephes_log(1.0f - d[j]));
        float s, c;
        cephes_sincos((float)TWO_PI_D * d[j + 8], &s, &c);
        d[j] = fmaf(r * c, std, mean);
        d[j + 8] = fmaf(r * s, std, mean);
    }
}

static GI_TG_INLINE void blocks_avx2(float *d, int64_t blocks, float mean,
                                     float std)
{
    for (int64_t b = 0; b < blocks; ++b)
        block_avx2(d + 16 * b, mean, std);
}

static void blocks_avx2_base(float *d, int64_t blocks, float mean,
                             float std)
{
    blocks_avx2(d, blocks, mean, std);
}

#if GI_TG_FMA_COPY
GI_TG_FMA_TARGET static void blocks_avx2_fma(float *d, int64_t blocks,
                                             float mean, float std)
{
    blocks_avx2(d, blocks, mean, std);
}
#endif

/* The default build: libm's float functions, the angle in double. */
static void blocks_default(float *d, int64_t blocks, float mean, float std)
{
    for (int64_t b = 0; b < blocks; ++b, d += 16) {
        for (int j = 0; j < 8; ++j) {
            const float r = sqrtf(-2.0f * logf(1.0f - d[j]));
            const float theta = (float)(TWO_PI_D * d[j + 8]);
            d[j] = r * cosf(theta) * std + mean;
            d[j + 8] = r * sinf(theta) * std + mean;
        }
    }
}

static void blocks(float *d, int64_t blocks, float mean, float std,
                   gi_tg_kernels k)
{
    if (k == GI_TG_DEFAULT)
        blocks_default(d, blocks, mean, std);
#if GI_TG_FMA_COPY
    else if (gi_tg_has_fma())
        blocks_avx2_fma(d, blocks, mean, std);
#endif
    else
        blocks_avx2_base(d, blocks, mean, std);
}

/* blocks() on threads, in runs of 1024 blocks. */
static void blocks_on(float *d, int64_t nb, float mean, float std,
                      gi_tg_kernels k, int threads)
{
    const int64_t run = 1024;
    if (threads <= 1 || 16 * nb < GI_TG_PARALLEL_MIN) {
        blocks(d, nb, mean, std, k);
        return;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t b = 0; b < nb; b += run)
        blocks(d + 16 * b, nb - b < run ? nb - b : run, mean, std, k);
}

void gi_tg_normal16(gi_tg_state *g, float *out, int64_t n, float mean,
                    float std, gi_tg_kernels k, int threads)
{
    gi_tg_uniform(g, out, n, 0.0, 1.0, k);
    blocks_on(out, n / 16, mean, std, k, threads);
    if (n % 16 != 0) {
        /* PyTorch redraws the last 16 and recomputes them as a block. */
        gi_tg_uniform(g, out + n - 16, 16, 0.0, 1.0, k);
        blocks(out + n - 16, 1, mean, std, k);
    }
}
