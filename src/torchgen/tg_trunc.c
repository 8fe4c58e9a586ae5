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
static float madd(float p, float z, float q, int fused)
{
    return fused ? fmaf(p, z, q) : p * z + q;
}

/* ATen's calc_erfinv<float>: a rational first guess (Pavlis's, in float
 * coefficients) and two Newton steps with erff and expf. ATen runs it
 * element by element in both builds (its vector form maps the scalar
 * one), but the AVX2 build's compiler contracts the polynomials' steps
 * into fused multiply-adds. */
static float erfinv_float(float y, int fused)
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

void gi_tg_trunc_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                        double std, double a, double b, gi_tg_kernels k)
{
    const double l = norm_cdf((a - mean) / std);
    const double u = norm_cdf((b - mean) / std);
    gi_tg_uniform(g, out, n, 2.0 * l - 1.0, 2.0 * u - 1.0, k);
    /* mul_, add_ and clamp_ take their Python floats as float */
    const float scale = (float)(std * sqrt(2.0)), shift = (float)mean;
    const float lo = (float)a, hi = (float)b;
    for (int64_t i = 0; i < n; ++i) {
        float v = erfinv_float(out[i], k == GI_TG_AVX2) * scale + shift;
        out[i] = fminf(fmaxf(v, lo), hi);
    }
}
