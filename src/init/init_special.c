/* Initializers with a law or structure of their own: trunc_normal_, eye_,
 * dirac_, and the fused mixture of laws. */
#include <float.h>
#include <math.h>

#include "../core/internal.h"
#include "laws64.h"

/* An interval is narrow when the tail probabilities of its bounds differ by
 * less than this fraction of the larger: sampled as P0 + P1 * U23, the
 * probabilities would take at most 2^13 float values (only P0 once the
 * difference is below an ulp; at least 2^12 in wider intervals), and the
 * difference itself has lost up to 11 of its bits to cancellation. There
 * the standardized width w (below 6.2e-4) and the change of the log
 * density across it, |(alpha + beta) / 2| w, are both below 2^-10, so that
 * the density is linear over the interval to within 2^-23 of itself. */
#define GI_TRUNC_NARROW 4.8828125e-4 /* 2^-11 */

static gi_status refuse_interval(double p, double mean, double std, double a,
                                 double b, const char *fn)
{
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "the interval [%g, %g] has probability %g under "
                   "N(%g, %g^2); at least 1e-35 is needed", a, b, p, mean,
                   std);
}

/* The job of a truncated normal law, unless an unbounded side lets its
 * values pass float's range. The transform is monotone in its lane (and
 * clamped to [a, b]), so its extremes are those of the lanes 0 and
 * 2^32 - 1, computed by the transform itself: the test is exact. */
static gi_status job_trunc_in_range(gi_fill_job *job, gi_tensor t,
                                    const gi_law *law, double mean,
                                    double std, double a, double b,
                                    const char *fn)
{
    const uint32_t first[4] = {0u, 0u, 0u, 0u};
    const uint32_t last[4] = {~0u, ~0u, ~0u, ~0u};
    float lo[4], hi[4];
    gi_law_block(law, first, lo);
    gi_law_block(law, last, hi);
    if (!gi_dtype_finite(t->dtype, lo[0]) || !gi_dtype_finite(t->dtype, hi[0]))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'mean' = %g and 'std' = %g give values "
                       "beyond %s's range on [%g, %g] (they reach %g and %g)",
                       mean, std, gi_range_name(t->dtype), a, b,
                       (double)lo[0], (double)hi[0]);
    /* For a 16-bit t the law itself clamps to the values of the dtype in
     * [a, b], which round to themselves; but the narrow law's lower bound
     * is also its origin, so the store clamps there when a is not one. */
    float lo_kept, hi_kept;
    gi_status st = gi_law_bounds(t, a, b, 0, &lo_kept, &hi_kept, fn);
    if (st != GI_OK)
        return st;
    gi_law kept = *law;
    float store_lo = -INFINITY;
    if (t->dtype != GI_F32 && kept.kind == GI_LAW_TRUNC_NORMAL) {
        kept.u.trunc.a = lo_kept;
        kept.u.trunc.b = hi_kept;
    } else if (t->dtype != GI_F32) {
        kept.u.narrow.b = hi_kept;
        store_lo = lo_kept > kept.u.narrow.a ? lo_kept : -INFINITY;
    }
    gi_job_law(job, t, &kept, store_lo, INFINITY);
    return GI_OK;
}

/* A narrow interval's law (gi_trunc_narrow): a + (b - a) s with s the
 * inverse of the linear distribution function whose slope at the bounds
 * differs by k = w m / 2 from 1, m the midpoint, w the width, in std. */
static gi_status job_trunc_narrow(gi_fill_job *job, gi_tensor t, double mean,
                                  double std, double a, double b,
                                  const char *fn)
{
    double w = (b - a) / std, m = ((a - mean) + (b - mean)) / (2.0 * std);
    double p = gi_narrow_probability(m, w);
    if (!(p >= 1e-35))
        return refuse_interval(p, mean, std, a, b, fn);
    float fa = (float)a, fb = (float)b;
    gi_law law = {.kind = GI_LAW_TRUNC_NARROW,
                  .u.narrow = {.a = fa, .span = fb - fa,
                               .tilt = (float)(w * m / 2.0), .b = fb}};
    return job_trunc_in_range(job, t, &law, mean, std, a, b, fn);
}

gi_status gi_job_trunc_normal(gi_fill_job *job, gi_tensor t, double mean,
                              double std, double a, double b, const char *fn)
{
    if (t->dtype == GI_F64) {
        gi_law law;
        double v = 0.0;
        return gi_job64(job, t,
                        gi_law64_trunc_normal(mean, std, a, b, &law, &v), &law,
                        v, fn);
    }
    double alpha = (a - mean) / std, beta = (b - mean) / std;
    double lo, hi;
    int upper = gi_tail_probabilities(alpha, beta, &lo, &hi);
    if (hi - lo < GI_TRUNC_NARROW * hi)
        return job_trunc_narrow(job, t, mean, std, a, b, fn);
    /* The sampled probabilities must stay normal floats (the quantile's
     * domain ends at FLT_MIN, about 1.2e-38). */
    if (!(hi - lo >= 1e-35))
        return refuse_interval(hi - lo, mean, std, a, b, fn);
    gi_law law = {.kind = GI_LAW_TRUNC_NORMAL,
                  .u.trunc = {.lo = (float)lo, .span = (float)(hi - lo),
                              .sign = upper ? -1.0f : 1.0f,
                              .mean = (float)mean, .std = (float)std,
                              .a = (float)a, .b = (float)b}};
    return job_trunc_in_range(job, t, &law, mean, std, a, b, fn);
}

gi_status gi_plan_trunc_normal(gi_tensor t, double mean, double std,
                               double a, double b, gi_fill_job *job,
                               const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    /* PyTorch's call keeps the Python floats (a torch_cpu replay) */
    const gi_torch_call call = {.op = GI_TORCH_TRUNC_NORMAL,
                                .init = GI_INIT_NONE,
                                .a = mean, .b = std, .c = a, .d = b};
    /* the arguments as float, the law's computing type, but for float64 */
    if (t->dtype != GI_F64)
        mean = (float)mean, std = (float)std, a = (float)a, b = (float)b;
    if (!isfinite(mean) || !isfinite(std) || !(std > 0.0))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'mean' = %g and 'std' = %g must be finite "
                       "with std > 0", mean, std);
    if (!(a < b))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "expects a < b, got a = %g, b = %g", a, b);
    if (gi_global_numel(t) == 0) { /* the interval's probability is not needed */
        gi_job_nothing(job);
        return GI_OK;
    }
    st = gi_job_trunc_normal(job, t, mean, std, a, b, fn);
    if (st == GI_OK)
        job->torch = call;
    return st;
}

gi_status gi_trunc_normal_(gi_tensor t, double mean, double std, double a,
                           double b, gi_generator gen)
{
    static const char *const fn = "gi_trunc_normal_";
    gi_fill_job job;
    gi_status st = gi_plan_trunc_normal(t, mean, std, a, b, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

/* eye_ and dirac_ read the global shape (a shard's global tensor's, its
 * own for an ordinary tensor), which their checks name. */
gi_status gi_plan_eye(gi_tensor t, gi_fill_job *job, const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    int ndim;
    const int64_t *shape;
    gi_global_shape(t, &ndim, &shape);
    if (ndim != 2)
        return gi_fail(GI_ERR_SHAPE, fn, "only tensors with 2 dimensions "
                       "are supported, got %d", ndim);
    gi_index_law law = {GI_INDEX_EYE, 2, {shape[0], shape[1]}, 1};
    gi_job_index(job, t, &law);
    return GI_OK;
}

gi_status gi_plan_dirac(gi_tensor t, int64_t groups, gi_fill_job *job,
                        const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    int ndim;
    const int64_t *shape;
    gi_global_shape(t, &ndim, &shape);
    if (ndim < 3 || ndim > 5)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "only tensors with 3, 4, or 5 dimensions are "
                       "supported, got %d", ndim);
    if (groups < 1 || shape[0] % groups != 0)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'groups' = %lld must be >= 1 and divide "
                       "dimension 0 (%lld)", (long long)groups,
                       (long long)shape[0]);
    gi_index_law law = {GI_INDEX_DIRAC, ndim, {0}, groups};
    for (int d = 0; d < ndim; ++d)
        law.shape[d] = shape[d];
    gi_job_index(job, t, &law);
    return GI_OK;
}

gi_status gi_eye_(gi_tensor t)
{
    static const char *const fn = "gi_eye_";
    gi_fill_job job;
    gi_status st = gi_plan_eye(t, &job, fn);
    return st != GI_OK ? st : gi_run_job(t, &job, fn);
}

gi_status gi_dirac_(gi_tensor t, int64_t groups)
{
    static const char *const fn = "gi_dirac_";
    gi_fill_job job;
    gi_status st = gi_plan_dirac(t, groups, &job, fn);
    return st != GI_OK ? st : gi_run_job(t, &job, fn);
}

/* Each public component law has its transform (laws.h's GI_COMP_ values
 * are the public ones). */
#define GI_COUNT_(...) +1
_Static_assert(0 GI_COMPONENT_LAW_LIST(GI_COUNT_) == 3,
               "a gi_component_law without a transform in laws.h");
#undef GI_COUNT_

/* Checks one component's law for t and fills its slot (cum is set
 * later). A uniform component stops below b in t's dtype too: at the
 * largest float below b, or for a 16-bit t the largest value of its
 * dtype, which rounds to itself. */
static gi_status component_law(const gi_component *c, int j, gi_tensor t,
                               gi_law_component *out, const char *fn)
{
    /* a component's numbers as float, the law's computing type */
    float a = (float)c->a, b = (float)c->b;
    switch (c->law) {
    case GI_COMPONENT_UNIFORM:
        if (!isfinite(a) || !isfinite(b) || a > b || !isfinite(b - a))
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "components[%d]: uniform needs finite a <= b with "
                           "b - a finite, got a = %g, b = %g", j, (double)a,
                           (double)b);
        if (a == b) {
            *out = (gi_law_component){0, GI_COMP_CONSTANT, a + 0.0f, 0, 0, 0};
            return GI_OK;
        }
        float lo, hi;
        gi_status st = gi_law_bounds(t, a, b, 1, &lo, &hi, fn);
        /* one store clamp serves the whole mixture, so each uniform
         * component keeps its own 16-bit bounds: below b and, where a is
         * no value of the dtype, at or above the one just above a */
        float cap = gi_float_below(b);
        *out = (gi_law_component){0, GI_COMP_UNIFORM, a, b,
                                  hi < cap ? hi : cap,
                                  lo > a ? lo : -INFINITY};
        return st;
    case GI_COMPONENT_NORMAL:
        if (!isfinite(a) || !isfinite(b) || !(b >= 0.0f))
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "components[%d]: normal needs a finite mean and a "
                           "finite std >= 0, got mean = %g, std = %g", j,
                           (double)a, (double)b);
        if (!gi_reach_finite(a, b, gi_quantile_u23_max()))
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "components[%d]: normal with mean = %g and "
                           "std = %g gives values beyond float's range: "
                           "%.8g * std + |mean| must be finite", j,
                           (double)a, (double)b,
                           (double)gi_quantile_u23_max());
        *out = (gi_law_component){0, GI_COMP_NORMAL, a, b, 0, 0};
        return GI_OK;
    case GI_COMPONENT_CONSTANT:
        *out = (gi_law_component){0, GI_COMP_CONSTANT, a, 0, 0, 0};
        return GI_OK;
    }
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "components[%d]: unknown law %d", j, (int)c->law);
}

/* A float64 mixture's components and law (laws64.h), after the checks
 * shared with float's. */
static gi_status mixture_law64(int k, const gi_component *comps, gi_law *law,
                               const char *fn)
{
    gi_law_component64 c[GI_LAW_MAX_COMPONENTS];
    double prob[GI_LAW_MAX_COMPONENTS];
    for (int j = 0; j < k; ++j) {
        double v = 0.0;
        int verdict = gi_law64_component((int)comps[j].law, comps[j].a,
                                         comps[j].b, &c[j], &v);
        if (verdict != GI_LAW64_OK)
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "components[%d]: %s with a = %g, b = %g is "
                           "refused for float64 (at %g)", j,
                           comps[j].law == GI_COMPONENT_NORMAL ? "normal"
                                                                : "uniform",
                           comps[j].a, comps[j].b, v);
        prob[j] = comps[j].prob;
    }
    gi_law64_mixture(k, prob, c, law);
    return GI_OK;
}

/* The mixture's law for t: checked components and cumulative
 * probabilities; float64's for a float64 t. */
static gi_status mixture_law(int k, const gi_component *comps, gi_tensor t,
                             gi_law *law, const char *fn)
{
    const int wide = t->dtype == GI_F64;
    if (k < 1 || k > GI_MAX_COMPONENTS)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'k' = %d must be in [1, %d]", k,
                       GI_MAX_COMPONENTS);
    GI_CHECK_NULL(comps, fn);
    gi_law_mixture *mix = &law->u.mixture;
    double total = 0.0;
    for (int j = 0; j < k; ++j) {
        if (!(comps[j].prob >= 0.0) || !isfinite(comps[j].prob))
            return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                           "components[%d].prob = %g must be a finite "
                           "probability >= 0", j, comps[j].prob);
        total += comps[j].prob;
        gi_status st = wide ? GI_OK
                            : component_law(&comps[j], j, t, &mix->comp[j],
                                            fn);
        if (st != GI_OK)
            return st;
    }
    if (fabs(total - 1.0) > 1e-6)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "probabilities sum to %g, not 1 (within 1e-6)",
                       total);
    if (wide)
        return mixture_law64(k, comps, law, fn);
    double cum = 0.0;
    for (int j = 0; j < k; ++j) {
        cum += comps[j].prob;
        mix->comp[j].cum = j + 1 < k ? (float)(cum / total) : 1.0f;
    }
    law->kind = GI_LAW_MIXTURE;
    mix->ncomp = k;
    return GI_OK;
}

gi_status gi_plan_mixture(gi_tensor t, int k, const gi_component *components,
                          gi_fill_job *job, const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    gi_law law = {.kind = GI_LAW_MIXTURE, .u.mixture = {0}};
    if (st == GI_OK)
        st = mixture_law(k, components, t, &law, fn);
    if (st == GI_OK)
        gi_job_law(job, t, &law, -INFINITY, INFINITY);
    return st;
}

gi_status gi_mixture_(gi_tensor t, int k, const gi_component *components,
                      gi_generator gen)
{
    static const char *const fn = "gi_mixture_";
    gi_fill_job job;
    gi_status st = gi_plan_mixture(t, k, components, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_plan_sparse(gi_tensor t, double sparsity, double std,
                         gi_fill_job *job, const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    int ndim;
    const int64_t *shape; /* a shard's zeros count the global rows */
    gi_global_shape(t, &ndim, &shape);
    if (ndim != 2)
        return gi_fail(GI_ERR_SHAPE, fn,
                       "only tensors with 2 dimensions are supported, got %d",
                       ndim);
    if (!(sparsity >= 0.0 && sparsity <= 1.0))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'sparsity' must be in [0, 1], got %g",
                       sparsity);
    if (!(std >= 0.0) || !gi_dtype_finite(GI_F32, std))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'std' must be finite and >= 0, got %g", std);
    int64_t rows = shape[0], cols = shape[1];
    if (rows >= (int64_t)1 << 32)
        return gi_fail(GI_ERR_UNSUPPORTED, fn,
                       "%lld rows: at most 2^32 - 1 are supported",
                       (long long)rows);
    st = gi_job_normal(job, t, 0.0, std, NULL, 0.0, fn);
    if (st != GI_OK || gi_global_numel(t) == 0) {
        gi_job_nothing(job);
        return st;
    }
    job->kind = GI_JOB_SPARSE;
    /* a torch_cpu replay: num_zeros as Python's math.ceil computes it */
    job->torch = (gi_torch_call){.op = GI_TORCH_SPARSE, .init = GI_INIT_NONE,
                                 .a = 0.0, .b = std,
                                 .c = ceil(sparsity * (double)rows)};
    /* In float, so that torch's ceil(sparsity * rows) sees 0.1 * 10 = 1
     * (the float product of the float 0.1 is 1, its double one above) */
    job->sparse = (gi_job_sparse){
        rows, cols, (int64_t)ceilf((float)sparsity * (float)rows), 0, 0,
        cols};
    return GI_OK;
}

gi_status gi_sparse_(gi_tensor t, double sparsity, double std,
                     gi_generator gen)
{
    static const char *const fn = "gi_sparse_";
    gi_fill_job job;
    gi_status st = gi_plan_sparse(t, sparsity, std, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}
