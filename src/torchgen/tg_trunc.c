/*
 * PyTorch's trunc_normal_ on float32 (torch/nn/init.py up to 2.11):
 * uniform_ between the interval's ends mapped by the distribution
 * function onto (-1, 1), then erfinv_, mul_, add_ and clamp_, each a
 * float kernel of its own.
 */
#include <math.h>

#include "torchgen/torchgen.h"

/* Python's norm_cdf, in double as math.erf computes it. */
static double norm_cdf(double x)
{
    return (1.0 + erf(x / sqrt(2.0))) / 2.0;
}

/* p * z + q, as the AVX2 build's compiler contracts it or not. */
static GI_TG_INLINE float madd(float p, float z, float q, int fused)
{
    return fused ? fmaf(p, z, q) : p * z + q;
}

/* ATen's calc_erfinv<float>: a rational first guess (Pavlis's, in float
 * coefficients) and two Newton steps with erff and expf. ATen runs it
 * element by element in both builds (its vector form maps the scalar
 * one), but the AVX2 build's compiler contracts the polynomials' steps
 * into fused multiply-adds. */
static GI_TG_INLINE float erfinv_float(float y, int fused)
{
    static const float a[4] = {0.886226899f, -1.645349621f, 0.914624893f,
                               -0.140543331f};
    static const float b[4] = {-2.118377725f, 1.442710462f, -0.329097515f,
                               0.012229801f};
    static const float c[4] = {-1.970840454f, -1.624906493f, 3.429567803f,
                               1.641345311f};
    static const float d[2] = {3.543889200f, 1.637067800f};
    const float y_abs = fabsf(y);
    if (y_abs > 1.0f)
        return NAN;
    if (y_abs == 1.0f)
        return copysignf(INFINITY, y);
    float x;
    if (y_abs <= 0.7f) {
        const float z = y * y;
        float num = madd(a[3], z, a[2], fused);
        num = madd(madd(num, z, a[1], fused), z, a[0], fused);
        float dem = madd(b[3], z, b[2], fused);
        dem = madd(madd(dem, z, b[1], fused), z, b[0], fused);
        x = y * num / madd(dem, z, 1.0f, fused);
    } else {
        const float z = sqrtf(-logf((1.0f - y_abs) / 2.0f));
        float num = madd(c[3], z, c[2], fused);
        num = madd(madd(num, z, c[1], fused), z, c[0], fused);
        const float dem = madd(madd(d[1], z, d[0], fused), z, 1.0f, fused);
        x = copysignf(num, y) / dem;
    }
    /* 1.13 writes 2 / sqrt(pi) as 2.0f / float(sqrt(pi)) */
    const float k = 2.0f / (float)sqrt(3.14159265358979323846);
    for (int step = 0; step < 2; ++step)
        x = x - (erff(x) - y) / (k * expf(-x * x));
    return x;
}

/* erfinv_, then mul_, add_ and clamp_ with float scalars. */
typedef struct {
    float scale, shift, lo, hi;
    int fused;
} inverse_args;

static GI_TG_INLINE void inverse_run(float *x, int64_t n,
                                     const inverse_args *r)
{
    for (int64_t i = 0; i < n; ++i) {
        float v = erfinv_float(x[i], r->fused) * r->scale + r->shift;
        x[i] = fminf(fmaxf(v, r->lo), r->hi);
    }
}

static void inverse_base(float *x, int64_t n, const inverse_args *r)
{
    inverse_run(x, n, r);
}

#if GI_TG_FMA_COPY
/* The same loop where fmaf is one instruction rather than a call. */
GI_TG_FMA_TARGET static void inverse_fma(float *x, int64_t n,
                                         const inverse_args *r)
{
    inverse_run(x, n, r);
}
#endif

static void inverse(float *x, int64_t n, const inverse_args *r)
{
#if GI_TG_FMA_COPY
    if (gi_tg_has_fma()) {
        inverse_fma(x, n, r);
        return;
    }
#endif
    inverse_base(x, n, r);
}

void gi_tg_trunc_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                        double std, double a, double b, gi_tg_kernels k,
                        int threads)
{
    const double l = norm_cdf((a - mean) / std);
    const double u = norm_cdf((b - mean) / std);
    gi_tg_uniform(g, out, n, 2.0 * l - 1.0, 2.0 * u - 1.0, k);
    /* mul_, add_ and clamp_ take their Python floats as float */
    const inverse_args r = {(float)(std * sqrt(2.0)), (float)mean,
                            (float)a, (float)b, k == GI_TG_AVX2};
    if (n < GI_TG_PARALLEL_MIN)
        threads = 1;
    const int64_t run = 4096;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; i += run)
        inverse(out + i, n - i < run ? n - i : run, &r);
}

/* ---- PyTorch 2.12 and later: rejection ---- */

int64_t gi_tg_trunc_rejection_words(int64_t n)
{
    return n + (n + 3) / 4; /* a float and a flag per element */
}

int gi_tg_trunc_rejection_uses_uniform(double mean, double std, double a,
                                       double b)
{
    return !(norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3);
}

/* P(za <= Z <= zb) without cancellation in either tail. */
static double mass(double za, double zb)
{
    const double r = 1.0 / sqrt(2.0);
    if (za > 0.0)
        return 0.5 * (erfc(za * r) - erfc(zb * r));
    if (zb < 0.0)
        return 0.5 * (erfc(-zb * r) - erfc(-za * r));
    return 1.0 - 0.5 * (erfc(-za * r) + erfc(zb * r));
}

double gi_tg_trunc_rejection_rate(double mean, double std, double a,
                                  double b)
{
    const double za = (a - mean) / std, zb = (b - mean) / std;
    const double zm = fmax(za, fmin(0.0, zb)); /* the mode's */
    const double two_pi = 6.283185307179586;
    const double box = (zb - za) * exp(-0.5 * zm * zm) / sqrt(two_pi);
    return mass(za, zb) / box;
}

static int outside(float v, float lo, float hi)
{
    return v < lo || v > hi;
}

/* Wide intervals: normal_ on everything, then normal_ on a whole tensor's
 * worth again for as long as any value is outside [a, b] (as float), each
 * outside value taking the new value at its place. */
static void by_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                      double std, float lo, float hi, float *fresh,
                      gi_tg_kernels k, int threads)
{
    gi_tg_normal(g, out, n, mean, std, k, threads);
    for (;;) {
        int64_t i = 0;
        while (i < n && !outside(out[i], lo, hi))
            ++i;
        if (i == n)
            return;
        gi_tg_normal(g, fresh, n, mean, std, k, threads);
        for (; i < n; ++i)
            if (outside(out[i], lo, hi))
                out[i] = fresh[i];
    }
}

/* The log density ratio PyTorch compares with: sub_, div_, pow_(2),
 * mul_(-0.5) and sub_ of float scalars, one rounding each. */
static float log_ratio(float x, float mean, float std, float log_peak)
{
    const float z = (x - mean) / std;
    const float sq = z * z;
    return sq * -0.5f - log_peak;
}

typedef struct {
    float mean, std, log_peak;
} ratio_args;

/* log_() of a float: PyTorch's x86 builds take it from MKL, whose result
 * is within an ulp but not always the nearest float, and may depend on
 * the processor; the nearest float (the double log rounded once) is the
 * result closest to it that does not. */
static float log_float(float u)
{
    return (float)log((double)u);
}

/* pending[i] &&= log(uniform_()) > ratio(c[i]) over n fresh uniforms in
 * memory order (drawn in slices: the twister is serial, so slices draw
 * what one uniform_ of n does); all when `all`. Returns whether any is
 * still pending. */
static int accept(gi_tg_state *g, const float *c, unsigned char *pending,
                  int64_t n, const ratio_args *r, int all, gi_tg_kernels k)
{
    float u[256];
    int any = 0;
    for (int64_t s = 0; s < n; s += 256) {
        const int m = (int)(n - s < 256 ? n - s : 256);
        gi_tg_uniform(g, u, m, 0.0, 1.0, k);
        for (int j = 0; j < m; ++j) {
            unsigned char *p = &pending[s + j];
            if (all || *p)
                *p = log_float(u[j]) > log_ratio(c[s + j], r->mean, r->std,
                                                 r->log_peak);
            any |= *p;
        }
    }
    return any;
}

/* Narrow intervals: uniform_(a, b) candidates, each accepted when the log
 * of a fresh uniform_() is at most its log density ratio to the mode's;
 * then, while any is pending, a whole tensor of new candidates and of
 * uniforms, the pending places taking theirs. */
static void by_uniform(gi_tg_state *g, float *out, int64_t n, double mean,
                       double std, double a, double b, float *cand,
                       unsigned char *pending, gi_tg_kernels k)
{
    const double mode = fmax(a, fmin(mean, b));
    const double z = (mode - mean) / std;
    const ratio_args r = {(float)mean, (float)std, (float)(-0.5 * (z * z))};
    gi_tg_uniform(g, out, n, a, b, k);
    if (!accept(g, out, pending, n, &r, 1, k))
        return;
    do {
        gi_tg_uniform(g, cand, n, a, b, k);
        for (int64_t i = 0; i < n; ++i)
            if (pending[i])
                out[i] = cand[i];
    } while (accept(g, cand, pending, n, &r, 0, k));
}

void gi_tg_trunc_rejection(gi_tg_state *g, float *out, int64_t n,
                           double mean, double std, double a, double b,
                           uint32_t *work, gi_tg_kernels k, int threads)
{
    float *floats = (float *)work;
    if (gi_tg_trunc_rejection_uses_uniform(mean, std, a, b))
        by_uniform(g, out, n, mean, std, a, b, floats,
                   (unsigned char *)(floats + n), k);
    else
        by_normal(g, out, n, mean, std, (float)a, (float)b, floats, k,
                  threads);
}
