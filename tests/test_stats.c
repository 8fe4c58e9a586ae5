/*
 * Statistics of the random laws against their exact distributions, at fixed
 * seeds (so never flaky). Thresholds: with n = 2^20 samples the
 * Kolmogorov-Smirnov distance of a correct sampler exceeds 1.95 / sqrt(n)
 * with probability 0.001; sample moments are held to 5 standard errors.
 */
#include <math.h>

#include "test_helpers.h"

#define N (1 << 20)

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* sup |F_n(x) - F(x)| over the sorted sample. */
static double ks_distance(float *v, size_t n, double (*cdf)(double, const double *),
                          const double *p)
{
    qsort(v, n, sizeof *v, cmp_float);
    double d = 0.0;
    for (size_t i = 0; i < n; ++i) {
        double f = cdf((double)v[i], p);
        d = fmax(d, fmax(fabs((double)(i + 1) / n - f), fabs(f - (double)i / n)));
    }
    return d;
}

static double uniform_cdf(double x, const double *p)
{
    return fmin(1.0, fmax(0.0, (x - p[0]) / (p[1] - p[0])));
}

static double normal_cdf(double x, const double *p)
{
    return 0.5 * erfc(-(x - p[0]) / (p[1] * sqrt(2.0)));
}

static void moments(const float *v, size_t n, double *mean, double *var)
{
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += v[i];
    *mean = s / n;
    for (size_t i = 0; i < n; ++i)
        ss += (v[i] - *mean) * (v[i] - *mean);
    *var = ss / (n - 1);
}

static float *sample(int law, float p0, float p1, uint64_t seed)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, N);
    gi_manual_seed(ctx, seed);
    cr_assert_eq(law ? gi_normal_(t, p0, p1, NULL) : gi_uniform_(t, p0, p1, NULL),
                 GI_OK);
    float *h = to_host(t);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
    return h;
}

static const double KS_LIMIT = 1.95 / 1024.0; /* 1.95 / sqrt(2^20) */

Test(stats, uniform_matches_its_distribution)
{
    const float cases[][2] = {{0, 1}, {-10, 10}, {5, 10}};
    const uint64_t seeds[] = {0, 1, 2024};
    for (int c = 0; c < 3; ++c)
        for (int s = 0; s < 3; ++s) {
            float *v = sample(0, cases[c][0], cases[c][1], seeds[s]);
            double a = cases[c][0], b = cases[c][1], mean, var;
            moments(v, N, &mean, &var);
            double mu = (a + b) / 2, sigma2 = (b - a) * (b - a) / 12;
            cr_expect_leq(fabs(mean - mu), 5 * sqrt(sigma2 / N),
                          "case %d seed %d: mean %g", c, s, mean);
            /* var of the sample variance of U: sigma^4 * 0.8 / n */
            cr_expect_leq(fabs(var - sigma2), 5 * sigma2 * sqrt(0.8 / N),
                          "case %d seed %d: var %g", c, s, var);
            const double p[2] = {a, b};
            double d = ks_distance(v, N, uniform_cdf, p);
            cr_expect_leq(d, KS_LIMIT, "case %d seed %d: KS %g", c, s, d);
            free(v);
        }
}

Test(stats, normal_matches_its_distribution)
{
    const float cases[][2] = {{0, 1}, {0, 0.01f}, {42, 3}};
    const uint64_t seeds[] = {0, 1, 2024};
    for (int c = 0; c < 3; ++c)
        for (int s = 0; s < 3; ++s) {
            float *v = sample(1, cases[c][0], cases[c][1], seeds[s]);
            double mu = cases[c][0], sd = cases[c][1], mean, var;
            moments(v, N, &mean, &var);
            cr_expect_leq(fabs(mean - mu), 5 * sd / sqrt(N),
                          "case %d seed %d: mean %g", c, s, mean);
            /* var of the sample variance of N: 2 sigma^4 / (n - 1) */
            cr_expect_leq(fabs(var - sd * sd), 5 * sd * sd * sqrt(2.0 / N),
                          "case %d seed %d: var %g", c, s, var);
            const double p[2] = {mu, sd};
            double d = ks_distance(v, N, normal_cdf, p);
            cr_expect_leq(d, KS_LIMIT, "case %d seed %d: KS %g", c, s, d);
            free(v);
        }
}

Test(stats, normal_tails_have_the_right_mass)
{
    /* P(|z| > 3) = 0.0026998, P(|z| > 4) = 6.334e-5; counts held to 5
     * binomial standard deviations. */
    float *v = sample(1, 0, 1, 77);
    size_t beyond3 = 0, beyond4 = 0;
    for (size_t i = 0; i < N; ++i) {
        beyond3 += fabsf(v[i]) > 3.0f;
        beyond4 += fabsf(v[i]) > 4.0f;
    }
    const double p3 = 0.0026997960632601866, p4 = 6.334248366623996e-05;
    cr_expect_leq(fabs(beyond3 - N * p3), 5 * sqrt(N * p3), "%zu", beyond3);
    cr_expect_leq(fabs(beyond4 - N * p4), 5 * sqrt(N * p4), "%zu", beyond4);
    free(v);
}
