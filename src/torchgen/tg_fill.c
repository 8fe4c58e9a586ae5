/*
 * PyTorch's uniform_ and the double normal path, over runs of the
 * twister's words so that each run is one loop the compiler vectorizes.
 */
#include <math.h>

#include "torchgen/torchgen.h"

int gi_tg_has_fma(void)
{
#if GI_TG_FMA_COPY
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* PyTorch's uniform_real_distribution<float>: the low 24 bits, exactly
 * scaled; then x * range + from, fused by its AVX2 build only. */
static GI_TG_INLINE void uniform_run(const uint32_t *w, int k, float *out,
                                     float from, float range, int fused)
{
    for (int i = 0; i < k; ++i) {
        float x = (float)(gi_tg_temper(w[i]) & 0xFFFFFFu) * 0x1p-24f;
        out[i] = fused ? fmaf(x, range, from) : x * range + from;
    }
}

static GI_TG_INLINE void uniform_all(gi_tg_state *g, float *out, int64_t n,
                                     float from, float range, int fused)
{
    const uint32_t *w;
    for (int64_t i = 0, k; i < n; i += k) {
        k = gi_tg_take(g, n - i, &w);
        uniform_run(w, (int)k, out + i, from, range, fused);
    }
}

static void uniform_base(gi_tg_state *g, float *out, int64_t n, float from,
                         float range, int fused)
{
    uniform_all(g, out, n, from, range, fused);
}

#if GI_TG_FMA_COPY
GI_TG_FMA_TARGET static void uniform_fma(gi_tg_state *g, float *out,
                                         int64_t n, float from, float range,
                                         int fused)
{
    uniform_all(g, out, n, from, range, fused);
}
#endif

void gi_tg_uniform(gi_tg_state *g, float *out, int64_t n, double from,
                   double to, gi_tg_kernels k)
{
    const float lo = (float)from, range = (float)to - lo;
    const int fused = k == GI_TG_AVX2;
#if GI_TG_FMA_COPY
    if (gi_tg_has_fma()) {
        uniform_fma(g, out, n, lo, range, fused);
        return;
    }
#endif
    uniform_base(g, out, n, lo, range, fused);
}

/* uniform_real_distribution<double>(0, 1): 53 bits of a 64-bit draw. */
static double uniform53(gi_tg_state *g)
{
    return (double)(gi_tg_next64(g) & ((UINT64_C(1) << 53) - 1)) * 0x1p-53;
}

/* normal_distribution<double>: the cosine half now, the sine half cached
 * for the next element, both before mean and std. */
static double box_muller_double(gi_tg_state *g)
{
    if (g->has_normal) {
        g->has_normal = 0;
        return g->normal;
    }
    const double u1 = uniform53(g), u2 = uniform53(g);
    const double r = sqrt(-2.0 * log(1.0 - u2));
    const double theta = 2.0 * 3.14159265358979323846 * u1;
    g->normal = r * sin(theta);
    g->has_normal = 1;
    return r * cos(theta);
}

void gi_tg_normal_double(gi_tg_state *g, float *out, int64_t n,
                         double mean, double std, gi_tg_kernels k)
{
    for (int64_t i = 0; i < n; ++i) {
        const double v = box_muller_double(g);
        out[i] = (float)(k == GI_TG_AVX2 ? fma(v, std, mean)
                                         : v * std + mean);
    }
}

void gi_tg_normal(gi_tg_state *g, float *out, int64_t n, double mean,
                  double std, gi_tg_kernels k, int threads)
{
    if (n >= 16)
        gi_tg_normal16(g, out, n, (float)mean, (float)std, k, threads);
    else
        gi_tg_normal_double(g, out, n, mean, std, k);
}
