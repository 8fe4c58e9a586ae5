/*
 * trunc_normal_ over every interval of probability at least 1e-35: narrow
 * ones (where the probabilities of the bounds agree to many digits), far
 * tails and the ordinary ones. The exact law comes from the test's own
 * probability of an interval, computed without cancellation: Gauss-Legendre
 * quadrature of the density over narrow intervals, complementary error
 * functions in the tail an interval lies in otherwise. Samples are compared
 * with the exact law rounded to float (each value stands for the reals that
 * round to it), so that intervals holding few floats are judged fairly; at
 * fixed seeds, never flaky.
 */
#include <float.h>
#include <math.h>

#include "test_helpers.h"

/* Gauss-Legendre, 8 nodes on [-1, 1] (nodes +-x, weights w). */
static const double GL_X[4] = {0.1834346424956498, 0.5255324099163290,
                               0.7966664774136267, 0.9602898564975363};
static const double GL_W[4] = {0.3626837833783620, 0.3137066458778873,
                               0.2223810344533745, 0.1012285362903763};

/* The integral of exp(-z1 t - t^2 / 2) over t in [0, w]: the density of
 * [z1, z1 + w] relative to its value at z1. */
static double relative_mass(double z1, double w)
{
    double sum = 0.0;
    for (int k = 0; k < 4; ++k)
        for (int sign = -1; sign <= 1; sign += 2) {
            double t = 0.5 * w * (1.0 + sign * GL_X[k]);
            sum += GL_W[k] * exp(-z1 * t - 0.5 * t * t);
        }
    return 0.5 * w * sum;
}

static double phi(double z)
{
    return exp(-0.5 * z * z) / 2.5066282746310002; /* sqrt(2 pi) */
}

static double lower(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }
static double upper(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

/* Standard normal probability of [z1, z2], w = z2 - z1 computed by the
 * caller from the unstandardized bounds (so without cancellation). Where
 * the log density changes by at most 1/2 across the interval, 8 nodes are
 * exact to double precision; elsewhere the two tail probabilities differ
 * by a quarter of the larger at least. */
static double interval_mass(double z1, double z2, double w)
{
    if (isfinite(w) && w * (1.0 + fabs(z1) + w) <= 0.5)
        return phi(z1) * relative_mass(z1, w);
    if (z1 >= 0.0)
        return upper(z1) - upper(z2);
    if (z2 <= 0.0)
        return lower(z2) - lower(z1);
    return 0.5 * (erf(-z1 / sqrt(2.0)) + erf(z2 / sqrt(2.0)));
}

typedef struct interval {
    double mean, std, a, b; /* the float arguments, widened */
} interval;

static double standard(const interval *iv, double x)
{
    return (x - iv->mean) / iv->std;
}

/* P(X <= x) for X of the truncated law, x inside [a, b]. */
static double trunc_cdf(const interval *iv, double x)
{
    if (x <= iv->a)
        return 0.0;
    if (x >= iv->b)
        return 1.0;
    double za = standard(iv, iv->a);
    double part = interval_mass(za, standard(iv, x), (x - iv->a) / iv->std);
    double all = interval_mass(za, standard(iv, iv->b),
                               (iv->b - iv->a) / iv->std);
    return part / all;
}

static double probability(const interval *iv)
{
    return interval_mass(standard(iv, iv->a), standard(iv, iv->b),
                         (iv->b - iv->a) / iv->std);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Where the reals that round to v end, towards `to`. */
static double rounding_edge(float v, float to)
{
    return isinf(v) ? v : 0.5 * ((double)v + (double)nextafterf(v, to));
}

/* Kolmogorov-Smirnov distance of v[0..n) from the exact law rounded to
 * float: before the first copy of a value the empirical distribution must
 * match the law below its rounding interval, after the last one the law up
 * to its end. v must lie in [a, b]; it is sorted. */
static double ks_rounded(const interval *iv, float *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_float);
    double d = 0.0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && v[j] == v[i]; ++j)
            ;
        double below = trunc_cdf(iv, rounding_edge(v[i], -INFINITY));
        double upto = trunc_cdf(iv, rounding_edge(v[i], INFINITY));
        d = fmax(d, fmax(fabs((double)i / n - below),
                         fabs((double)j / n - upto)));
    }
    return d;
}

/* n values of trunc_normal_(iv) at seed, or NULL when it is refused. */
static float *sample(gi_context ctx, gi_tensor t, const interval *iv,
                     uint64_t seed, gi_status *st)
{
    gi_manual_seed(ctx, seed);
    *st = gi_trunc_normal_(t, (float)iv->mean, (float)iv->std, (float)iv->a,
                           (float)iv->b, NULL);
    return *st == GI_OK ? to_host(t) : NULL;
}

#define N (1 << 20)

/* 1.95 / sqrt(N): a correct sampler exceeds it with probability 0.001. */
static const double KS_LIMIT = 1.95 / 1024.0;

static void expect_law(const interval *iv, uint64_t seed, const char *what)
{
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, N);
    gi_status st;
    float *h = sample(ctx, t, iv, seed, &st);
    cr_assert_eq(st, GI_OK, "%s: %s", what, gi_last_error());
    for (size_t i = 0; i < N; ++i)
        if (!(h[i] >= iv->a && h[i] <= iv->b))
            cr_assert_fail("%s: element %zu = %a outside [%a, %a]", what, i,
                           (double)h[i], iv->a, iv->b);
    double d = ks_rounded(iv, h, N);
    cr_log_info("%s: KS %.3g", what, d);
    cr_expect_leq(d, KS_LIMIT, "%s: KS %g", what, d);
    free(h);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}

static interval iv_of(float mean, float std, float a, float b)
{
    return (interval){mean, std, a, b};
}

Test(trunc_normal, narrow_intervals_follow_their_law)
{
    /* The first two were refused (their tail probabilities round to the
     * same double); the two floats [1, 1 + 2^-23] at 4 std came out as one
     * of them; the last two lie either side of the narrow threshold. */
    const struct { interval iv; const char *what; } cases[] = {
        {iv_of(0, 1, 0, 1e-30f), "[0, 1e-30] under N(0, 1)"},
        {iv_of(0, 1e17f, -2, 2), "[-2, 2] under N(0, 1e17^2)"},
        {iv_of(-3, 1, 1, 1.0000001f), "[1, 1 + 2^-23] under N(-3, 1)"},
        {iv_of(1000, 1, 1000.001f, 1000.0015f), "near the mean, above it"},
        {iv_of(0, 1e-30f, 0, 1e-34f), "[0, 1e-4 std] under std 1e-30"},
        {iv_of(0, 1, 10, 10.00001f), "upper tail, 1e-5 std wide"},
        {iv_of(1, 2, -18, -17.99995f), "lower tail, 2.5e-5 std wide"},
        {iv_of(0, 1, 0, 6.1e-4f), "[0, 6.1e-4]: narrow"},
        {iv_of(0, 1, 0, 6.2e-4f), "[0, 6.2e-4]: by the quantile"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c)
        expect_law(&cases[c].iv, 300 + c, cases[c].what);
}

Test(trunc_normal, far_tails_follow_their_law)
{
    const struct { interval iv; const char *what; } cases[] = {
        {iv_of(0, 1, 12, 12.5f), "[12, 12.5]"},
        {iv_of(0, 1, -12.5f, -12), "[-12.5, -12]"},
        {iv_of(0, 1, 9, INFINITY), "[9, inf)"},
        {iv_of(5, 0.25f, -INFINITY, 2.5f), "(-inf, mean - 10 std]"},
        {iv_of(0, 1, 11, 11.001f), "[11, 11.001]"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c)
        expect_law(&cases[c].iv, 400 + c, cases[c].what);
}

/* Every interval of a grid: refused exactly when its probability is below
 * 1e-35 (the test's probability and the library's agree far closer than
 * the 1e-6 margin), and otherwise filled inside [a, b] with finite values
 * whose 64 samples are within 0.35 of the law (a correct sampler exceeds
 * that with probability 3e-7; a fill that cannot resolve the interval
 * misses by 0.5 and more). */
#define GRID_N 64

static void grid_point(gi_context ctx, gi_tensor t, const interval *iv,
                       int *refused, int *accepted)
{
    double p = probability(iv);
    if (fabs(p / 1e-35 - 1.0) < 1e-6)
        return;
    gi_status st;
    float *h = sample(ctx, t, iv, 7, &st);
    if (p < 1e-35) {
        cr_expect_eq(st, GI_ERR_INVALID_ARGUMENT,
                     "N(%a, %a^2) on [%a, %a], probability %g: accepted",
                     iv->mean, iv->std, iv->a, iv->b, p);
        free(h);
        return;
    }
    if (st != GI_OK) {
        ++*refused;
        cr_log_error("probability %g refused: %s", p, gi_last_error());
        return;
    }
    ++*accepted;
    for (int i = 0; i < GRID_N; ++i)
        if (!(h[i] >= iv->a && h[i] <= iv->b && isfinite(h[i])))
            cr_assert_fail("N(%a, %a^2) on [%a, %a]: element %d = %a",
                           iv->mean, iv->std, iv->a, iv->b, i, (double)h[i]);
    double d = ks_rounded(iv, h, GRID_N);
    cr_expect_leq(d, 0.35, "N(%a, %a^2) on [%a, %a], probability %g: KS %g",
                  iv->mean, iv->std, iv->a, iv->b, p, d);
    free(h);
}

Test(trunc_normal, grid_accepts_every_interval_of_probability_1e_35)
{
    const float means[] = {0.0f, -3.0f, 1000.0f};
    const float stds[] = {1e-30f, 1.0f, 1e17f};
    const double alphas[] = {-12.3, -5, -1, -1e-8, 0, 1e-20, 1e-3, 2, 10,
                             12.3};
    const double widths[] = {1e-30, 1e-12, 1e-5, 6e-4, 1e-2, 1, INFINITY};
    const float pairs[][2] = {{-2, 2}, {0, 1e-30f}, {-1e-30f, 1e-30f},
                              {1, 1.0000001f}, {5, 5.00001f}};
    gi_context ctx = cpu_context();
    gi_tensor t = new_vector(ctx, GRID_N);
    int refused = 0, accepted = 0;
    for (size_t m = 0; m < 3; ++m)
        for (size_t s = 0; s < 3; ++s) {
            for (size_t i = 0; i < sizeof alphas / sizeof *alphas; ++i)
                for (size_t w = 0; w < sizeof widths / sizeof *widths; ++w) {
                    float a = (float)(means[m] + stds[s] * alphas[i]);
                    float b = (float)(means[m] +
                                      stds[s] * (alphas[i] + widths[w]));
                    interval iv = iv_of(means[m], stds[s], a, b);
                    if (a < b)
                        grid_point(ctx, t, &iv, &refused, &accepted);
                }
            for (size_t i = 0; i < sizeof pairs / sizeof *pairs; ++i) {
                interval iv = iv_of(means[m], stds[s], pairs[i][0],
                                    pairs[i][1]);
                grid_point(ctx, t, &iv, &refused, &accepted);
            }
        }
    cr_log_info("grid: %d intervals of probability >= 1e-35 filled, %d "
                "refused", accepted, refused);
    cr_expect_eq(refused, 0, "%d intervals of probability >= 1e-35 refused",
                 refused);
    gi_tensor_destroy(t);
    gi_context_destroy(ctx);
}
