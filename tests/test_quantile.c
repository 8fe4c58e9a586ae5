/*
 * The float normal quantile of src/shared/fquantile.h against exact values.
 *
 * tests/data/quantile_reference.txt holds 20,035 probabilities (log-uniform
 * over [1e-38, 1/2], log-uniform over the subnormals, uniform over (0, 1), and
 * the edges of each region) with Phi^{-1}(p) from mpmath rounded to double;
 * scripts/fit_quantile.py --reference writes it.
 *
 * Measured: worst error 1.50 ulp on the reference points (p = 0.0951, tail
 * branch), and 1.80 ulp over every float in (0, 1) in an exhaustive run
 * against a double-precision reference (at p = 0.1042 and 1 - 0.1042; under
 * 1.45 ulp for p < 1/64). The bound checked here is 4 ulp. The function is non-decreasing over every float
 * in [0, 1] in that exhaustive run; here dense sweeps cover the places where
 * that is most fragile.
 *
 * GINIT_TEST_DATA_DIR: the folder holding quantile_reference.txt.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "shared/fquantile.h"

#ifndef GINIT_TEST_DATA_DIR
#error "define GINIT_TEST_DATA_DIR to tests/data"
#endif

#define REFERENCE_FILE GINIT_TEST_DATA_DIR "/quantile_reference.txt"
#define REFERENCE_MIN_POINTS 20000

typedef struct {
    float *p;
    double *x;
    size_t n;
} reference;

/* Reads the reference file; fails the test when it is missing, malformed,
 * truncated (no 'end N' line, or N not the number of data lines) or short. */
static reference load_reference(void)
{
    FILE *f = fopen(REFERENCE_FILE, "r");
    cr_assert_not_null(f, "cannot open %s (run scripts/fit_quantile.py "
                          "--reference %s)", REFERENCE_FILE, REFERENCE_FILE);
    reference r = {NULL, NULL, 0};
    size_t cap = 0;
    long end_count = -1;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        cr_assert_lt(end_count, 0, "data after the 'end' line");
        if (sscanf(line, "end %ld", &end_count) == 1)
            continue;
        unsigned bits;
        double x;
        cr_assert_eq(sscanf(line, "%x %lf", &bits, &x), 2, "bad line: %s",
                     line);
        if (r.n == cap) {
            cap = cap ? 2 * cap : 4096;
            r.p = realloc(r.p, cap * sizeof *r.p);
            r.x = realloc(r.x, cap * sizeof *r.x);
            cr_assert(r.p && r.x);
        }
        r.p[r.n] = gi_bits_float((uint32_t)bits);
        r.x[r.n] = x;
        r.n++;
    }
    fclose(f);
    cr_assert_geq(end_count, 0, "%s is truncated: no 'end' line",
                  REFERENCE_FILE);
    cr_assert_eq((long)r.n, end_count, "%s: %zu data lines, 'end %ld'",
                 REFERENCE_FILE, r.n, end_count);
    cr_assert_geq(r.n, (size_t)REFERENCE_MIN_POINTS,
                  "%s holds only %zu points", REFERENCE_FILE, r.n);
    return r;
}

static void free_reference(reference *r)
{
    free(r->p);
    free(r->x);
}

/* Distance from `exact` in units in the last place of the float nearest it. */
static double ulp_error(float got, double exact)
{
    float nearest = (float)exact;
    if (nearest == 0.0f)
        return got == 0.0f ? 0.0 : INFINITY;
    double ulp = (double)nextafterf(fabsf(nearest), INFINITY) - fabsf(nearest);
    return fabs((double)got - exact) / ulp;
}

Test(quantile, reference_file_is_complete)
{
    reference r = load_reference();
    int tiny = 0, subnormal = 0, upper = 0;
    for (size_t i = 0; i < r.n; ++i) {
        cr_assert(r.p[i] > 0.0f && r.p[i] < 1.0f, "p = %a", (double)r.p[i]);
        tiny += r.p[i] < 1e-30f;
        subnormal += r.p[i] < FLT_MIN;
        upper += r.p[i] > 0.5f;
    }
    cr_expect_gt(tiny, 1000);
    cr_expect_gt(subnormal, 1000);
    cr_expect_gt(upper, 1000);
    free_reference(&r);
}

Test(quantile, within_4_ulp_of_exact_values)
{
    reference r = load_reference();
    double worst = 0.0, worst_lower = 0.0;
    float worst_p = 0.0f;
    for (size_t i = 0; i < r.n; ++i) {
        float p = r.p[i];
        float x = gi_norm_quantile(p);
        double e = ulp_error(x, r.x[i]);
        if (!(e <= worst)) { /* also catches NaN */
            worst = e;
            worst_p = p;
        }
        if (p <= 0.5f) {
            cr_assert(gi_norm_quantile_lower(p) == x, "p = %a", (double)p);
            if (p >= FLT_MIN)
                worst_lower = fmax(worst_lower, e);
        }
    }
    cr_log_info("worst %.3f ulp at p = %a; %.3f ulp on [FLT_MIN, 1/2]",
                worst, (double)worst_p, worst_lower);
    cr_expect_leq(worst, 4.0, "worst error %.3f ulp at p = %a (%.9g)", worst,
                  (double)worst_p, (double)worst_p);
    free_reference(&r);
}

/* x(1 - p) == -x(p) bit for bit wherever 1 - p is exact. */
static void check_symmetry(float p)
{
    float q = 1.0f - p;
    if (1.0f - q != p)
        return;
    float a = gi_norm_quantile(p), b = gi_norm_quantile(q);
    cr_assert(b == -a, "p = %a: x(p) = %a, x(1 - p) = %a", (double)p,
              (double)a, (double)b);
}

Test(quantile, symmetric_where_one_minus_p_is_exact)
{
    reference r = load_reference();
    for (size_t i = 0; i < r.n; ++i)
        check_symmetry(r.p[i]);
    free_reference(&r);
    /* Every float in [1/4, 3/4] (1 - p is exact on all of it) and a spread
     * of multiples of 2^-24 below 1/4. */
    for (uint32_t u = gi_float_bits(0.25f); u <= gi_float_bits(0.75f); ++u)
        check_symmetry(gi_bits_float(u));
    for (uint32_t k = 1; k < (1u << 22); k += 7)
        check_symmetry((float)k * 5.9604644775390625e-8f);
    cr_expect(gi_norm_quantile(0.5f) == 0.0f);
}

/* x non-decreasing over `count` consecutive floats from `first`. */
static void check_monotone(float first, uint32_t count, const char *where)
{
    uint32_t u0 = gi_float_bits(first);
    float prev = gi_norm_quantile(first);
    for (uint32_t k = 1; k < count; ++k) {
        float p = gi_bits_float(u0 + k);
        float x = gi_norm_quantile(p);
        cr_assert(x >= prev, "%s: x(%a) = %a < x(previous float) = %a", where,
                  (double)p, (double)x, (double)prev);
        prev = x;
    }
}

/* 2^20 floats on each side of `p`. */
static void check_monotone_around(float p, const char *where)
{
    check_monotone(gi_bits_float(gi_float_bits(p) - (1u << 20)), 1u << 21,
                   where);
}

Test(quantile, monotone_over_dense_sweeps)
{
    check_monotone_around(0.5f, "near 1/2");
    check_monotone_around(1e-3f, "near 1e-3");
    check_monotone_around(1e-20f, "near 1e-20");
    check_monotone_around(FLT_MIN, "near FLT_MIN");
    /* where the approximation changes, and where r = p - 1/2 stops being
     * exact */
    check_monotone_around(0.125f, "near 1/8");
    check_monotone_around(0.25f, "near 1/4");
    check_monotone_around(0.0970f, "near 0.097");
    check_monotone_around(0.75f, "near 3/4");
    /* the ends: from p = 0 up, and up to p = 1 */
    check_monotone(0.0f, 1u << 21, "from 0");
    check_monotone(gi_bits_float(gi_float_bits(1.0f) - (1u << 21)),
                   (1u << 21) + 1, "up to 1");
}

Test(quantile, finite_over_all_of_0_1)
{
    long bad = 0;
    float first_bad = 0.0f;
    /* every 2999th float in [0, 1), then 1 itself */
    for (uint32_t u = 0; u < gi_float_bits(1.0f); u += 2999) {
        float x = gi_norm_quantile(gi_bits_float(u));
        if (!isfinite(x) && bad++ == 0)
            first_bad = gi_bits_float(u);
    }
    cr_expect_eq(bad, 0, "%ld non-finite results, first at p = %a", bad,
                 (double)first_bad);
    cr_expect(isfinite(gi_norm_quantile(1.0f)));
    /* the extremes, and their ordering */
    float x0 = gi_norm_quantile(0.0f);
    float xs = gi_norm_quantile(gi_bits_float(1));
    float x1 = gi_norm_quantile(1.0f);
    float xt = gi_norm_quantile(gi_float_below(1.0f));
    cr_expect(x0 <= xs && xs < -14.0f, "x(0) = %g, x(2^-149) = %g",
              (double)x0, (double)xs);
    cr_expect(x1 >= xt && xt > 5.0f, "x(1) = %g, x(1 - 2^-24) = %g",
              (double)x1, (double)xt);
    cr_expect(x1 == -x0);
}

Test(quantile, signs_follow_the_half)
{
    for (uint32_t u = 1; u < gi_float_bits(1.0f); u += 104729) {
        float p = gi_bits_float(u);
        float x = gi_norm_quantile(p);
        if (p < 0.5f)
            cr_assert(x < 0.0f, "p = %a, x = %a", (double)p, (double)x);
        else if (p > 0.5f)
            cr_assert(x > 0.0f, "p = %a, x = %a", (double)p, (double)x);
    }
}
