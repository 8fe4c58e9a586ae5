/* See laws64.h: the float64 laws' arguments, checked by the rules of the
 * float laws' plans (init_basic.c, init_special.c), in double. */
#include <math.h>

#include "laws64.h"

double gi_normal_lower_tail(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
double gi_normal_upper_tail(double x) { return 0.5 * erfc(x / sqrt(2.0)); }

int gi_tail_probabilities(double alpha, double beta, double *lo, double *hi)
{
    int upper = alpha > 0.0;
    *lo = upper ? gi_normal_upper_tail(beta) : gi_normal_lower_tail(alpha);
    *hi = upper ? gi_normal_upper_tail(alpha) : gi_normal_lower_tail(beta);
    return upper;
}

/* The midpoint rule with its second-order term, whose error
 * w^4 (m^4 - 6 m^2 + 3) / 1920 is below 1e-15 of the result for the
 * narrow intervals of both precisions. */
double gi_narrow_probability(double m, double w)
{
    double density = exp(-0.5 * m * m) / sqrt(2.0 * 3.14159265358979324);
    return density * w * (1.0 + (m * m - 1.0) * w * w / 24.0);
}

/* An interval is narrow when the tail probabilities of its bounds differ
 * by less than this fraction of the larger. There the standardized width
 * w is below 2^-24.6 and the change of the log density across it,
 * |m| w with m the midpoint, below 2^-26, so the density is linear over
 * the interval to within about 2^-52 of itself and the first-order
 * inversion of gi_trunc_narrow64 (error tilt^2 < 2^-54) is exact to
 * double precision. Wider intervals keep inversion, whose probabilities
 * lo + span * U52 then take at least 2^27 distinct values. */
#define GI_TRUNC_NARROW64 1.4901161193847656e-08 /* 2^-26 */

gi_law64_verdict gi_law64_uniform(double a, double b, gi_law *law,
                                  double *value)
{
    if (!isfinite(a) || !isfinite(b)) {
        *value = isfinite(a) ? b : a;
        return GI_LAW64_NOT_FINITE;
    }
    if (a > b)
        return GI_LAW64_ORDER;
    *value = b - a;
    if (!isfinite(b - a))
        return GI_LAW64_SPAN;
    if (a == b) { /* u * (b - a) + a, where -0 + (+0) gives +0 as in torch */
        *value = a + 0.0;
        return GI_LAW64_CONSTANT;
    }
    *law = (gi_law){.kind = GI_LAW_UNIFORM64,
                    .u.uniform64 = {.a = a, .span = b - a,
                                    .cap = gi_double_below(b)}};
    return GI_LAW64_OK;
}

/* A normal's arguments, for values z * std + mean with |z| <= z_max. */
static gi_law64_verdict normal_args(double mean, double std, double z_max,
                                    double *value)
{
    *value = mean;
    if (!isfinite(mean))
        return GI_LAW64_NOT_FINITE;
    *value = std;
    if (!(std >= 0.0) || !isfinite(std))
        return GI_LAW64_STD;
    *value = z_max;
    return gi_reach_finite64(mean, std, z_max) ? GI_LAW64_OK : GI_LAW64_RANGE;
}

gi_law64_verdict gi_law64_normal(double mean, double std, gi_law *law,
                                 double *value)
{
    gi_law64_verdict v = normal_args(mean, std, gi_box_muller64_max(), value);
    if (v == GI_LAW64_OK)
        *law = (gi_law){.kind = GI_LAW_NORMAL64,
                        .u.normal64 = {.mean = mean, .std = std}};
    return v;
}

/* The truncated law, unless an unbounded side lets its values pass
 * double's range. The transform is monotone in its lanes up to the
 * quantile's rounding, which can only matter between neighbouring
 * probabilities, far from the extremes (there the probabilities differ by
 * factors, the quantiles by more than 0.1), and it is clamped to [a, b]:
 * its extremes are those of the lanes 0 and 2^32 - 1, computed by the
 * transform itself. */
static gi_law64_verdict trunc_in_range(const gi_law *law, gi_law *out,
                                       double *value)
{
    const uint32_t first[4] = {0u, 0u, 0u, 0u};
    const uint32_t last[4] = {~0u, ~0u, ~0u, ~0u};
    double lo[4], hi[4];
    gi_law_block64(law, first, lo);
    gi_law_block64(law, last, hi);
    *value = isfinite(lo[0]) ? hi[0] : lo[0];
    if (!isfinite(lo[0]) || !isfinite(hi[0]))
        return GI_LAW64_RANGE;
    *out = *law;
    return GI_LAW64_OK;
}

/* A narrow interval's law: a + (b - a) s with s the first-order inverse
 * of the linear distribution function whose slope at the bounds differs by
 * the tilt w m / 2 from 1 (m the midpoint, w the width, in std). */
static gi_law64_verdict trunc_narrow(double mean, double std, double a,
                                     double b, gi_law *law, double *value)
{
    double w = (b - a) / std, m = ((a - mean) + (b - mean)) / (2.0 * std);
    *value = gi_narrow_probability(m, w);
    if (!(*value >= GI_LAW64_MIN_PROBABILITY))
        return GI_LAW64_PROBABILITY;
    gi_law n = {.kind = GI_LAW_TRUNC_NARROW64,
                .u.narrow64 = {.a = a, .span = b - a, .tilt = w * m / 2.0,
                               .b = b}};
    return trunc_in_range(&n, law, value);
}

gi_law64_verdict gi_law64_trunc_normal(double mean, double std, double a,
                                       double b, gi_law *law, double *value)
{
    *value = mean;
    if (!isfinite(mean))
        return GI_LAW64_NOT_FINITE;
    *value = std;
    if (!isfinite(std) || !(std > 0.0))
        return GI_LAW64_STD;
    if (!(a < b))
        return GI_LAW64_ORDER;
    double alpha = (a - mean) / std, beta = (b - mean) / std;
    double lo, hi;
    int upper = gi_tail_probabilities(alpha, beta, &lo, &hi);
    /* Near the mean both tail probabilities are near 1/2 and hi - lo
     * cancels; there the difference of erf keeps double precision. */
    double span = alpha < 1.0 && beta > -1.0
                      ? 0.5 * (erf(beta / sqrt(2.0)) - erf(alpha / sqrt(2.0)))
                      : hi - lo;
    if (span < GI_TRUNC_NARROW64 * hi)
        return trunc_narrow(mean, std, a, b, law, value);
    *value = span;
    if (!(span >= GI_LAW64_MIN_PROBABILITY))
        return GI_LAW64_PROBABILITY;
    gi_law t = {.kind = GI_LAW_TRUNC_NORMAL64,
                .u.trunc64 = {.lo = lo, .span = span,
                              .sign = upper ? -1.0 : 1.0, .mean = mean,
                              .std = std, .a = a, .b = b}};
    return trunc_in_range(&t, law, value);
}

gi_law64_verdict gi_law64_component(int kind, double a, double b,
                                    gi_law_component64 *out, double *value)
{
    gi_law law;
    gi_law64_verdict v;
    switch (kind) {
    case GI_COMPONENT_UNIFORM:
        v = gi_law64_uniform(a, b, &law, value);
        if (v == GI_LAW64_CONSTANT)
            *out = (gi_law_component64){0, GI_COMP_CONSTANT, *value, 0, 0};
        else if (v == GI_LAW64_OK)
            *out = (gi_law_component64){0, GI_COMP_UNIFORM, a, b,
                                        law.u.uniform64.cap};
        return v == GI_LAW64_CONSTANT ? GI_LAW64_OK : v;
    case GI_COMPONENT_NORMAL:
        v = normal_args(a, b, gi_quantile64_u52_max(), value);
        if (v == GI_LAW64_OK)
            *out = (gi_law_component64){0, GI_COMP_NORMAL, a, b, 0};
        return v;
    case GI_COMPONENT_CONSTANT:
        *out = (gi_law_component64){0, GI_COMP_CONSTANT, a, 0, 0};
        return GI_LAW64_OK;
    }
    *value = kind;
    return GI_LAW64_KIND;
}

void gi_law64_mixture(int k, const double *prob,
                      const gi_law_component64 *comps, gi_law *law)
{
    gi_law_mixture64 *mix = &law->u.mixture64;
    double total = 0.0, cum = 0.0;
    for (int j = 0; j < k; ++j)
        total += prob[j];
    law->kind = GI_LAW_MIXTURE64;
    mix->ncomp = k;
    for (int j = 0; j < k; ++j) {
        cum += prob[j];
        mix->comp[j] = comps[j];
        mix->comp[j].cum = j + 1 < k ? cum / total : 1.0;
    }
}
