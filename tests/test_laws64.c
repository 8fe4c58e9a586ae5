/*
 * The float64 laws (src/shared/laws.h, src/init/laws64.c, src/cpu/cpu_fill64.c): golden
 * values from tests/rng_reference.py (tests/data/rng_golden64.txt), the
 * constructors' checks, exact bounds, and statistics against the exact
 * distributions at fixed seeds (thresholds as in test_stats.c: KS distance
 * below 1.95 / sqrt(n), moments within 5 standard errors).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_fill64.h"
#include "init/laws64.h"
#include "test_helpers.h"

#define GOLDEN64 GINIT_TEST_DATA_DIR "/rng_golden64.txt"
#define MIN_CASES64 19

/* Fills out[0..n) from block `offset` chunk by chunk, as a backend does. */
static void fill64(const gi_law *law, uint64_t seed, uint64_t stream,
                   uint64_t offset, int64_t n, double *out)
{
    const int64_t chunk = GI_CPU_CHUNK_BLOCKS * gi_law_elems_per_block(law);
    for (int64_t first = 0; first < n; first += chunk) {
        int64_t count = n - first < chunk ? n - first : chunk;
        gi_cpu_fill_chunk64(law, seed, stream, offset, first, count,
                            out + first);
    }
}

/* ---- the golden file: whitespace-separated tokens, '#' lines skipped */

static char *next_token(char **cur)
{
    char *p = *cur;
    for (;;) {
        while (*p == ' ' || *p == '\n')
            ++p;
        if (*p != '#')
            break;
        while (*p != '\0' && *p != '\n')
            ++p;
    }
    cr_assert_neq(*p, '\0', "golden file ends early");
    char *tok = p;
    while (*p != '\0' && *p != ' ' && *p != '\n')
        ++p;
    if (*p != '\0')
        *p++ = '\0';
    *cur = p;
    return tok;
}

static uint64_t next_u64(char **cur, int base)
{
    return strtoull(next_token(cur), NULL, base);
}

static double next_double(char **cur)
{
    uint64_t u = next_u64(cur, 16);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static int component_kind(const char *name)
{
    if (strcmp(name, "uniform") == 0)
        return GI_COMPONENT_UNIFORM;
    return strcmp(name, "normal") == 0 ? GI_COMPONENT_NORMAL
                                       : GI_COMPONENT_CONSTANT;
}

static void read_mixture(char **cur, gi_law *law)
{
    int k = (int)next_u64(cur, 10);
    double prob[GI_LAW_MAX_COMPONENTS], value;
    gi_law_component64 comps[GI_LAW_MAX_COMPONENTS];
    cr_assert(k >= 1 && k <= GI_LAW_MAX_COMPONENTS);
    for (int j = 0; j < k; ++j) {
        int kind = component_kind(next_token(cur));
        prob[j] = next_double(cur);
        double a = next_double(cur), b = next_double(cur);
        cr_assert_eq(gi_law64_component(kind, a, b, &comps[j], &value),
                     GI_LAW64_OK);
    }
    gi_law64_mixture(k, prob, comps, law);
}

static void expect_close(double got, double want, const char *what)
{
    cr_expect_leq(fabs(got - want), 1e-13 * fabs(want), "%s: %a, not %a",
                  what, got, want);
}

/* The stored fields of a truncated law, and the constructor's from the
 * arguments: the same law, but for the libm-computed tail probabilities
 * (erfc differs by ulps between libraries), which must agree closely. */
static void read_trunc(char **cur, gi_law *law)
{
    double mean = next_double(cur), std = next_double(cur);
    double a = next_double(cur), b = next_double(cur), value;
    gi_law made;
    cr_assert_eq(gi_law64_trunc_normal(mean, std, a, b, &made, &value),
                 GI_LAW64_OK);
    if (strcmp(next_token(cur), "narrow") == 0) {
        gi_law_narrow64 n = {next_double(cur), next_double(cur),
                             next_double(cur), next_double(cur)};
        *law = (gi_law){.kind = GI_LAW_TRUNC_NARROW64, .u.narrow64 = n};
        cr_assert_eq(made.kind, GI_LAW_TRUNC_NARROW64);
        cr_expect(memcmp(&made.u.narrow64, &n, sizeof n) == 0);
        return;
    }
    gi_law_trunc64 t;
    t.lo = next_double(cur);
    t.span = next_double(cur);
    t.sign = next_double(cur);
    t.mean = next_double(cur);
    t.std = next_double(cur);
    t.a = next_double(cur);
    t.b = next_double(cur);
    *law = (gi_law){.kind = GI_LAW_TRUNC_NORMAL64, .u.trunc64 = t};
    cr_assert_eq(made.kind, GI_LAW_TRUNC_NORMAL64);
    expect_close(made.u.trunc64.lo, t.lo, "lo");
    expect_close(made.u.trunc64.span, t.span, "span");
    cr_expect(made.u.trunc64.sign == t.sign && made.u.trunc64.a == t.a &&
              made.u.trunc64.b == t.b && made.u.trunc64.std == t.std);
}

static void read_law(char **cur, const char *name, gi_law *law)
{
    double value;
    if (strcmp(name, "mixture") == 0) {
        read_mixture(cur, law);
    } else if (strcmp(name, "trunc_normal") == 0) {
        read_trunc(cur, law);
    } else {
        double a = next_double(cur), b = next_double(cur);
        gi_law64_verdict v = strcmp(name, "uniform") == 0
                                 ? gi_law64_uniform(a, b, law, &value)
                                 : gi_law64_normal(a, b, law, &value);
        cr_assert_eq(v, GI_LAW64_OK, "%s", name);
    }
}

/* One case: the chunked fill and every element on its own, bit for bit. */
static void check_case(char **cur, int index)
{
    char *name = next_token(cur);
    uint64_t seed = next_u64(cur, 10), stream = next_u64(cur, 10);
    uint64_t offset = next_u64(cur, 10);
    int64_t n = (int64_t)next_u64(cur, 10);
    uint64_t after = next_u64(cur, 10);
    gi_law law;
    read_law(cur, name, &law);
    const int64_t per = gi_law_elems_per_block(&law);
    cr_expect_eq(after, offset + (uint64_t)((n + per - 1) / per),
                 "case %d: offset after", index);
    double *got = malloc((size_t)n * sizeof *got);
    cr_assert_not_null(got);
    fill64(&law, seed, stream, offset, n, got);
    for (int64_t i = 0; i < n; ++i) {
        uint64_t want = next_u64(cur, 16), fill, one;
        double e = gi_law_element64(&law, seed, stream, offset, (uint64_t)i);
        memcpy(&fill, &got[i], sizeof fill);
        memcpy(&one, &e, sizeof one);
        cr_expect_eq(fill, want, "case %d (%s) element %" PRId64
                     ": %016" PRIx64 ", not %016" PRIx64, index, name, i,
                     fill, want);
        cr_expect_eq(one, want, "case %d (%s) element %" PRId64 " alone",
                     index, name, i);
    }
    free(got);
}

Test(laws64, golden_values_bit_for_bit)
{
    char *text = read_file(GOLDEN64), *cur = text;
    int cases = 0;
    for (;;) {
        char *tok = next_token(&cur);
        if (strcmp(tok, "cases") == 0)
            break;
        cr_assert_str_eq(tok, "case64");
        check_case(&cur, cases++);
    }
    cr_expect_eq((int)next_u64(&cur, 10), cases, "truncated golden file");
    cr_expect_geq(cases, MIN_CASES64);
    free(text);
}

/* ---- elements per block and the uniforms' bounds */

Test(laws64, elements_per_block)
{
    const int kinds[] = {GI_LAW_UNIFORM64, GI_LAW_NORMAL64,
                         GI_LAW_TRUNC_NORMAL64, GI_LAW_TRUNC_NARROW64};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; ++k)
        cr_expect_eq(gi_law_elems_per_block(&(gi_law){.kind = kinds[k]}), 2);
    cr_expect_eq(gi_law_elems_per_block(&(gi_law){.kind = GI_LAW_MIXTURE64}),
                 1);
    /* The float laws keep theirs. */
    cr_expect_eq(gi_law_elems_per_block(&(gi_law){.kind = GI_LAW_UNIFORM}), 4);
    cr_expect_eq(gi_law_elems_per_block(&(gi_law){.kind = GI_LAW_MIXTURE}), 2);
}

Test(laws64, uniforms_reach_their_documented_ends)
{
    const double ulp = 0x1p-53;
    cr_expect_eq(gi_unit53(0u, 0u), 0.0);
    cr_expect_eq(gi_unit53(~0u, ~0u), 1.0 - ulp);
    cr_expect_eq(gi_unit53_open_closed(0u, 0u), ulp);
    cr_expect_eq(gi_unit53_open_closed(~0u, ~0u), 1.0);
    cr_expect_eq(gi_unit52_open(0u, 0u), ulp);
    cr_expect_eq(gi_unit52_open(~0u, ~0u), 1.0 - ulp);
    /* 53 bits: the lowest bit of the first lane's part and the 26 of the
     * second's all count. */
    cr_expect_eq(gi_unit53(1u << 5, 0u), 0x1p-27);
    cr_expect_eq(gi_unit53(0u, 1u << 6), ulp);
    cr_expect_eq(gi_unit52_open(0u, 1u << 6), ulp); /* k | 1 */
    cr_expect_eq(gi_unit52_open(0u, 2u << 6), 3.0 * ulp);
}

/* The largest uniform never reaches b, even where rounding would. */
Test(laws64, uniform_stays_below_b)
{
    const uint32_t top[4] = {~0u, ~0u, ~0u, ~0u};
    const double ends[][2] = {{0.0, 1.0}, {1e10, 1e10 + 0x1p-19},
                              {-1.0, -1.0 + 0x1p-52}, {-1e300, 1e300},
                              {-5e-324, 0.0}};
    for (size_t k = 0; k < sizeof ends / sizeof *ends; ++k) {
        gi_law law;
        double out[4], value;
        cr_assert_eq(gi_law64_uniform(ends[k][0], ends[k][1], &law, &value),
                     GI_LAW64_OK);
        cr_expect_eq(gi_law_block64(&law, top, out), 2);
        cr_expect(out[0] < ends[k][1] && out[0] >= ends[k][0],
                  "[%a, %a): %a", ends[k][0], ends[k][1], out[0]);
    }
}

/* ---- the constructors' checks */

Test(laws64, uniform_arguments)
{
    gi_law law;
    double v;
    cr_expect_eq(gi_law64_uniform(NAN, 1.0, &law, &v), GI_LAW64_NOT_FINITE);
    cr_expect(isnan(v));
    cr_expect_eq(gi_law64_uniform(0.0, INFINITY, &law, &v),
                 GI_LAW64_NOT_FINITE);
    cr_expect(isinf(v));
    cr_expect_eq(gi_law64_uniform(2.0, 1.0, &law, &v), GI_LAW64_ORDER);
    cr_expect_eq(gi_law64_uniform(-DBL_MAX, DBL_MAX, &law, &v),
                 GI_LAW64_SPAN);
    cr_expect(isinf(v));
    cr_expect_eq(gi_law64_uniform(-0.0, 0.0, &law, &v), GI_LAW64_CONSTANT);
    cr_expect(v == 0.0 && !signbit(v), "-0 + 0 is +0");
    cr_assert_eq(gi_law64_uniform(1.0, 2.0, &law, &v), GI_LAW64_OK);
    cr_expect_eq(law.kind, GI_LAW_UNIFORM64);
    cr_expect_eq(law.u.uniform64.cap, nextafter(2.0, 0.0));
    cr_expect_eq(law.u.uniform64.span, 1.0);
}

/* The normal's range test is exact: it accepts a std exactly when the
 * largest value the transform makes of it (at lanes 0) is finite. */
Test(laws64, normal_range_test_is_exact)
{
    const uint32_t zero[4] = {0u, 0u, 0u, 0u};
    gi_law law;
    double v, zmax = gi_box_muller64_max();
    cr_expect_leq(fabs(zmax - sqrt(106.0 * log(2.0))), 4e-15);
    double s = DBL_MAX / zmax;
    const double stds[] = {nextafter(s, 0.0), s, nextafter(s, INFINITY),
                           nextafter(nextafter(s, INFINITY), INFINITY)};
    int accepted = 0, refused = 0;
    for (int k = 0; k < 4; ++k) {
        double out[4];
        gi_law probe = {.kind = GI_LAW_NORMAL64,
                        .u.normal64 = {.mean = 0.0, .std = stds[k]}};
        gi_law_block64(&probe, zero, out);
        gi_law64_verdict got = gi_law64_normal(0.0, stds[k], &law, &v);
        cr_expect_eq(got == GI_LAW64_OK, isfinite(out[0]), "std %a",
                     stds[k]);
        accepted += got == GI_LAW64_OK;
        refused += got == GI_LAW64_RANGE;
    }
    cr_expect(accepted > 0 && refused > 0, "the boundary is among them");
    cr_expect_eq(gi_law64_normal(1e308, 1e308, &law, &v), GI_LAW64_RANGE);
    cr_expect_eq(v, zmax);
    cr_expect_eq(gi_law64_normal(INFINITY, 1.0, &law, &v),
                 GI_LAW64_NOT_FINITE);
    cr_expect_eq(gi_law64_normal(0.0, -1.0, &law, &v), GI_LAW64_STD);
    cr_expect_eq(gi_law64_normal(0.0, NAN, &law, &v), GI_LAW64_STD);
    cr_expect_eq(gi_law64_normal(0.0, 0.0, &law, &v), GI_LAW64_OK);
}

Test(laws64, trunc_normal_arguments)
{
    gi_law law;
    double v;
    cr_expect_eq(gi_law64_trunc_normal(NAN, 1, -1, 1, &law, &v),
                 GI_LAW64_NOT_FINITE);
    cr_expect_eq(gi_law64_trunc_normal(0, 0, -1, 1, &law, &v), GI_LAW64_STD);
    cr_expect_eq(gi_law64_trunc_normal(0, 1, 1, 1, &law, &v), GI_LAW64_ORDER);
    cr_expect_eq(gi_law64_trunc_normal(0, 1, NAN, 1, &law, &v),
                 GI_LAW64_ORDER);
    /* Q(40) underflows: the interval has no probability a double holds. */
    cr_expect_eq(gi_law64_trunc_normal(0, 1, 40, 41, &law, &v),
                 GI_LAW64_PROBABILITY);
    cr_expect_eq(gi_law64_trunc_normal(0, 1, 0, 1e-8, &law, &v), GI_LAW64_OK);
    cr_expect_eq(law.kind, GI_LAW_TRUNC_NARROW64);
    cr_expect_eq(gi_law64_trunc_normal(0, 1, 0, 4e-8, &law, &v), GI_LAW64_OK);
    cr_expect_eq(law.kind, GI_LAW_TRUNC_NORMAL64);
    /* An unbounded side: the smallest probability, 2^-54, has the quantile
     * -8.29. */
    cr_expect_eq(gi_law64_trunc_normal(0, 1e308, -INFINITY, 0, &law, &v),
                 GI_LAW64_RANGE);
    cr_expect(isinf(v) && v < 0.0);
    cr_expect_eq(gi_law64_trunc_normal(0, 1e307, -INFINITY, 0, &law, &v),
                 GI_LAW64_OK);
    cr_expect_eq(gi_law64_trunc_normal(0, 1e307, 0, INFINITY, &law, &v),
                 GI_LAW64_OK);
    cr_expect_eq(gi_law64_trunc_normal(0, 1e308, 0, INFINITY, &law, &v),
                 GI_LAW64_RANGE);
    cr_expect(isinf(v) && v > 0.0);
    /* A narrow interval's probability is checked too. */
    cr_expect_eq(gi_law64_trunc_normal(0, 1, 0, 1e-300, &law, &v),
                 GI_LAW64_PROBABILITY);
    cr_expect_eq(gi_law64_trunc_normal(0, 1e307, -1e308, 1e308, &law, &v),
                 GI_LAW64_OK, "finite bounds clamp every value");
}

Test(laws64, mixture_components)
{
    gi_law_component64 c[3];
    gi_law law;
    double v;
    cr_expect_eq(gi_law64_component(7, 0, 1, &c[0], &v), GI_LAW64_KIND);
    cr_expect_eq(gi_law64_component(GI_COMPONENT_NORMAL, 0, 1e308, &c[0], &v),
                 GI_LAW64_RANGE);
    cr_expect_eq(v, gi_quantile64_u52_max());
    cr_expect_eq(gi_law64_component(GI_COMPONENT_UNIFORM, 1, 0, &c[0], &v),
                 GI_LAW64_ORDER);
    cr_assert_eq(gi_law64_component(GI_COMPONENT_UNIFORM, -0.0, -0.0, &c[0],
                                    &v), GI_LAW64_OK);
    cr_expect(c[0].kind == GI_COMP_CONSTANT && c[0].a == 0.0 &&
              !signbit(c[0].a));
    cr_assert_eq(gi_law64_component(GI_COMPONENT_UNIFORM, 1, 2, &c[1], &v),
                 GI_LAW64_OK);
    cr_expect_eq(c[1].cap, nextafter(2.0, 0.0));
    cr_assert_eq(gi_law64_component(GI_COMPONENT_CONSTANT, 5, 0, &c[2], &v),
                 GI_LAW64_OK);
    gi_law64_mixture(3, (const double[]){0.25, 0.5, 0.25}, c, &law);
    cr_expect_eq(law.kind, GI_LAW_MIXTURE64);
    cr_expect_eq(law.u.mixture64.ncomp, 3);
    cr_expect(law.u.mixture64.comp[0].cum == 0.25 &&
              law.u.mixture64.comp[1].cum == 0.75 &&
              law.u.mixture64.comp[2].cum == 1.0);
}

/* ---- statistics at fixed seeds */

#define N (1 << 20)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*cdf_fn)(double x, const double *p);

static double ks_distance(double *v, size_t n, cdf_fn cdf, const double *p)
{
    qsort(v, n, sizeof *v, cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < n; ++i) {
        double f = cdf(v[i], p);
        d = fmax(d, fmax(fabs((double)(i + 1) / n - f),
                         fabs(f - (double)i / n)));
    }
    return d;
}

/* Sample mean and variance against the exact ones, within 5 standard
 * errors (the variance's from the sample's fourth moment). */
static void expect_moments(const double *v, size_t n, double mean,
                           double var)
{
    double s = 0.0, s2 = 0.0, s4 = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += v[i];
    double m = s / n;
    for (size_t i = 0; i < n; ++i) {
        double d = (v[i] - m) * (v[i] - m);
        s2 += d;
        s4 += d * d;
    }
    double m2 = s2 / (n - 1), m4 = s4 / n;
    cr_expect_leq(fabs(m - mean), 5.0 * sqrt(var / n), "mean %.9g, not %.9g",
                  m, mean);
    cr_expect_leq(fabs(m2 - var), 5.0 * sqrt((m4 - m2 * m2) / n),
                  "variance %.9g, not %.9g", m2, var);
}

static double *sample(const gi_law *law, uint64_t seed)
{
    double *v = malloc(N * sizeof *v);
    cr_assert_not_null(v);
    fill64(law, seed, 0, 0, N, v);
    return v;
}

static double uniform_cdf(double x, const double *p)
{
    return fmin(1.0, fmax(0.0, (x - p[0]) / (p[1] - p[0])));
}

static double normal_cdf(double x, const double *p)
{
    return 0.5 * erfc(-(x - p[0]) / (p[1] * sqrt(2.0)));
}

/* N(0, 1) truncated to [p[0], p[1]], from upper tails (which keep their
 * precision in the far upper tail). */
static double trunc_cdf(double x, const double *p)
{
    double qa = 0.5 * erfc(p[0] / sqrt(2.0));
    double qb = 0.5 * erfc(p[1] / sqrt(2.0));
    return (qa - 0.5 * erfc(x / sqrt(2.0))) / (qa - qb);
}

static double phi(double x)
{
    return exp(-0.5 * x * x) / 2.5066282746310002; /* sqrt(2 pi) */
}

Test(laws64, uniform_statistics)
{
    gi_law law;
    double v, p[2] = {-3.0, 5.0};
    cr_assert_eq(gi_law64_uniform(p[0], p[1], &law, &v), GI_LAW64_OK);
    double *s = sample(&law, 11);
    expect_moments(s, N, 1.0, 64.0 / 12.0);
    cr_expect_leq(ks_distance(s, N, uniform_cdf, p), 1.95 / sqrt(N));
    cr_expect(s[0] >= p[0] && s[N - 1] < p[1]);
    free(s);
}

Test(laws64, normal_statistics)
{
    gi_law law;
    double v, p[2] = {2.0, 3.0};
    cr_assert_eq(gi_law64_normal(p[0], p[1], &law, &v), GI_LAW64_OK);
    double *s = sample(&law, 12);
    expect_moments(s, N, 2.0, 9.0);
    cr_expect_leq(ks_distance(s, N, normal_cdf, p), 1.95 / sqrt(N));
    free(s);
}

/* N(0, 1) on [a, b]: moments from phi and the tail probabilities, the
 * sample inside [a, b], and the KS distance. */
static void check_trunc(double a, double b, uint64_t seed)
{
    gi_law law;
    double v, p[2] = {a, b};
    cr_assert_eq(gi_law64_trunc_normal(0.0, 1.0, a, b, &law, &v),
                 GI_LAW64_OK);
    double z = 0.5 * (erfc(a / sqrt(2.0)) - erfc(b / sqrt(2.0)));
    double mean = (phi(a) - phi(b)) / z;
    double var = 1.0 + (a * phi(a) - b * phi(b)) / z - mean * mean;
    double *s = sample(&law, seed);
    expect_moments(s, N, mean, var);
    cr_expect_leq(ks_distance(s, N, trunc_cdf, p), 1.95 / sqrt(N));
    cr_expect(s[0] >= a && s[N - 1] <= b, "[%a, %a] in [%g, %g]", s[0],
              s[N - 1], a, b);
    free(s);
}

Test(laws64, trunc_normal_statistics_centre)
{
    check_trunc(-2.0, 2.0, 13);
}

Test(laws64, trunc_normal_statistics_far_tail)
{
    check_trunc(5.0, 8.0, 14);
}

/* The values at the extreme lanes stay inside [a, b], narrow and
 * unbounded intervals included. */
Test(laws64, trunc_normal_extremes_inside_the_interval)
{
    const uint32_t lanes[2][4] = {{0u, 0u, 0u, 0u}, {~0u, ~0u, ~0u, ~0u}};
    const double iv[][4] = {{0, 1, -2, 2}, {0, 1, 5, 8}, {0, 1, 0, 1e-290},
                            {0, 1, -INFINITY, -30}, {1000, 1, 1000.001,
                                                     1000.00100001},
                            {0, 1, 0, 4e-8}, {0, 1, 1, INFINITY}};
    for (size_t k = 0; k < sizeof iv / sizeof *iv; ++k) {
        gi_law law;
        double v, out[4];
        cr_assert_eq(gi_law64_trunc_normal(iv[k][0], iv[k][1], iv[k][2],
                                           iv[k][3], &law, &v),
                     GI_LAW64_OK, "interval %zu", k);
        for (int e = 0; e < 2; ++e) {
            gi_law_block64(&law, lanes[e], out);
            cr_expect(out[0] >= iv[k][2] && out[0] <= iv[k][3],
                      "interval %zu: %a", k, out[0]);
        }
    }
}

/* The fan-based uniforms of a float64 tensor take their bound in double,
 * as PyTorch's Python computes it: xavier_uniform_ and kaiming_uniform_
 * are uniform_ on [-bound, bound) bit for bit. */
static void expect_uniform_bound(gi_status (*fill)(gi_tensor, gi_generator),
                                 double bound, const char *name)
{
    gi_context ctx = NULL;
    cr_assert_eq(gi_context_create(&ctx, GI_DEVICE_CPU), GI_OK);
    const int64_t shape[] = {30, 70};
    gi_tensor t = NULL, u = NULL;
    cr_assert_eq(gi_tensor_create(&t, ctx, GI_F64, 2, shape), GI_OK);
    cr_assert_eq(gi_tensor_create(&u, ctx, GI_F64, 2, shape), GI_OK);
    gi_generator g1 = NULL, g2 = NULL;
    cr_assert_eq(gi_generator_create(&g1, 5), GI_OK);
    cr_assert_eq(gi_generator_create(&g2, 5), GI_OK);
    cr_assert_eq(fill(t, g1), GI_OK, "%s", gi_last_error());
    cr_assert_eq(gi_uniform_(u, -bound, bound, g2), GI_OK);
    double a[2100], b[2100];
    cr_assert_eq(gi_tensor_copy_to_host(t, a, sizeof a), GI_OK);
    cr_assert_eq(gi_tensor_copy_to_host(u, b, sizeof b), GI_OK);
    cr_expect(memcmp(a, b, sizeof a) == 0, "%s: not uniform_(-%.17g, %.17g)",
              name, bound, bound);
    gi_generator_destroy(g1);
    gi_generator_destroy(g2);
    gi_tensor_destroy(t);
    gi_tensor_destroy(u);
    gi_context_destroy(ctx);
}

static gi_status xavier(gi_tensor t, gi_generator g)
{
    return gi_xavier_uniform_(t, 1.0, g);
}

static gi_status kaiming(gi_tensor t, gi_generator g)
{
    return gi_kaiming_uniform_(t, 0.0, GI_FAN_IN, GI_NONLIN_RELU, g);
}

Test(laws64, fan_bounds_are_doubles)
{
    expect_uniform_bound(xavier, sqrt(3.0) * sqrt(2.0 / 100.0), "xavier");
    expect_uniform_bound(kaiming, sqrt(3.0) * (sqrt(2.0) / sqrt(70.0)),
                         "kaiming");
}
