/* The float64 laws built from double arguments, with the checks each
 * needs, for the plans to call (host only; laws.h holds the transforms).
 * A constructor fills *law only when it says GI_LAW64_OK. */
#ifndef GINIT_LAWS64_H
#define GINIT_LAWS64_H

#include "../shared/laws.h"

/* What a constructor makes of its arguments; *value is what it is about. */
typedef enum gi_law64_verdict {
    GI_LAW64_OK = 0,
    GI_LAW64_CONSTANT,    /* uniform with a == b: no law; every element is
                             *value = a + 0 (-0 becomes +0), nothing drawn */
    GI_LAW64_NOT_FINITE,  /* *value, which must be finite, is not */
    GI_LAW64_ORDER,       /* a > b (uniform), or not a < b (truncated) */
    GI_LAW64_STD,         /* *value, the std, is not finite and >= 0 (> 0
                             for the truncated normal) */
    GI_LAW64_SPAN,        /* *value = b - a is beyond double's range */
    GI_LAW64_RANGE,       /* values would pass double's range: *value is
                             the largest |z| (z_max * std + |mean| must be
                             finite), or the truncated law's value there */
    GI_LAW64_PROBABILITY, /* *value, the interval's probability, is below
                             GI_LAW64_MIN_PROBABILITY */
    GI_LAW64_KIND         /* *value: not a gi_component_law */
} gi_law64_verdict;

/* The smallest interval probability of a truncated normal. Sampled tail
 * probabilities below DBL_MIN (about 2.2e-308, where the quantile's domain
 * ends) are raised to it: with this much, at most a 2.2e-8 share of the
 * values, at the interval's far end. */
#define GI_LAW64_MIN_PROBABILITY 1e-300

/* U[a, b): a, b finite, a <= b, b - a finite. */
gi_law64_verdict gi_law64_uniform(double a, double b, gi_law *law,
                                  double *value);

/* N(mean, std^2): mean finite, std finite and >= 0, and
 * gi_box_muller64_max() * std + |mean| finite. */
gi_law64_verdict gi_law64_normal(double mean, double std, gi_law *law,
                                 double *value);

/* N(mean, std^2) truncated to [a, b]: mean finite, std finite and > 0,
 * a < b (either may be infinite), the interval's probability at least
 * GI_LAW64_MIN_PROBABILITY, and no value beyond double's range. */
gi_law64_verdict gi_law64_trunc_normal(double mean, double std, double a,
                                       double b, gi_law *law, double *value);

/* One mixture component of the public gi_component_law `kind`, with its
 * arguments checked as for the laws above (a normal component's largest
 * |z| is gi_quantile64_u52_max()); a uniform with a == b becomes the
 * constant a + 0. The cumulative probability is set by gi_law64_mixture. */
gi_law64_verdict gi_law64_component(int kind, double a, double b,
                                    gi_law_component64 *out, double *value);

/* The mixture of k (1..GI_LAW_MAX_COMPONENTS) components from
 * gi_law64_component, of probabilities prob[] that the caller has checked
 * (finite, >= 0, summing to 1 within 1e-6): each one's cumulative
 * probability is the double sum / total, the last one exactly 1. */
void gi_law64_mixture(int k, const double *prob,
                      const gi_law_component64 *comps, gi_law *law);

/* The normal's lower-tail Phi(x) and upper-tail Q(x) = Phi(-x) in double
 * (libm's erfc), and the probability of a narrow interval of standardized
 * midpoint m and width w, without cancellation. The float laws' plans
 * compute the same. */
double gi_normal_lower_tail(double x);
double gi_normal_upper_tail(double x);
double gi_narrow_probability(double m, double w);
/* The probabilities of [alpha, beta] (standardized) in the tail it lies
 * in, where they keep their precision: an interval above the mean takes
 * upper-tail probabilities (then *lo = Q(beta), *hi = Q(alpha), and the
 * sampler flips the sign). Returns whether it is the upper tail. */
int gi_tail_probabilities(double alpha, double beta, double *lo, double *hi);

#endif
