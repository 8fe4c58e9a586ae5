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

/* Sample variance of t against the formula's, held to 5 standard errors
 * (kurtosis 1.8 for uniform, 3 for normal). */
static void expect_variance(gi_tensor t, double want, int uniform,
                            const char *what)
{
    float *h = to_host(t);
    size_t n = (size_t)gi_tensor_numel(t);
    double mean, var;
    moments(h, n, &mean, &var);
    double kurt = uniform ? 1.8 : 3.0;
    double se = want * sqrt((kurt - 1.0) / n);
    cr_expect_leq(fabs(var - want), 5 * se, "%s: variance %g, formula %g",
                  what, var, want);
    free(h);
}

Test(stats, fan_based_variances_for_2d_and_4d_weights)
{
    gi_context ctx = cpu_context();
    const int64_t lin[] = {512, 256}, conv[] = {64, 32, 5, 5};
    gi_tensor ts[2] = {new_tensor(ctx, 2, lin), new_tensor(ctx, 4, conv)};
    const double fin[2] = {256, 800}, fout[2] = {512, 1600};
    const gi_nonlinearity nls[] = {GI_NONLIN_RELU, GI_NONLIN_LEAKY_RELU,
                                   GI_NONLIN_TANH, GI_NONLIN_LINEAR,
                                   GI_NONLIN_SELU};
    const double gains[] = {sqrt(2.0), sqrt(2.0 / (1.0 + 0.2 * 0.2)), 5.0 / 3.0,
                            1.0, 0.75};
    for (int s = 0; s < 2; ++s) {
        double xv = 2.0 / (fin[s] + fout[s]);
        cr_assert_eq(gi_xavier_uniform_(ts[s], 1.0f, NULL), GI_OK);
        expect_variance(ts[s], xv, 1, "xavier_uniform_");
        cr_assert_eq(gi_xavier_normal_(ts[s], 1.0f, NULL), GI_OK);
        expect_variance(ts[s], xv, 0, "xavier_normal_");
        for (int k = 0; k < 5; ++k)
            for (int mode = 0; mode < 2; ++mode) {
                double fan = mode ? fout[s] : fin[s];
                double v = gains[k] * gains[k] / fan;
                gi_fan_mode m = mode ? GI_FAN_OUT : GI_FAN_IN;
                cr_assert_eq(gi_kaiming_uniform_(ts[s], 0.2f, m, nls[k], NULL),
                             GI_OK);
                expect_variance(ts[s], v, 1, gi_nonlinearity_name(nls[k]));
                cr_assert_eq(gi_kaiming_normal_(ts[s], 0.2f, m, nls[k], NULL),
                             GI_OK);
                expect_variance(ts[s], v, 0, gi_nonlinearity_name(nls[k]));
            }
        /* Variance scaling: the truncated normal's correction restores the
         * variance scale / fan (kurtosis of N cut at 2 sd: 2.36). */
        cr_assert_eq(gi_variance_scaling_(ts[s], 2.0f, GI_FAN_AVG,
                                          GI_DIST_TRUNCATED_NORMAL, NULL), GI_OK);
        expect_variance(ts[s], 2.0 / ((fin[s] + fout[s]) / 2), 0,
                        "variance_scaling_ truncated");
        cr_assert_eq(gi_variance_scaling_(ts[s], 2.0f, GI_FAN_OUT,
                                          GI_DIST_UNIFORM, NULL), GI_OK);
        expect_variance(ts[s], 2.0 / fout[s], 1, "variance_scaling_ uniform");
    }
    gi_tensor_destroy(ts[0]);
    gi_tensor_destroy(ts[1]);
    gi_context_destroy(ctx);
}

/* CDF of N(mu, sd^2) conditioned on [a, b], in double. */
static double trunc_cdf(double x, const double *p)
{
    double lo = normal_cdf(p[2], p), hi = normal_cdf(p[3], p);
    return fmin(1.0, fmax(0.0, (normal_cdf(x, p) - lo) / (hi - lo)));
}

static double upper_tail_ks(float *v, size_t n, const double *p)
{
    /* Far in the upper tail the CDF above loses all precision in double;
     * measure there with survival functions instead. */
    qsort(v, n, sizeof *v, cmp_float);
    double qa = 0.5 * erfc((p[2] - p[0]) / (p[1] * sqrt(2.0)));
    double qb = 0.5 * erfc((p[3] - p[0]) / (p[1] * sqrt(2.0)));
    double d = 0.0;
    for (size_t i = 0; i < n; ++i) {
        double qx = 0.5 * erfc(((double)v[i] - p[0]) / (p[1] * sqrt(2.0)));
        double f = (qa - qx) / (qa - qb);
        d = fmax(d, fmax(fabs((double)(i + 1) / n - f), fabs(f - (double)i / n)));
    }
    return d;
}

Test(stats, trunc_normal_matches_the_truncated_distribution)
{
    const double cases[][4] = {{0, 1, -2, 2},  {0, 1, 5, 8},   {0, 1, -8, -5},
                               {3, 0.5, 3, 1e30}, {1, 2, -1, 0}, {0, 1, -0.1, 9}};
    for (int c = 0; c < 6; ++c) {
        gi_context ctx = cpu_context();
        gi_tensor t = new_vector(ctx, N);
        gi_manual_seed(ctx, 100 + c);
        cr_assert_eq(gi_trunc_normal_(t, (float)cases[c][0], (float)cases[c][1],
                                      (float)cases[c][2], (float)cases[c][3],
                                      NULL), GI_OK);
        float *h = to_host(t);
        double d = cases[c][2] > cases[c][0]
                       ? upper_tail_ks(h, N, cases[c])
                       : ks_distance(h, N, trunc_cdf, cases[c]);
        cr_expect_leq(d, KS_LIMIT, "case %d: KS %g", c, d);
        free(h);
        gi_tensor_destroy(t);
        gi_context_destroy(ctx);
    }
}

Test(stats, mixture_components_follow_their_laws)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, N);
    const gi_component normal_only[] = {{1.0f, GI_COMPONENT_NORMAL, 2, 3}};
    cr_assert_eq(gi_mixture_(t, 1, normal_only, NULL), GI_OK);
    float *h = to_host(t);
    const double p[2] = {2, 3};
    double d = ks_distance(h, N, normal_cdf, p);
    cr_expect_leq(d, KS_LIMIT, "normal by inversion: KS %g", d);
    free(h);
    const gi_component uniform_only[] = {{1.0f, GI_COMPONENT_UNIFORM, -1, 4}};
    cr_assert_eq(gi_mixture_(t, 1, uniform_only, NULL), GI_OK);
    h = to_host(t);
    const double q[2] = {-1, 4};
    d = ks_distance(h, N, uniform_cdf, q);
    cr_expect_leq(d, KS_LIMIT, "uniform component: KS %g", d);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

Test(stats, sparse_keeps_normal_values_off_the_zeros)
{
    gi_context ctx = cpu_context();
    const int64_t shape[] = {1024, 2048};
    gi_tensor t = new_tensor(ctx, 2, shape);
    cr_assert_eq(gi_sparse_(t, 0.3f, 0.5f, NULL), GI_OK);
    float *h = to_host(t);
    size_t n = 0;
    for (size_t i = 0; i < (size_t)N * 2; ++i)
        if (h[i] != 0.0f)
            h[n++] = h[i];
    cr_expect_eq(n, (size_t)(1024 - 308) * 2048, "ceil(0.3 * 1024) = 308 zeros");
    const double p[2] = {0, 0.5};
    double d = ks_distance(h, n, normal_cdf, p);
    cr_expect_leq(d, 1.95 / sqrt((double)n), "KS %g", d);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
