/* The portable float math behind the normal law is accurate to 2 ulp. */
#include <criterion/criterion.h>
#include <math.h>

#include "shared/fmath.h"

/* Distance in units in the last place of the float nearest to `exact`. */
static double ulp_error(float got, double exact)
{
    float nearest = (float)exact;
    double ulp = nextafterf(fabsf(nearest), INFINITY) - fabsf(nearest);
    if (nearest == 0.0f)
        ulp = 1.401298464324817e-45;
    return fabs((double)got - exact) / ulp;
}

Test(fmath, logf_within_two_ulp_on_every_scale)
{
    double worst = 0.0;
    float worst_x = 0.0f;
    /* Every 97th float from the smallest subnormal to FLT_MAX. */
    for (uint32_t u = 1; u < 0x7f800000u; u += 97) {
        float x = gi_bits_float(u);
        double e = ulp_error(gi_logf(x), log((double)x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    cr_expect_leq(worst, 2.0, "worst error %.3f ulp at x = %a", worst,
                  (double)worst_x);
}

Test(fmath, logf_exact_at_powers_of_two_and_one)
{
    cr_expect_eq(gi_logf(1.0f), 0.0f);
    for (int e = -149; e < 128; ++e) {
        float x = ldexpf(1.0f, e);
        cr_expect_leq(ulp_error(gi_logf(x), log((double)x)), 1.0, "e = %d", e);
    }
}

Test(fmath, sincos_2pi_within_two_ulp_absolute)
{
    /* Every multiple of 2^-24 in [0, 1): the inputs the normal law uses.
     * Error is measured against 2^-24, since sin(2 pi u) crosses zero. */
    double worst = 0.0;
    for (uint32_t k = 0; k < (1u << 24); ++k) {
        float u = (float)k * 5.9604644775390625e-8f, s, c;
        gi_sincos_2pi(u, &s, &c);
        double a = 6.283185307179586 * (double)u;
        double es = fabs((double)s - sin(a)), ec = fabs((double)c - cos(a));
        worst = fmax(worst, fmax(es, ec));
    }
    cr_expect_leq(worst, 2.0 * 5.9604644775390625e-8, "worst %.3g", worst);
}

Test(fmath, sincos_2pi_exact_at_quadrants)
{
    float s, c;
    gi_sincos_2pi(0.0f, &s, &c);
    cr_expect(s == 0.0f && c == 1.0f);
    gi_sincos_2pi(0.25f, &s, &c);
    cr_expect(s == 1.0f && c == 0.0f);
    gi_sincos_2pi(0.5f, &s, &c);
    cr_expect(s == 0.0f && c == -1.0f);
    gi_sincos_2pi(0.75f, &s, &c);
    cr_expect(s == -1.0f && c == 0.0f);
}

Test(fmath, float_below_is_the_next_float_down)
{
    cr_expect_eq(gi_float_below(1.0f), nextafterf(1.0f, -INFINITY));
    cr_expect_eq(gi_float_below(-1.0f), nextafterf(-1.0f, -INFINITY));
    cr_expect_eq(gi_float_below(0.0f), nextafterf(0.0f, -INFINITY));
    cr_expect_eq(gi_float_below(1e-45f), 0.0f);
}
