/*
 * The portable double math of the float64 laws (src/shared/fmath64.h) against
 * references of higher precision: x86's 64-bit long double libm, and for
 * the quantile Newton steps on erfcl. Points come from a fixed generator,
 * so the bounds never flake.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>

#include "shared/fmath64.h"

/* xorshift64*: deterministic points. */
static uint64_t next_bits(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* The error of got in ulps of the double nearest to exact. */
static double ulp_error(double got, long double exact)
{
    double nearest = fabs((double)exact);
    double ulp = nextafter(nearest, INFINITY) - nearest;
    return (double)(fabsl((long double)got - exact) / ulp);
}

Test(fmath64, log_within_one_ulp_on_every_scale)
{
    uint64_t s = 1;
    double worst = 0.0, worst_x = 0.0;
    for (int k = 0; k < 2000000; ++k) {
        /* Any positive normal double: a random exponent and mantissa. */
        uint64_t u = next_bits(&s) & 0x7fffffffffffffffULL;
        double x = gi_bits_double(u);
        if (!(x >= DBL_MIN && x <= DBL_MAX) || x == 1.0)
            continue;
        double e = ulp_error(gi_log64(x), logl((long double)x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    cr_expect_leq(worst, 1.0, "worst %.3f ulp at %a", worst, worst_x);
}

Test(fmath64, log_near_one_and_at_powers_of_two)
{
    cr_expect_eq(gi_log64(1.0), 0.0);
    for (int e = -1022; e < 1024; ++e) {
        double x = ldexp(1.0, e);
        cr_expect_leq(ulp_error(gi_log64(x), logl((long double)x)), 1.0,
                      "e = %d", e);
    }
    double x = 1.0;
    for (int k = 0; k < 20000; ++k) { /* the doubles either side of 1 */
        double below = 1.0 - (k + 1) * 0x1p-53, above = x;
        cr_expect_leq(ulp_error(gi_log64(below), logl((long double)below)),
                      1.0, "%a", below);
        if (above != 1.0)
            cr_expect_leq(ulp_error(gi_log64(above),
                                    logl((long double)above)), 1.0, "%a",
                          above);
        x = nextafter(x, 2.0);
    }
}

/* The reference reduces u exactly as the code does (4u - q is exact) and
 * takes sinl / cosl of v pi / 2 in long double. */
static void sincos_reference(double u, long double *s, long double *c)
{
    const long double pio2 = 1.570796326794896619231321691639751442L;
    double t = 4.0 * u;
    int q = (int)(t + 0.5);
    long double v = (long double)(t - q) * pio2;
    long double sv = sinl(v), cv = cosl(v);
    long double sa = (q & 1) ? cv : sv, ca = (q & 1) ? sv : cv;
    *s = (q & 2) ? -sa : sa;
    *c = ((q + 1) & 2) ? -ca : ca;
}

Test(fmath64, sincos_2pi_within_one_ulp)
{
    uint64_t st = 2;
    double worst = 0.0, worst_u = 0.0;
    for (int k = 0; k < 2000000; ++k) {
        double u = (double)(next_bits(&st) >> 11) * 0x1p-53, s, c;
        long double rs, rc;
        gi_sincos_2pi64(u, &s, &c);
        sincos_reference(u, &rs, &rc);
        double e = fmax(rs != 0 ? ulp_error(s, rs) : fabs(s),
                        rc != 0 ? ulp_error(c, rc) : fabs(c));
        if (e > worst) {
            worst = e;
            worst_u = u;
        }
    }
    cr_expect_leq(worst, 1.0, "worst %.3f ulp at u = %a", worst, worst_u);
}

Test(fmath64, sincos_2pi_exact_at_quadrants)
{
    const double u[4] = {0.0, 0.25, 0.5, 0.75};
    const double ws[4] = {0.0, 1.0, 0.0, -1.0}, wc[4] = {1.0, 0.0, -1.0, 0.0};
    for (int k = 0; k < 4; ++k) {
        double s, c;
        gi_sincos_2pi64(u[k], &s, &c);
        cr_expect(s == ws[k] && c == wc[k], "u = %g: %a %a", u[k], s, c);
    }
}

/* Phi^{-1}(p) to long double precision: Newton steps on the lower tail
 * (1 - p is exact for p >= 1/2). */
static long double exact_quantile(double p)
{
    if (p > 0.5)
        return -exact_quantile(1.0 - p);
    long double x = gi_norm_quantile64(p);
    const long double rt2 = 1.414213562373095048801688724209698079L;
    const long double rt2pi = 2.506628274631000502415765284811045253L;
    for (int k = 0; k < 3; ++k) {
        long double f = 0.5L * erfcl(-x / rt2) - (long double)p;
        x -= f / (expl(-0.5L * x * x) / rt2pi);
    }
    return x;
}

static double quantile_error(double p)
{
    long double x = exact_quantile(p);
    return (double)fabsl(((long double)gi_norm_quantile64(p) - x) / x);
}

Test(fmath64, quantile_within_1e15_relative)
{
    uint64_t st = 3;
    double worst = 0.0, worst_p = 0.0;
    for (int k = 0; k < 400000; ++k) {
        uint64_t r = next_bits(&st);
        /* Spread over every scale of both tails and the centre. */
        double m = (double)(r >> 11) * 0x1p-53;
        double p = k % 3 == 0   ? m
                   : k % 3 == 1 ? ldexp(0.5 + 0.5 * m, -(int)(r % 1022))
                                : 1.0 - ldexp(0.5 + 0.5 * m, -(int)(r % 53));
        if (!(p >= DBL_MIN && p <= 1.0 - 0x1p-53) || p == 0.5)
            continue;
        double e = quantile_error(p);
        if (e > worst) {
            worst = e;
            worst_p = p;
        }
    }
    cr_expect_leq(worst, 1e-15, "worst %.3g at p = %a", worst, worst_p);
}

Test(fmath64, quantile_at_its_ends_and_centre)
{
    cr_expect_eq(gi_norm_quantile64(0.5), 0.0);
    const double ends[] = {DBL_MIN, 0x1p-53, 1e-300, 0.075, 0.925,
                           1.0 - 0x1p-53};
    for (size_t k = 0; k < sizeof ends / sizeof *ends; ++k)
        cr_expect_leq(quantile_error(ends[k]), 1e-15, "p = %a", ends[k]);
    /* Odd where 1 - p is exact. */
    cr_expect_eq(gi_norm_quantile64(1.0 - 0x1p-53),
                 -gi_norm_quantile64(0x1p-53));
    cr_expect_eq(gi_norm_quantile64(0.75), -gi_norm_quantile64(0.25));
}
