/* The basic initializers of torch.nn.init and torch.rand / torch.randn. */
#include <float.h>
#include <math.h>

#include "../core/internal.h"
#include "laws64.h"
#include "../shared/store.h"

/* The neighbour of a 16-bit value h towards +inf (up) or -inf, in the
 * sign-magnitude order both 16-bit encodings share. */
static uint16_t half_step(uint16_t h, int up)
{
    if ((h & 0x7fffu) == 0)
        return up ? 0x0001u : 0x8001u;
    return (h & 0x8000u) == 0 ? (uint16_t)(up ? h + 1 : h - 1)
                              : (uint16_t)(up ? h - 1 : h + 1);
}

/* The smallest value of a 16-bit dtype >= v (up) or the largest <= v, as
 * a float; v finite. */
static float half_bound(gi_dtype dt, float v, int up)
{
    uint16_t h = gi_half_bits(dt, v);
    float r = gi_half_value(dt, h);
    if (up ? r < v : r > v)
        h = half_step(h, up);
    return gi_half_value(dt, h);
}

/* [lo, hi], the store bounds of a law into t (fill_job.h) from its
 * bounds a and b (either may be infinite): the representable values of
 * t's dtype inside [a, b], or inside [a, b) when open. 0 when none. */
static int store_bounds(gi_tensor t, float a, float b, int open, float *lo,
                        float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (t->dtype == GI_F32 || t->dtype == GI_F64)
        return 1;
    if (isfinite(a))
        *lo = half_bound(t->dtype, a, 1);
    if (isfinite(b)) {
        *hi = half_bound(t->dtype, b, 0);
        if (open && *hi >= b) {
            uint16_t h = half_step(gi_half_bits(t->dtype, *hi), 0);
            *hi = gi_half_value(t->dtype, h);
        }
    }
    return *lo <= *hi;
}

gi_status gi_law_bounds(gi_tensor t, double a, double b, int open, float *lo,
                        float *hi, const char *fn)
{
    if (store_bounds(t, (float)a, (float)b, open, lo, hi))
        return GI_OK;
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                   "no %s value lies in [%g, %g%c", gi_dtype_name(t->dtype),
                   a, b, open ? ')' : ']');
}

const char *gi_range_name(gi_dtype dtype)
{
    return dtype == GI_F32 ? "float" : gi_dtype_name(dtype);
}

int gi_dtype_finite(gi_dtype dtype, double v)
{
    return isfinite(gi_dtype_round(dtype, v));
}

/* A float64 law's verdict as this module's job or message. */
gi_status gi_job64(gi_fill_job *job, gi_tensor t, int v, const gi_law *law,
                   double value, const char *fn)
{
    switch (v) {
    case GI_LAW64_OK: gi_job_law(job, t, law, -INFINITY, INFINITY); break;
    case GI_LAW64_CONSTANT: gi_job_constant(job, t, value); break;
    case GI_LAW64_RANGE:
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "the arguments give values beyond float64's range "
                       "(they reach %g)", value);
    case GI_LAW64_PROBABILITY:
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "the interval has probability %g; at least %g is "
                       "needed", value, GI_LAW64_MIN_PROBABILITY);
    default:
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument value %g is refused (verdict %d)", value,
                       (int)v);
    }
    return GI_OK;
}

static gi_status job_uniform(gi_fill_job *job, gi_tensor t, double a,
                             double b, const char *fn)
{
    if (t->dtype == GI_F64) {
        gi_law law;
        double v = 0.0;
        return gi_job64(job, t, gi_law64_uniform(a, b, &law, &v), &law, v,
                        fn);
    }
    float fa = (float)a, fb = (float)b, lo, hi;
    if (fa == fb) { /* u * (b - a) + a, where -0 + (+0) gives +0 as in torch */
        gi_job_constant(job, t, fa + 0.0f);
        return GI_OK;
    }
    /* A 16-bit law is capped at the largest value of its dtype below b,
     * which rounds to itself; values >= a round below a only when a is
     * not a value of the dtype: the store clamps those. */
    gi_status st = gi_law_bounds(t, fa, fb, 1, &lo, &hi, fn);
    float cap = gi_float_below(fb);
    gi_law law = {.kind = GI_LAW_UNIFORM,
                  .u.uniform = {.a = fa, .span = fb - fa,
                                .cap = hi < cap ? hi : cap}};
    if (st == GI_OK)
        gi_job_law(job, t, &law, lo > fa ? lo : -INFINITY, INFINITY);
    return st;
}

gi_status gi_plan_uniform(gi_tensor t, double a, double b, gi_fill_job *job,
                          const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    const char *type = gi_range_name(t->dtype);
    if (!gi_dtype_finite(t->dtype, a) || !gi_dtype_finite(t->dtype, b))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'a' = %g and 'b' = %g must be finite%s%s",
                       a, b, t->dtype == GI_F32 ? "" : " in ",
                       t->dtype == GI_F32 ? "" : type);
    if (a > b)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "expects a <= b, got a = %g > b = %g", a, b);
    double span = t->dtype == GI_F64 ? b - a : (double)((float)b - (float)a);
    if (!gi_dtype_finite(t->dtype, span))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "b - a overflows %s (a = %g, b = %g)", type, a, b);
    return gi_job_uniform(job, t, a, b, fn);
}

static gi_status job_normal(gi_fill_job *job, gi_tensor t, double mean,
                            double std, const char *arg, double value,
                            const char *fn)
{
    if (t->dtype == GI_F64) {
        gi_law law;
        double v = 0.0;
        return gi_job64(job, t, gi_law64_normal(mean, std, &law, &v), &law, v,
                        fn);
    }
    float m = (float)mean, s = (float)std;
    float reach = gi_box_muller_max() * s + (m < 0.0f ? -m : m);
    if (!gi_dtype_finite(t->dtype, (double)reach) && arg == NULL)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'mean' = %g and 'std' = %g give values "
                       "beyond %s's range: %.8g * std + |mean| must be "
                       "finite", mean, std, gi_range_name(t->dtype),
                       (double)gi_box_muller_max());
    if (!gi_dtype_finite(t->dtype, (double)reach))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument '%s' = %g gives std %g, whose values are "
                       "beyond %s's range: %.8g * std must be finite", arg,
                       value, std, gi_range_name(t->dtype),
                       (double)gi_box_muller_max());
    gi_law law = {.kind = GI_LAW_NORMAL, .u.normal = {.mean = m, .std = s}};
    gi_job_law(job, t, &law, -INFINITY, INFINITY);
    return GI_OK;
}

/* Records on a built job the PyTorch call it stands for. */
static gi_status tag(gi_status st, gi_fill_job *job, int op, double a,
                     double b)
{
    if (st == GI_OK)
        job->torch = (gi_torch_call){.op = op, .init = GI_INIT_NONE,
                                     .a = a, .b = b};
    return st;
}

gi_status gi_job_uniform(gi_fill_job *job, gi_tensor t, double a, double b,
                         const char *fn)
{
    return tag(job_uniform(job, t, a, b, fn), job, GI_TORCH_UNIFORM, a, b);
}

gi_status gi_job_normal(gi_fill_job *job, gi_tensor t, double mean,
                        double std, const char *arg, double value,
                        const char *fn)
{
    return tag(job_normal(job, t, mean, std, arg, value, fn), job,
               GI_TORCH_NORMAL, mean, std);
}

gi_status gi_plan_normal(gi_tensor t, double mean, double std,
                         gi_fill_job *job, const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st != GI_OK)
        return st;
    const gi_dtype work = t->dtype == GI_F64 ? GI_F64 : GI_F32;
    if (!gi_dtype_finite(work, mean))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'mean' must be finite, got %g", mean);
    if (!(std >= 0.0) || !gi_dtype_finite(work, std))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'std' must be finite and >= 0, got %g", std);
    return gi_job_normal(job, t, mean, std, NULL, 0.0, fn);
}

gi_status gi_plan_constant(gi_tensor t, double value, gi_fill_job *job,
                           const char *fn)
{
    gi_status st = gi_check_tensor(t, fn, "t");
    if (st == GI_OK)
        st = gi_check_scalar(t->dtype, value, "value", fn);
    if (st == GI_OK)
        gi_job_constant(job, t, value);
    return st;
}

gi_status gi_check_scalar(gi_dtype dtype, double v, const char *arg,
                          const char *fn)
{
    /* PyTorch's checked conversion (c10's overflows()): a finite value
     * beyond the largest finite one is refused even where it would round
     * down to it */
    if (isfinite(v) && fabs(v) > gi_dtype_max(dtype))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument '%s' = %g cannot be converted to %s "
                       "without overflow", arg, v, gi_dtype_name(dtype));
    return GI_OK;
}

gi_status gi_uniform_(gi_tensor t, double a, double b, gi_generator gen)
{
    static const char *const fn = "gi_uniform_";
    gi_fill_job job;
    gi_status st = gi_plan_uniform(t, a, b, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_normal_(gi_tensor t, double mean, double std, gi_generator gen)
{
    static const char *const fn = "gi_normal_";
    gi_fill_job job;
    gi_status st = gi_plan_normal(t, mean, std, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

static gi_status fill_constant(gi_tensor t, double value, const char *fn)
{
    gi_fill_job job;
    gi_status st = gi_plan_constant(t, value, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, NULL, fn);
}

gi_status gi_constant_(gi_tensor t, double value)
{
    return fill_constant(t, value, "gi_constant_");
}

gi_status gi_zeros_(gi_tensor t)
{
    return fill_constant(t, 0.0, "gi_zeros_");
}

gi_status gi_ones_(gi_tensor t)
{
    return fill_constant(t, 1.0, "gi_ones_");
}

/* A new tensor filled by init(t, p, q, gen); freed again on failure. */
static gi_status new_random(const char *fn, gi_tensor *out, gi_context ctx,
                            int ndim, const int64_t *shape, gi_generator gen,
                            gi_status (*init)(gi_tensor, double, double,
                                              gi_generator),
                            double p, double q)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    gi_tensor t = NULL; /* init() writes every element */
    gi_status st = gi_tensor_new(&t, ctx, GI_F32, ndim, shape, fn);
    if (st == GI_OK)
        st = init(t, p, q, gen);
    if (st != GI_OK) {
        gi_tensor_destroy(t);
        return st;
    }
    *out = t;
    return GI_OK;
}

gi_status gi_rand(gi_tensor *out, gi_context ctx, int ndim,
                  const int64_t *shape, gi_generator gen)
{
    return new_random("gi_rand", out, ctx, ndim, shape, gen, gi_uniform_,
                      0.0, 1.0);
}

gi_status gi_randn(gi_tensor *out, gi_context ctx, int ndim,
                   const int64_t *shape, gi_generator gen)
{
    return new_random("gi_randn", out, ctx, ndim, shape, gen, gi_normal_,
                      0.0, 1.0);
}
