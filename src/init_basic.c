/* The basic initializers of torch.nn.init and torch.rand / torch.randn. */
#include <float.h>
#include <math.h>

#include "internal.h"

void gi_job_uniform(gi_fill_job *job, gi_tensor t, float a, float b)
{
    if (a == b) { /* u * (b - a) + a, where -0 + (+0) gives +0 as in torch */
        gi_job_constant(job, t, a + 0.0f);
        return;
    }
    gi_law law = {.kind = GI_LAW_UNIFORM,
                  .u.uniform = {.a = a, .span = b - a,
                                .cap = gi_float_below(b)}};
    gi_job_law(job, t, &law);
}

gi_status gi_plan_uniform(gi_tensor t, float a, float b, gi_fill_job *job,
                          const char *fn)
{
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (!isfinite(a) || !isfinite(b))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'a' = %g and 'b' = %g must be finite",
                       (double)a, (double)b);
    if (a > b)
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "expects a <= b, got a = %g > b = %g", (double)a,
                       (double)b);
    if (!isfinite(b - a))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "b - a overflows float (a = %g, b = %g)", (double)a,
                       (double)b);
    gi_job_uniform(job, t, a, b);
    return GI_OK;
}

gi_status gi_plan_normal(gi_tensor t, float mean, float std, gi_fill_job *job,
                         const char *fn)
{
    gi_status st = gi_check_f32(t, fn, "t");
    if (st != GI_OK)
        return st;
    if (!isfinite(mean))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'mean' must be finite, got %g", (double)mean);
    if (!(std >= 0.0f) || !isfinite(std))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "argument 'std' must be finite and >= 0, got %g",
                       (double)std);
    if (!gi_reach_finite(mean, std, gi_box_muller_max()))
        return gi_fail(GI_ERR_INVALID_ARGUMENT, fn,
                       "arguments 'mean' = %g and 'std' = %g give values "
                       "beyond float's range: %.8g * std + |mean| must be "
                       "finite", (double)mean, (double)std,
                       (double)gi_box_muller_max());
    gi_law law = {.kind = GI_LAW_NORMAL,
                  .u.normal = {.mean = mean, .std = std}};
    gi_job_law(job, t, &law);
    return GI_OK;
}

gi_status gi_plan_constant(gi_tensor t, float value, gi_fill_job *job,
                           const char *fn)
{
    gi_status st = gi_check_f32(t, fn, "t");
    if (st == GI_OK)
        gi_job_constant(job, t, value);
    return st;
}

gi_status gi_uniform_(gi_tensor t, float a, float b, gi_generator gen)
{
    static const char *const fn = "gi_uniform_";
    gi_fill_job job;
    gi_status st = gi_plan_uniform(t, a, b, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

gi_status gi_normal_(gi_tensor t, float mean, float std, gi_generator gen)
{
    static const char *const fn = "gi_normal_";
    gi_fill_job job;
    gi_status st = gi_plan_normal(t, mean, std, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, gen, fn);
}

static gi_status fill_constant(gi_tensor t, float value, const char *fn)
{
    gi_fill_job job;
    gi_status st = gi_plan_constant(t, value, &job, fn);
    return st != GI_OK ? st : gi_fill_planned(t, &job, NULL, fn);
}

gi_status gi_constant_(gi_tensor t, float value)
{
    return fill_constant(t, value, "gi_constant_");
}

gi_status gi_zeros_(gi_tensor t)
{
    return fill_constant(t, 0.0f, "gi_zeros_");
}

gi_status gi_ones_(gi_tensor t)
{
    return fill_constant(t, 1.0f, "gi_ones_");
}

/* A new tensor filled by init(t, p, q, gen); freed again on failure. */
static gi_status new_random(const char *fn, gi_tensor *out, gi_context ctx,
                            int ndim, const int64_t *shape, gi_generator gen,
                            gi_status (*init)(gi_tensor, float, float,
                                              gi_generator),
                            float p, float q)
{
    GI_CHECK_NULL(out, fn);
    GI_CHECK_NULL(ctx, fn);
    gi_tensor t = NULL; /* init() writes every element */
    gi_status st = gi_tensor_new(&t, ctx, ndim, shape, fn);
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
    return new_random("gi_rand", out, ctx, ndim, shape, gen, gi_uniform_, 0.0f, 1.0f);
}

gi_status gi_randn(gi_tensor *out, gi_context ctx, int ndim,
                   const int64_t *shape, gi_generator gen)
{
    return new_random("gi_randn", out, ctx, ndim, shape, gen, gi_normal_, 0.0f, 1.0f);
}
